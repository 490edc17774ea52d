"""The country pages' section on arms suppliers and recipients over time (SIPRI).

Reads the `arms_transfers` report query (sql/reports/arms_transfers.sql, over
mart_arms_transfers) once for all pages; each page takes its state's rows. Deliveries are
SIPRI trend-indicator values (TIV, millions) spread evenly over each deal's delivery years
(docs/sipri.md); only transfers between states are shown here.
"""

from __future__ import annotations

import pandas as pd

from pipelines.reports import figures
from pipelines.reports.data import ReportData, json_numbers

FRAME = "arms_transfers"
TOP_PARTNERS = 5  # partners drawn separately in the charts; the rest are "other states"
TABLE_ROWS = 10
RECENT_YEARS = 10  # the tables cover the last ten years of the source


def _years_text(years: list[int]) -> str:
    """1995, 1996, 1997, 2001 -> '1995-1997, 2001'."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}" if len(r) == 1 else f"{r[0]}\u2013{r[-1]}" for r in runs)


def _name(data: ReportData, ccode: int) -> tuple[str, str | None]:
    country = data.country_by_ccode.get(int(ccode))
    if country is None:
        return f"COW {int(ccode)}", None
    return str(country["country"]), f"{country['page']}.html"


def _side(data: ReportData, rows: pd.DataFrame, partner_column: str, first: int, last: int,
          verb: str) -> dict:
    """Table rows and chart for one direction (the state's suppliers, or its recipients)."""
    if rows.empty:
        return {"rows": [], "chart": None, "first": first, "last": last}
    recent = rows[rows["year"].between(first, last)]
    table = []
    totals = recent.groupby(partner_column)["tiv_delivered"].sum()
    grand_total = totals.sum()
    # Each partner's rows by position, summed with numpy as pandas' Series.sum would (the
    # same values in the same order): a pandas selection per partner cost most of the pages.
    tiv = recent["tiv_delivered"].to_numpy(dtype="float64")
    year = recent["year"].to_numpy()
    orders = recent["n_orders"].to_numpy()
    uncertain = recent["tiv_delivered_uncertain"].to_numpy(dtype=bool)
    category_text = recent["weapon_categories_delivered"].to_numpy(dtype=object)
    positions_by_partner = recent.groupby(partner_column).indices
    for partner in sorted(positions_by_partner):
        at = positions_by_partner[partner]
        delivered = at[tiv[at] > 0]
        name, href = _name(data, partner)
        categories = sorted({c for text in category_text[delivered] if isinstance(text, str)
                             for c in text.split("; ")})
        table.append({
            "name": name,
            "href": href,
            "tiv": round(float(tiv[at].sum()), 1),
            "share": (round(100 * float(totals[partner]) / grand_total, 1)
                      if grand_total > 0 else None),
            "years": _years_text([int(y) for y in year[delivered]]) or "none",
            "orders": int(orders[at].sum()),
            "categories": ", ".join(categories),
            "uncertain": bool(uncertain[delivered].any()),
        })
    table.sort(key=lambda row: (-row["tiv"], -row["orders"], row["name"]))
    return {"rows": table[:TABLE_ROWS], "n_partners": len(table), "chart": _chart(
        data, rows, partner_column, verb), "first": first, "last": last}


def _chart(data: ReportData, rows: pd.DataFrame, partner_column: str, verb: str) -> dict | None:
    delivered = rows[rows["tiv_delivered"] > 0]
    if delivered.empty:
        return None
    years = list(range(int(delivered["year"].min()), int(delivered["year"].max()) + 1))
    by_partner = delivered.groupby(partner_column)["tiv_delivered"].sum()
    top = by_partner.sort_values(ascending=False).index[:TOP_PARTNERS].tolist()
    # The sums pivot_table(aggfunc="sum") computes, without its per-call overhead (one page
    # draws two of these charts).
    yearly = (delivered.groupby(["year", partner_column])["tiv_delivered"].sum()
              .unstack(partner_column).reindex(years).fillna(0.0))
    data_traces = []
    for i, partner in enumerate(top):
        name, _href = _name(data, partner)
        data_traces.append({
            "type": "bar", "x": years, "y": json_numbers(yearly[partner].to_numpy(), 1),
            "name": name, "marker": {"color": figures.PALETTE[i % len(figures.PALETTE)]},
            "hovertemplate": f"{name}: %{{y:,.1f}} TIV<extra></extra>"})
    others = [c for c in yearly.columns if c not in top]
    if others:
        data_traces.append({
            "type": "bar", "x": years, "y": json_numbers(yearly[others].sum(axis=1).to_numpy(), 1),
            "name": "other states", "marker": {"color": "#b8c2cc"},
            "hovertemplate": "other states: %{y:,.1f} TIV<extra></extra>"})
    return {"data": data_traces, "layout": figures.layout(
        f"Arms {verb} per year by partner (SIPRI TIV, millions)", barmode="stack", bargap=0.1,
        height=400, yaxis={"title": {"text": "TIV delivered (millions)"}, "rangemode": "tozero"},
        xaxis={"title": {"text": "year"}}, legend={"y": -0.25})}


def _rows_of(data: ReportData, frame: pd.DataFrame, column: str, ccode: int) -> pd.DataFrame:
    """The frame's rows whose `column` is the state, as `frame[frame[column] == ccode]`
    would select them (same order and index), from a grouping made once for all pages."""
    key = f"{FRAME}_by_{column}"
    if key not in data.derived:
        data.derived[key] = {int(value): rows for value, rows in frame.groupby(column)}
    found = data.derived[key].get(int(ccode))
    return frame.iloc[:0] if found is None else found


def country_arms(data: ReportData, ccode: int) -> dict:
    """The page's arms section: {'arms': {...}, 'arms_figures': [...]}; empty without SIPRI."""
    frame = data.frames.get(FRAME)
    if frame is None:
        return {"arms": None, "arms_figures": []}
    source = next((row for row in data.coverage if row["source_id"] == "sipri_arms"), None)
    last = int(source["last_year"]) if source else int(frame["year"].max())
    first = last - RECENT_YEARS + 1
    suppliers = _side(data, _rows_of(data, frame, "recipient_ccode", ccode), "supplier_ccode",
                      first, last, "imports")
    recipients = _side(data, _rows_of(data, frame, "supplier_ccode", ccode), "recipient_ccode",
                       first, last, "exports")
    figure_list = []
    for key, side in (("arms_imports", suppliers), ("arms_exports", recipients)):
        chart = side.pop("chart")
        side["figure_id"] = key if chart else None
        if chart:
            figure_list.append({"id": key, "figure": chart})
    return {
        "arms": {"suppliers": suppliers, "recipients": recipients,
                 "source_years": (f"{source['first_year']}\u2013{source['last_year']}"
                                  if source else "")},
        "arms_figures": figure_list,
    }
