"""Country-page and regional blocks for UN voting alignment, peacekeeping and US presence.

Self-contained (issue 12): reads the frames of sql/reports/unga_alignment.sql,
pko_deployments.sql and us_presence.sql; the templates are _country_alignment.html.j2 and
_regional_alignment.html.j2. Values stay None where the marts hold NULL (not covered).
"""

from __future__ import annotations

import pandas as pd

from pipelines.reports import figures
from pipelines.reports.data import Panel, ReportData, json_numbers, year_span

POWERS = (("rus", "Russia", "#c0392b"), ("chn", "China", "#e1a100"), ("usa", "USA", "#2c6fbb"))
RECENT_FROM = 2016  # the tables list the years analysts brief on; the charts show every year


def _cell(value: object, digits: int = 2) -> str | None:
    if value is None or value is pd.NA or value != value:
        return None
    value = float(value)
    return f"{int(value):,}" if value.is_integer() and digits == 0 else f"{value:,.{digits}f}"


def _frame(data: ReportData, name: str) -> pd.DataFrame | None:
    frame = data.frames.get(name)
    return frame if frame is not None and not frame.empty else None


def _panel(data: ReportData, name: str) -> Panel | None:
    return data.panel(name) if _frame(data, name) is not None else None


def country_blocks(data: ReportData, ccode: int) -> dict:
    """The context of _country_alignment.html.j2 and its figures (ids unga, presence)."""
    country = data.country_by_ccode[ccode]
    span = year_span(country["first_year"], country["last_year"])
    years = list(span)
    out: dict = {"figures": [], "unga_rows": [], "pko_rows": [], "presence_rows": [],
                 "unga_chart": False, "presence_chart": False}

    unga = _panel(data, "unga_alignment")
    if unga is not None and ccode in unga:
        series = [(f"agreement with {label}", json_numbers(unga.numbers(ccode, f"agreement_{key}",
                                                                        span), 3), colour)
                  for key, label, colour in POWERS]
        if any(v is not None for _n, values, _c in series for v in values):
            out["unga_chart"] = True
            out["figures"].append({"id": "unga", "figure": {
                "data": [figures.line(years, values, name, colour)
                         for name, values, colour in series],
                "layout": figures.layout(
                    "UN General Assembly: share of votes identical to each power",
                    xaxis={"title": {"text": "year"}},
                    yaxis={"title": {"text": "share of roll calls both voted on"},
                           "range": [0, 1]})}})
        recent = [y for y in unga.years(ccode).tolist() if y >= RECENT_FROM]
        for year in recent:
            at = range(year, year + 1)

            def value(column: str, digits: int = 2, at: range = at) -> str | None:
                return _cell(unga.numbers(ccode, column, at)[0], digits)

            out["unga_rows"].append({
                "year": year, "ideal_point": value("unga_ideal_point"),
                "distances": [value(f"distance_{key}") for key, _l, _c in POWERS],
                "agreements": [value(f"agreement_{key}") for key, _l, _c in POWERS],
                "agreements_di": [value(f"agreement_di_{key}") for key, _l, _c in POWERS],
                "votes": value("votes_usa", 0)})

    deployments = _frame(data, "pko_deployments")
    if deployments is not None:
        own = deployments[(deployments["ccode"] == ccode) & (deployments["year"] >= RECENT_FROM)]
        for row in own.to_dict("records"):
            out["pko_rows"].append({
                "year": int(row["year"]), "mission": row["mission"],
                "locations": _cell(row["locations"], 0),
                "troops": _cell(row["troops_estimated"], 0),
                "size_unknown": _cell(row["locations_size_unknown"], 0)})

    presence = _panel(data, "us_presence")
    if presence is not None and ccode in presence:
        troops = json_numbers(presence.numbers(ccode, "us_troops_hosted", span), 0)
        pko = json_numbers(presence.numbers(ccode, "pko_troops_estimated", span), 0)
        if any(v for v in troops + pko if v is not None):
            out["presence_chart"] = True
            out["figures"].append({"id": "presence", "figure": {
                "data": [figures.line(years, troops, "US active-duty troops hosted", "#2c6fbb"),
                         figures.line(years, pko, "own UN peacekeepers deployed (Geo-PKO "
                                      "estimate)", "#16a085")],
                "layout": figures.layout("Foreign military presence and peacekeeping",
                                         xaxis={"title": {"text": "year"}},
                                         yaxis={"title": {"text": "personnel"}})}})
        for year in [y for y in presence.years(ccode).tolist() if y >= RECENT_FROM]:
            at = range(year, year + 1)
            out["presence_rows"].append({
                "year": year,
                "us_troops": _cell(presence.numbers(ccode, "us_troops_hosted", at)[0], 0),
                "missions": _cell(presence.numbers(ccode, "pko_missions", at)[0], 0),
                "pko_troops": _cell(presence.numbers(ccode, "pko_troops_estimated", at)[0], 0)})
    out["powers"] = [label for _k, label, _c in POWERS]
    out["has_any"] = bool(out["unga_rows"] or out["pko_rows"] or out["presence_rows"]
                          or out["unga_chart"] or out["presence_chart"])
    return out


def regional_blocks(data: ReportData, members: list[int]) -> dict:
    """The regional page's alignment and deployment tables, RECENT_FROM onwards."""
    rows = []
    unga = _frame(data, "unga_alignment")
    presence = _frame(data, "us_presence")
    deployments = _frame(data, "pko_deployments")
    for ccode in members:
        name = data.country_by_ccode[ccode]["country"]
        mine = unga[(unga["ccode"] == ccode) & (unga["year"] >= RECENT_FROM)] \
            if unga is not None else None
        voted = mine[mine["votes_usa"].fillna(0) > 0] if mine is not None else None
        latest = voted.iloc[-1] if voted is not None and len(voted) else None
        points = mine[mine["unga_ideal_point"].notna()] if mine is not None else None
        latest_point = points.iloc[-1] if points is not None and len(points) else None
        missions = sorted(set(deployments.loc[(deployments["ccode"] == ccode)
                                              & (deployments["year"] >= RECENT_FROM),
                                              "mission"])) if deployments is not None else []
        hosted = presence[(presence["ccode"] == ccode) & (presence["year"] >= RECENT_FROM)
                          & presence["us_troops_hosted"].notna()] \
            if presence is not None else None
        last_hosted = hosted.iloc[-1] if hosted is not None and len(hosted) else None
        rows.append({
            "country": name,
            "vote_year": int(latest["year"]) if latest is not None else None,
            "agreements": [_cell(latest[f"agreement_{k}"]) if latest is not None else None
                           for k, _l, _c in POWERS],
            "point_year": int(latest_point["year"]) if latest_point is not None else None,
            "distances": [_cell(latest_point[f"distance_{k}"]) if latest_point is not None
                          else None for k, _l, _c in POWERS],
            "missions": ", ".join(missions),
            "us_year": int(last_hosted["year"]) if last_hosted is not None else None,
            "us_troops": _cell(last_hosted["us_troops_hosted"], 0)
            if last_hosted is not None else None,
        })
    return {"rows": rows, "powers": [label for _k, label, _c in POWERS], "since": RECENT_FROM}
