"""What each page shows: the template context of the overview, a country and the regional page.

Values stay None where the marts hold NULL; the templates print None as "not covered" and the
figures draw it as a gap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.reports import alignment, arms, figures
from pipelines.reports.data import Panel, ReportData, json_numbers, values, year_span
from pipelines.sources import source_labels

PILLAR_LABELS = {"institutional": "institutional", "operational": "operational"}
LAYERS = [
    ("alliance", "Alliances (ATOP)"),
    ("joint_igo", "Joint IGO memberships (COW IGO)"),
    ("joint_exercise", "Joint exercises (MME)"),
]
PARTNER_LAYERS = [
    ("layer_alliance", "alliance"),
    ("layer_joint_security_igo", "security IGO"),
    ("layer_joint_igo", "IGOs"),
    ("layer_joint_exercise", "exercise"),
]
BLOC_LABELS = {
    "russia_csto": "Russia / CSTO", "china_sco": "China / SCO", "west": "West (USA, NATO, EU)",
    "turkey": "Turkey", "central_asia": "Central Asia",
    "regional_neighbours": "Regional neighbours", "other": "Other partners",
}
TOP_PARTNERS = 10
PARTNERS_CHARTED = 5
LEADERS_CHARTED = 25
# Charts open on the post-1945 system; earlier years stay in the data (zoom out to see them).
MODERN_START = 1946


def number(value: object, digits: int = 1) -> str | None:
    """A table cell: None stays None (shown as "not covered"), numbers get separators."""
    if value is None or value is pd.NA or value != value:
        return None
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def year_ranges(years: list[int]) -> str:
    """[1991, 1992, 1993, 1999] -> '1991-1993, 1999'."""
    spans: list[list[int]] = []
    for year in sorted(years):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(f"{a}" if a == b else f"{a}\u2013{b}" for a, b in spans)


def bloc_columns(frame: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(column, bloc id, label) of every share column in mart_multivector, `other` last."""
    blocs = [(c, c.removeprefix("share_"), BLOC_LABELS.get(c.removeprefix("share_"),
                                                           c.removeprefix("share_")
                                                           .replace("_", " ").capitalize()))
             for c in frame.columns if c.startswith("share_")]
    if "other_share" in frame.columns:
        blocs.append(("other_share", "other", BLOC_LABELS["other"]))
    return blocs


def _link(data: ReportData, ccode: int, prefix: str) -> dict:
    country = data.country_by_ccode.get(int(ccode))
    if country is None:
        return {"name": f"COW state {ccode}", "href": None, "code": str(ccode)}
    return {"name": country["country"], "href": f"{prefix}{country['page']}.html",
            "code": country["iso3"] if country["has_iso3"] else f"COW {country['ccode']}"}


def _start(first_year: int) -> int | None:
    return MODERN_START if first_year < MODERN_START else None


# -- the index indicators (indices.toml, as published in mart_index_weights) -----------------

def index_indicators(data: ReportData) -> list[dict]:
    """The indicators the published composite uses, with their indices.toml label, unit,
    pillar and source (mart_index_weights: the definition of the published build, so a later
    edit of indices.toml cannot mislabel published values). Institutional first."""
    if "index_indicators" in data.derived:
        return data.derived["index_indicators"]
    weights = data.frames["index_weights"]
    used = weights[weights["status"] == "used"]
    order = {"institutional": 0, "operational": 1}
    rows = sorted(used.to_dict("records"), key=lambda r: (order.get(r["pillar"], 2),
                                                           r["indicator"]))
    out = [{"name": r["indicator"], "label": r["label"] or r["indicator"],
            "unit": r["unit"] or "", "pillar": r["pillar"], "source": r["source"],
            "core": bool(r["core"]), "per_milex": bool(r["per_milex"])} for r in rows]
    data.derived["index_indicators"] = out
    return out


_INPUT_KINDS = {"value": "value", "imputed": "imputed", "milex_estimated": "estimated",
                "in_current_set": "current"}


def index_inputs_panel(data: ReportData) -> Panel:
    """mart_index_inputs as a (ccode, year) panel: value__<indicator>, imputed__<indicator>,
    estimated__<indicator> and current__<indicator> columns."""
    if "index_inputs" not in data.panels:
        long = data.frames["index_inputs"]
        wide = long.pivot(index=["ccode", "year"], columns="indicator",
                          values=["value", "imputed", "milex_estimated", "in_current_set"])
        wide.columns = [f"{_INPUT_KINDS[kind]}__{name}" for kind, name in wide.columns]
        wide = wide.reset_index()
        for column in wide.columns:
            if column not in ("ccode", "year"):
                wide[column] = pd.to_numeric(wide[column], errors="coerce").astype("float64")
        data.panels["index_inputs"] = Panel(wide)
    return data.panels["index_inputs"]


def _short_unit(unit: str) -> str:
    """The unit before its first parenthesis or colon, for table headers and axis titles."""
    for mark in (" (", ": ", "; "):
        unit = unit.split(mark)[0]
    return unit


# -- country page ---------------------------------------------------------------------------

def country_context(data: ReportData, ccode: int) -> dict:
    country = data.country_by_ccode[ccode]
    span = year_span(country["first_year"], country["last_year"])
    years = list(span)
    start = _start(int(country["first_year"]))
    scores = data.panel("index_scores")
    indicators = data.panel("country_indicators")
    blocs = data.panel("bloc_shares")

    figure_list = [{"id": "scores", "figure": figures.index_scores(
        years, {m: scores.series(ccode, m, span, 2)
                for m in ("composite", "institutional", "operational")}, start)}]
    rank = scores.series(ccode, "rank", span)
    has_rank = any(r is not None for r in rank)
    if has_rank:
        figure_list.append({"id": "ranks", "figure": figures.rank_band(
            years, rank, scores.series(ccode, "median_rank", span, 1),
            scores.series(ccode, "rank_p05", span, 1), scores.series(ccode, "rank_p95", span, 1),
            scores.series(ccode, "n_ranked", span))})
    definitions = index_indicators(data)
    inputs = index_inputs_panel(data)
    input_years = data.frames["index_inputs"]["year"]
    input_span = (year_span(int(input_years.min()), int(input_years.max()))
                  if len(input_years) else range(0))
    indicator_values = {d["name"]: inputs.numbers(ccode, f"value__{d['name']}", input_span)
                        for d in definitions}
    if ccode in inputs:
        figure_list.append({"id": "indicators", "figure": figures.panels(
            list(input_span), [(f"{d['label']} ({_short_unit(d['unit'])})",
                                json_numbers(indicator_values[d["name"]], 1))
                               for d in definitions])})

    partners = _partners(data, ccode, span)
    if partners["chart"]:
        figure_list.append({"id": "partners", "figure": partners.pop("chart")})
    has_blocs = ccode in blocs
    if has_blocs:
        shares = [(bloc, label, blocs.series(ccode, column, span, 3))
                  for column, bloc, label in bloc_columns(data.frames["bloc_shares"])]
        figure_list.append({"id": "blocs", "figure": figures.bloc_shares(
            years, shares, blocs.series(ccode, "effective_blocs", span, 2))})
    network = _network(data, ccode, span, start)
    if network["figure"]:
        figure_list.append({"id": "network", "figure": network.pop("figure")})

    arms_section = arms.country_arms(data, ccode)  # SIPRI suppliers and recipients
    figure_list.extend(arms_section.pop("arms_figures"))
    alignment_blocks = alignment.country_blocks(data, ccode)
    figure_list.extend(alignment_blocks.pop("figures"))

    member_years = indicators.years(ccode)
    return {
        "country": country,
        "code": country["iso3"] if country["has_iso3"] else f"COW {country['ccode']}",
        "facts": _country_facts(data, ccode, span),
        "figures": figure_list,
        "has_rank": has_rank,
        "has_blocs": has_blocs,
        "partners": partners,
        "network": network,
        "indicator_columns": [(d["label"], _short_unit(d["unit"]), d["pillar"], d["unit"])
                              for d in definitions],
        "indicator_rows": _indicator_rows(data, ccode, input_span, definitions,
                                          indicator_values),
        "has_indicators": ccode in inputs,
        "coverage_note": _coverage_note(data, [int(y) for y in member_years]),
        "register_facts": _register_facts(data, ccode),
        **arms_section,
        "alignment": alignment_blocks,
    }


_QUALIFIER_WORDS = {"exact": "", "at_least": "at least ", "at_most": "at most ",
                    "approximately": "about "}


def _register_facts(data: ReportData, ccode: int) -> list[dict]:
    """The analysts' register facts of one state, each with its citation and fate."""
    facts = data.frames.get("register_facts")
    if facts is None or facts.empty:
        return []
    rows = []
    for fact in facts[facts["ccode"] == ccode].to_dict("records"):
        url = fact["source_url"] if isinstance(fact["source_url"], str) else None
        rows.append({
            "when": (str(fact["date"]) if isinstance(fact["date"], str) and fact["date"]
                     else str(int(fact["year"])) if pd.notna(fact["year"]) else "undated"),
            "what": fact["family_label"] + (f" ({fact['subtype'].replace('_', ' ')})"
                                            if isinstance(fact["subtype"], str) else ""),
            "partner": fact["partner"] if isinstance(fact["partner"], str) else "",
            "count": f"{_QUALIFIER_WORDS.get(fact['count_qualifier'], '')}{int(fact['count']):,}",
            "confidence": fact["confidence"],
            "citation": fact["source_citation"],
            "url": url if url and url.startswith(("http://", "https://")) else None,
            "notes": fact["notes"] if isinstance(fact["notes"], str) else "",
            "status": fact["status_note"],
            "origin": f"raw/register/{fact['register_file']}, row {int(fact['row_number'])}",
        })
    return rows


def _latest(panel_values: np.ndarray, span: range) -> tuple[int, int] | None:
    """(position, year) of the last non-missing value, or None."""
    observed = np.flatnonzero(~np.isnan(panel_values))
    if not len(observed):
        return None
    return int(observed[-1]), span.start + int(observed[-1])


def _country_facts(data: ReportData, ccode: int, span: range) -> dict:
    scores = data.panel("index_scores")
    facts: dict = {}
    composite = scores.numbers(ccode, "composite", span)
    latest = _latest(composite, span)
    if latest:
        at, year = latest

        def value(column: str, digits: int = 1) -> str | None:
            return number(scores.numbers(ccode, column, span)[at], digits)

        choice = [text for y, text in zip(scores.years(ccode),
                                          scores.texts(ccode, "most_influential_choice"),
                                          strict=True) if y == year]
        def text(column: str) -> str | None:
            found = [t for y, t in zip(scores.years(ccode), scores.texts(ccode, column),
                                       strict=True) if y == year]
            return found[0] if found and isinstance(found[0], str) else None

        outside = scores.numbers(ccode, "nominal_outside_interval", span)[at]
        share = scores.numbers(ccode, "symbolic_share", span)[at]
        facts["composite"] = {
            "year": year, "value": value("composite"), "rank": value("rank"),
            "n_ranked": value("n_ranked"), "low": value("rank_p05", 0),
            "high": value("rank_p95", 0), "median": value("median_rank", 0),
            "outside_interval": bool(outside == 1),
            "most_influential": choice[0] if choice and isinstance(choice[0], str) else None,
            "institutional": value("institutional"), "operational": value("operational"),
            "gap": value("pillar_gap"),
            "core": value("core_composite"), "core_rank": value("core_rank"),
            "indicator_set": _labelled(data, text("indicator_set")),
            "imputed": _labelled(data, text("imputed_indicators")),
            "estimated": _labelled(data, text("estimated_indicators")),
            "effort": text("effort"),
            "set_change": _labelled_change(data, _set_change(scores, ccode, year)),
            "symbolic_share": None if np.isnan(share) else number(100 * share, 0),
            "commitments": value("commitments", 0),
        }
    core = scores.numbers(ccode, "core_composite", span)
    core_latest = _latest(core, span)
    if core_latest:
        facts["core_latest"] = {
            "year": core_latest[1], "value": number(core[core_latest[0]]),
            "rank": number(scores.numbers(ccode, "core_rank", span)[core_latest[0]]),
            "n_ranked": number(scores.numbers(ccode, "core_n_ranked", span)[core_latest[0]])}
    corrections = data.frames.get("corrections")
    if corrections is not None and not corrections.empty:
        mine = corrections[corrections["ccode"] == ccode]
        facts["corrections"] = [
            {"id": row["correction_id"], "what": f"{row['source_id']} {row['item']} "
             f"{row['field']} {int(row['first_year'])}-{int(row['last_year'])} set to "
             f"{row['corrected_value']}", "evidence": row["evidence"],
             "citation": row["citation"],
             "changed": None if pd.isna(row["values_changed"]) else int(row["values_changed"])}
            for row in mine.to_dict("records")]
    institutional = scores.numbers(ccode, "institutional", span)
    latest = _latest(institutional, span)
    if latest:
        facts["institutional"] = {"year": latest[1], "value": number(institutional[latest[0]])}
    blocs = data.panel("bloc_shares")
    if ccode in blocs:
        largest = blocs.texts(ccode, "largest_bloc")[-1]
        if isinstance(largest, str):
            facts["bloc"] = {"year": int(blocs.years(ccode)[-1]),
                             "label": BLOC_LABELS.get(largest, largest),
                             "share": number(100 * blocs.raw(ccode, "largest_bloc_share")[-1],
                                             0)}
    return facts


def _labelled(data: ReportData, names: str | None) -> str | None:
    """'a, b' (indicator names) -> their indices.toml labels, 'Label A, Label B'."""
    if not names:
        return None
    labels = {d["name"]: d["label"] for d in index_indicators(data)}
    return ", ".join(labels.get(n.strip(), n.strip()) for n in names.split(","))


def _labelled_change(data: ReportData, change: dict | None) -> dict | None:
    if change is None:
        return None
    return {**change, "left": _labelled(data, change["left"]),
            "entered": _labelled(data, change["entered"])}


def _set_change(scores: Panel, ccode: int, year: int) -> dict | None:
    """Since when the state's current composite has used the indicator set of `year`, and
    what changed at that boundary (indicators that left or entered): scores on either side of
    a change are not on the same footing (compare them with the core composite)."""
    years = scores.years(ccode).tolist()
    sets = {y: frozenset(n.strip() for n in t.split(","))
            for y, t in zip(years, scores.texts(ccode, "indicator_set"), strict=True)
            if isinstance(t, str) and y <= year}
    if year not in sets:
        return None
    since = year
    while since - 1 in sets and sets[since - 1] == sets[year]:
        since -= 1
    if since - 1 not in sets:
        return None  # one set over every scored year: nothing changed
    return {"since": since,
            "left": ", ".join(sorted(sets[since - 1] - sets[year])) or None,
            "entered": ", ".join(sorted(sets[year] - sets[since - 1])) or None}


def partner_profiles(data: ReportData) -> dict:
    """Every state's top partners, chosen once for all pages.

    A state's profile year is the latest year in which the most cooperation layers are covered
    for its pairs (2010 for today's states: exercises end there); its top partners are the
    highest partnership scores of that year.
    """
    if "partner_profiles" in data.derived:
        return data.derived["partner_profiles"]
    directed = data.directed_partnerships
    scored = directed[directed["partnership_score"].notna()]
    best_cover = scored.groupby("ccode")["layers_covered"].transform("max")
    at_best = scored[scored["layers_covered"] == best_cover]
    profile_year = at_best.groupby("ccode")["year"].max()
    in_year = scored[scored["year"] == scored["ccode"].map(profile_year)]
    top = (in_year.sort_values(["ccode", "partnership_score", "partner"],
                               ascending=[True, False, True])
           .groupby("ccode").head(TOP_PARTNERS))
    charted = top.groupby("ccode").head(PARTNERS_CHARTED)[["ccode", "partner"]]
    history = directed.merge(charted, on=["ccode", "partner"])
    history = history.assign(key=history["ccode"].astype(str) + "/" + history["partner"]
                             .astype(str))
    top_by_ccode: dict[int, list[dict]] = {}
    for row in top.to_dict("records"):
        top_by_ccode.setdefault(int(row["ccode"]), []).append(row)
    profiles = {
        "top": top_by_ccode,
        "history": Panel(history[["key", "year", "partnership_score"]], key="key"),
    }
    data.derived["partner_profiles"] = profiles
    return profiles


def _partners(data: ReportData, ccode: int, span: range) -> dict:
    profiles = partner_profiles(data)
    top = profiles["top"].get(ccode, [])
    if not top:
        return {"year": None, "rows": [], "chart": None}
    table = []
    for row in top:
        table.append({
            **_link(data, row["partner"], ""),
            "score": number(row["partnership_score"], 2),
            "comprehensiveness": number(row["comprehensiveness"], 2),
            "longevity": number(row["longevity_years"]),
            "first_tie": (None if pd.isna(row["first_tie_year"])
                          else str(int(row["first_tie_year"]))),
            "reciprocity": number(row["reciprocity"], 2),
            "coherence": number(row["coherence"], 2),
            "layers": [(label, None if pd.isna(row[column]) else bool(row[column]))
                       for column, label in PARTNER_LAYERS],
        })
    series = [(_link(data, row["partner"], "")["name"],
               profiles["history"].series(f"{ccode}/{row['partner']}", "partnership_score",
                                          span, 3))
              for row in top[:PARTNERS_CHARTED]]
    return {"year": int(top[0]["year"]), "layers_covered": int(top[0]["layers_covered"]),
            "rows": table, "chart": figures.partner_scores(list(span), series)}


def _network(data: ReportData, ccode: int, span: range, start: int | None) -> dict:
    network = data.panel("network_position")
    layers, table = [], []
    for layer, label in LAYERS:
        key = f"{ccode}/{layer}"
        if key not in network:
            continue
        layers.append((label, network.series(key, "eigenvector", span, 4),
                       network.series(key, "degree", span)))
        table.append({"label": label, "year": int(network.years(key)[-1]),
                      **{column: number(network.raw(key, column)[-1], digits)
                         for column, digits in (("degree", 0), ("strength", 1),
                                                ("eigenvector", 3), ("eigenvector_rank", 0),
                                                ("n_nodes", 0))}})
    if not layers:
        return {"figure": None, "rows": []}
    return {"figure": figures.network_position(list(span), layers, start), "rows": table}


def _indicator_rows(data: ReportData, ccode: int, span: range, definitions: list[dict],
                    indicator_values: dict[str, np.ndarray]) -> dict[str, list]:
    """Rows of the indicator table: the state's scored years, latest first; each cell the
    value the composite used, whether it was carried forward (imputed) or rests on an
    estimated military expenditure, and whether the year's current set uses it."""
    inputs = index_inputs_panel(data)
    indicators = data.panel("country_indicators")
    security = dict(zip(indicators.years(ccode).tolist(),
                        indicators.texts(ccode, "security_igos"), strict=True))
    flags = {d["name"]: {kind: inputs.numbers(ccode, f"{kind}__{d['name']}", span)
                         for kind in ("imputed", "estimated", "current")}
             for d in definitions}
    rows = []
    for year in sorted(inputs.years(ccode).tolist(), reverse=True):
        at = year - span.start
        cells = []
        for d in definitions:
            flag = flags[d["name"]]
            cells.append({"value": number(indicator_values[d["name"]][at]),
                          "imputed": flag["imputed"][at] == 1,
                          "estimated": flag["estimated"][at] == 1,
                          "in_set": flag["current"][at] == 1})
        igos = security.get(year)
        rows.append({"year": year, "cells": cells,
                     "security_igos": igos if isinstance(igos, str) else None})
    return {"recent": rows, "earlier": []}


def _coverage_note(data: ReportData, member_years: list[int]) -> list[dict]:
    note = []
    for source in data.coverage:
        covered = [y for y in member_years if source["first_year"] <= y <= source["last_year"]]
        note.append({"source_id": source["source_id"], "dataset": source["dataset"],
                     "measures": source_labels().get(source["source_id"], source["role"]),
                     "source_years": f"{source['first_year']}\u2013{source['last_year']}",
                     "covered": year_ranges(covered) if covered else None})
    return note


# -- regional page --------------------------------------------------------------------------

def regional_context(data: ReportData) -> dict:
    config = data.config
    members = [data.ccode_by_iso3[code] for code in config.regional_countries]
    if not members:
        return {"title": config.regional_title, "config_source": config.shown_as, "members": [],
                "summary": [], "summary_year": None, "bloc_year": None, "matrix_year": None,
                "figures": []}
    names = [f"{data.country_by_ccode[c]['country']} ({data.country_by_ccode[c]['iso3']})"
             for c in members]
    first = min(int(data.country_by_ccode[c]["first_year"]) for c in members)
    last = max(int(data.country_by_ccode[c]["last_year"]) for c in members)
    span = year_span(max(first, MODERN_START), last)
    years = list(span)

    def series(panel: Panel, column: str, digits: int = 2, layer: str | None = None) -> list:
        return [(name, panel.series(f"{ccode}/{layer}" if layer else ccode, column, span,
                                    digits))
                for ccode, name in zip(members, names, strict=True)]

    scores = data.panel("index_scores")
    index_years = data.index_years
    index_span = year_span(index_years[0], index_years[-1]) if index_years else range(0)
    rank_series = [(name, scores.series(ccode, "rank", index_span),
                    scores.series(ccode, "rank_p05", index_span, 1),
                    scores.series(ccode, "rank_p95", index_span, 1))
                   for ccode, name in zip(members, names, strict=True)]
    score_axis = {"title": {"text": "score (0-100)"}, "range": [0, 100]}
    figure_list = [
        {"id": "composite", "figure": figures.group_lines(
            "Composite index (0-100)", years, series(scores, "composite"),
            score_axis)},
        {"id": "ranks", "figure": figures.group_ranks(list(index_span), rank_series)},
        {"id": "institutional", "figure": figures.group_lines(
            "Institutional pillar (0-100)", years,
            series(scores, "institutional"), score_axis)},
        {"id": "operational", "figure": figures.group_lines(
            "Operational pillar (0-100)", years,
            series(scores, "operational"), score_axis)},
        {"id": "gap", "figure": figures.group_lines(
            "Pillar gap: institutional minus operational (-100 to 100)", years,
            series(scores, "pillar_gap"), {"title": {"text": "points"}, "zeroline": True})},
    ]
    inputs = index_inputs_panel(data)
    for d in index_indicators(data):
        unit = _short_unit(d["unit"])
        figure_list.append({"id": f"ind-{d['name']}", "figure": figures.group_lines(
            f"{d['label']} ({unit})", years, series(inputs, f"value__{d['name']}", 1),
            {"title": {"text": unit}, "rangemode": "tozero"})})

    bloc_year = _group_bloc_year(data, members)
    if bloc_year is not None:
        blocs = data.panel("bloc_shares")
        one_year = range(bloc_year, bloc_year + 1)
        shares = [(bloc, label, [blocs.series(ccode, column, one_year)[0] for ccode in members])
                  for column, bloc, label in bloc_columns(data.frames["bloc_shares"])]
        figure_list.append({"id": "blocs", "figure": figures.stacked_shares(names, shares,
                                                                           bloc_year)})
    matrix_year = _group_partnership_year(data, members)
    if matrix_year is not None:
        figure_list.append({"id": "pairs", "figure": figures.partnership_matrix(
            names, _partnership_matrix(data, members, matrix_year), matrix_year)})
    network = data.panel("network_position")
    for layer, label in LAYERS:
        figure_list.append({"id": f"net-{layer}", "figure": figures.group_lines(
            f"Centrality: {label}", years,
            series(network, "eigenvector", 4, layer=layer),
            {"title": {"text": "eigenvector centrality"}, "rangemode": "tozero"})})

    return {
        "title": config.regional_title,
        "config_source": config.shown_as,
        "members": [_link(data, c, "country/") for c in members],
        "summary": _group_summary(data, members),
        "summary_year": data.latest_index_year,
        "summary_set": next(iter(indicator_set_spans(data)), None),
        "bloc_year": bloc_year,
        "matrix_year": matrix_year,
        "figures": figure_list,
        "alignment": alignment.regional_blocks(data, members),
    }


def _group_summary(data: ReportData, members: list[int]) -> list[dict]:
    year = data.latest_index_year
    scores = data.frames["index_scores"]
    scores = scores[scores["year"] == year]
    blocs = data.frames["bloc_shares"]
    blocs = blocs[blocs["year"] == year]
    summary = []
    for ccode in members:
        row = scores[scores["ccode"] == ccode]
        row = row.iloc[0] if len(row) else None
        bloc = blocs[blocs["ccode"] == ccode]
        bloc = bloc.iloc[0] if len(bloc) else None
        summary.append({
            **_link(data, ccode, "country/"),
            "composite": number(row["composite"]) if row is not None else None,
            "rank": number(row["rank"]) if row is not None else None,
            "n_ranked": number(row["n_ranked"]) if row is not None else None,
            "low": number(row["rank_p05"], 0) if row is not None else None,
            "high": number(row["rank_p95"], 0) if row is not None else None,
            "institutional": number(row["institutional"]) if row is not None else None,
            "operational": number(row["operational"]) if row is not None else None,
            "gap": number(row["pillar_gap"]) if row is not None else None,
            "largest_bloc": (BLOC_LABELS.get(bloc["largest_bloc"], bloc["largest_bloc"])
                             if bloc is not None and isinstance(bloc["largest_bloc"], str)
                             else None),
            "effective_blocs": number(bloc["effective_blocs"], 2) if bloc is not None else None,
        })
    return summary


def _group_bloc_year(data: ReportData, members: list[int]) -> int | None:
    """The latest year in which the group's bloc shares use the most layers."""
    blocs = data.frames["bloc_shares"]
    rows = blocs[blocs["ccode"].isin(members)]
    if not len(rows):
        return None
    most = rows["n_layers_used"].max()
    return int(rows.loc[rows["n_layers_used"] == most, "year"].max())


def _group_partnership_year(data: ReportData, members: list[int]) -> int | None:
    pairs = data.frames["partnerships"]
    within = pairs[pairs["ccode1"].isin(members) & pairs["ccode2"].isin(members)
                   & pairs["partnership_score"].notna()]
    if not len(within):
        return None
    most = within["layers_covered"].max()
    return int(within.loc[within["layers_covered"] == most, "year"].max())


def _partnership_matrix(data: ReportData, members: list[int], year: int) -> list[list]:
    pairs = data.frames["partnerships"]
    rows = pairs[(pairs["year"] == year) & pairs["ccode1"].isin(members)
                 & pairs["ccode2"].isin(members)]
    score = {}
    for a, b, value in zip(rows["ccode1"], rows["ccode2"], rows["partnership_score"],
                           strict=True):
        if not pd.isna(value):
            score[(a, b)] = score[(b, a)] = round(float(value), 3)
    return [[score.get((a, b)) for b in members] for a in members]


# -- overview page --------------------------------------------------------------------------

def overview_context(data: ReportData) -> dict:
    year = data.latest_index_year
    scores = data.frames["index_scores"]
    leaders = []
    if year is not None:
        latest = scores[(scores["year"] == year) & scores["composite"].notna()]
        for row in latest.sort_values(["rank", "ccode"]).to_dict("records"):
            leaders.append({
                **_link(data, row["ccode"], "country/"),
                "rank": number(row["rank"]), "composite": number(row["composite"]),
                "institutional": number(row["institutional"]),
                "operational": number(row["operational"]),
                "median": number(row["median_rank"], 1),
                "low": number(row["rank_p05"], 0), "high": number(row["rank_p95"], 0),
                "outside": bool(pd.notna(row["nominal_outside_interval"])
                                and bool(row["nominal_outside_interval"])),
                "core": number(row["core_composite"]),
                "imputed": bool(isinstance(row["imputed_indicators"], str)),
                "_rank": row["rank"], "_low": row["rank_p05"], "_high": row["rank_p95"],
            })
    figure_list = []
    if leaders:
        top = leaders[:LEADERS_CHARTED]
        figure_list.append({"id": "leaders", "figure": figures.rank_intervals(
            [f"{r['name']} ({r['code']})" for r in top],
            *(json_numbers(np.array([r[key] for r in top], dtype="float64"), 1)
              for key in ("_rank", "_low", "_high")),
            year, int(scores.loc[scores["year"] == year, "n_ranked"].max()))})
    world = data.frames["world_activity_by_year"]
    world_years = [int(y) for y in world["year"]]
    figure_list.append({"id": "world-activity", "figure": figures.world_activity(world_years, [
        ("pairs of states with a defence pact", values(world["defence_pacts_dyads"])),
        ("state participations in exercises", values(world["exercise_participations"])),
        ("states contributing UN peacekeepers", values(world["pko_contributors"])),
    ])})

    countries = data.countries
    return {
        "year": year,
        "set_spans": indicator_set_spans(data),
        "weights": _weight_rows(data),
        "core_years": _core_years(data),
        "n_ranked": len(leaders),
        "leaders": leaders,
        "figures": figure_list,
        "trend": _trend_data(data),
        "trend_default": [code for code in data.config.trend_countries],
        "countries": [{"name": r["country"], "href": f"country/{r['page']}.html",
                       "code": r["iso3"] if r["has_iso3"] else f"COW {r['ccode']}",
                       "years": f"{r['first_year']}\u2013{r['last_year']}",
                       "historical": not r["has_iso3"]}
                      for r in countries.sort_values(["country", "ccode"]).to_dict("records")],
        "quarantine": data.frames["quarantine_by_rule"].to_dict("records"),
    }


def indicator_set_spans(data: ReportData) -> list[dict]:
    """Runs of consecutive index years with one current indicator set (the set most scored
    states have that year), latest first, each with its indicators (labels) and those carried
    forward past their source's end in any row of the run."""
    scores = data.frames["index_scores"]
    scores = scores[scores["composite"].notna()]
    if not len(scores):
        return []
    per_year = (scores.groupby("year")["indicator_set"]
                .agg(lambda s: s.mode().iat[0] if s.notna().any() else None))
    imputed = scores.groupby("year")["imputed_indicators"].agg(
        lambda s: sorted({n.strip() for t in s.dropna() for n in t.split(",")}))
    spans: list[dict] = []
    for year, indicator_set in per_year.items():
        year = int(year)
        if spans and spans[-1]["set"] == indicator_set and spans[-1]["last"] == year - 1:
            spans[-1]["last"] = year
            spans[-1]["imputed"] |= set(imputed[year])
        else:
            spans.append({"first": year, "last": year, "set": indicator_set,
                          "imputed": set(imputed[year])})
    return [{"years": f"{s['first']}" if s["first"] == s["last"]
             else f"{s['first']}\u2013{s['last']}",
             "indicators": _labelled(data, s["set"]),
             "count": len(s["set"].split(",")) if s["set"] else 0,
             "imputed": _labelled(data, ", ".join(sorted(s["imputed"]))) if s["imputed"]
             else None}
            for s in reversed(spans)]


def _weight_rows(data: ReportData) -> list[dict]:
    """Each indicator of indices.toml with its nominal and effective weight (mart_index_weights),
    or why it is left out."""
    weights = data.frames["index_weights"]
    order = {"institutional": 0, "operational": 1}
    rows = sorted(weights.to_dict("records"),
                  key=lambda r: (order.get(r["pillar"], 2), r["indicator"]))
    return [{"label": r["label"] or r["indicator"], "unit": _short_unit(r["unit"] or ""),
             "pillar": r["pillar"], "source": r["source"], "core": bool(r["core"]),
             "nominal": number(r["nominal_weight"], 3),
             "effective": number(r["effective_weight"], 3),
             "status": r["status"]} for r in rows]


def _core_years(data: ReportData) -> str | None:
    scores = data.frames["index_scores"]
    years = sorted(int(y) for y in scores.loc[scores["core_composite"].notna(), "year"].unique())
    return year_ranges(years) if years else None


def _trend_data(data: ReportData) -> dict:
    """Composite and pillars of every state with an ISO3 code since 1946, for the trend chart
    and the map (both are drawn in the browser from this one copy)."""
    scores = data.frames["index_scores"]
    measures = ("composite", "institutional", "operational")
    observed = scores[(scores["year"] >= MODERN_START)].dropna(subset=list(measures), how="all")
    if not len(observed):
        return {"years": [], "series": {}, "map_years": {m: [] for m in measures}}
    span = year_span(int(observed["year"].min()), int(observed["year"].max()))
    panel = data.panel("index_scores")
    series = {}
    for ccode in sorted(set(observed["ccode"].tolist()),
                        key=lambda c: data.country_by_ccode[int(c)]["country"]):
        country = data.country_by_ccode[int(ccode)]
        if country["has_iso3"]:
            series[country["iso3"]] = {"name": country["country"],
                                       **{m: panel.series(int(ccode), m, span, 2)
                                          for m in measures}}
    map_years = {m: sorted(int(y) for y in observed.loc[observed[m].notna(), "year"].unique())
                 for m in measures}
    return {"years": list(span), "series": series, "map_years": map_years}
