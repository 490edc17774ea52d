"""Plotly figures as plain dicts (no validated go.Figure: hundreds of pages render in seconds).

Every series arrives as a list with None where a value is missing; Plotly draws None as a gap
(`connectgaps` stays off), so a year a source does not cover is never drawn as 0.
"""

from __future__ import annotations

import copy

MEASURE_COLOURS = {
    "composite": "#1f4e79",
    "institutional": "#2a9d8f",
    "operational": "#e76f51",
}
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]
BLOC_COLOURS = {
    "russia_csto": "#c0392b", "china_sco": "#e1a100", "west": "#2c6fbb", "turkey": "#8e44ad",
    "central_asia": "#16a085", "regional_neighbours": "#a0522d", "other": "#b8c2cc",
}
_GRID = "#e4e7eb"
_FONT = {"family": "system-ui, -apple-system, 'Segoe UI', sans-serif", "size": 12,
         "color": "#1f2933"}


def _merge(base: dict, extra: dict) -> dict:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def layout(title: str, **extra) -> dict:
    base = {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 14}},
        "font": _FONT,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "colorway": PALETTE,
        "height": 380,
        "margin": {"l": 60, "r": 20, "t": 64, "b": 50},
        "legend": {"orientation": "h", "y": -0.18, "x": 0},
        "hovermode": "x unified",
        # Years are integers: never "1,989.6" on a short axis.
        "xaxis": {"gridcolor": _GRID, "zeroline": False, "tickformat": "d"},
        "yaxis": {"gridcolor": _GRID, "zeroline": False},
    }
    return _merge(base, copy.deepcopy(extra))


def _opening_range(years: list, initial_start: int | None) -> dict:
    """An x range opening the chart at initial_start (earlier years stay a zoom-out away)."""
    if initial_start is not None and years and initial_start > years[0]:
        return {"range": [initial_start - 0.5, years[-1] + 0.5]}
    return {}


def _error_bars(centre: list, low: list, high: list) -> tuple[list, list]:
    """(plus, minus) distances from each value to its interval's ends; None where unknown."""
    plus = [None if c is None or h is None else round(h - c, 3)
            for c, h in zip(centre, high, strict=True)]
    minus = [None if c is None or lo is None else round(c - lo, 3)
             for c, lo in zip(centre, low, strict=True)]
    return plus, minus


def line(x: list, y: list, name: str, colour: str | None = None, **extra) -> dict:
    trace = {"type": "scatter", "mode": "lines+markers", "x": x, "y": y, "name": name,
             "connectgaps": False, "marker": {"size": 4}, "line": {"width": 2}}
    if colour:
        trace["line"]["color"] = colour
        trace["marker"]["color"] = colour
    return _merge(trace, extra)


def index_scores(years: list, series: dict[str, list], initial_start: int | None) -> dict:
    """Composite and pillars (0-100) over the state's years."""
    labels = {"composite": "Composite index", "institutional": "Institutional pillar",
              "operational": "Operational pillar"}
    data = [line(years, values, labels[measure], MEASURE_COLOURS[measure])
            for measure, values in series.items()]
    xaxis = {"title": {"text": "year"}, **_opening_range(years, initial_start)}
    return {"data": data, "layout": layout(
        "Cooperation index and its pillars (0-100; higher = more cooperation)",
        xaxis=xaxis, yaxis={"title": {"text": "score (0-100)"}, "range": [0, 100]})}


def rank_band(years: list, rank: list, median: list, low: list, high: list,
              n_ranked: list) -> dict:
    """Nominal composite rank with the 5-95 % band of the Monte-Carlo ranks (1 = top)."""
    banded = [i for i, (a, b) in enumerate(zip(low, high, strict=True))
              if a is not None and b is not None]
    band_years = [years[i] for i in banded]
    data = [
        {"type": "scatter", "mode": "lines", "x": band_years, "y": [high[i] for i in banded],
         "line": {"width": 0}, "showlegend": False, "hoverinfo": "skip", "name": "95th pct"},
        {"type": "scatter", "mode": "lines", "x": band_years, "y": [low[i] for i in banded],
         "fill": "tonexty", "fillcolor": "rgba(31,78,121,0.18)", "line": {"width": 0},
         "name": "5-95 % of Monte-Carlo ranks", "hoverinfo": "skip"},
        line(years, median, "median Monte-Carlo rank", "#5b7ea3",
             line={"dash": "dot", "width": 1.5}, mode="lines"),
        line(years, rank, "published rank", MEASURE_COLOURS["composite"],
             customdata=n_ranked, hovertemplate="rank %{y} of %{customdata}<extra></extra>"),
    ]
    ranked_years = [y for y, r in zip(years, rank, strict=True) if r is not None]
    xaxis = {"title": {"text": "year"}}
    if ranked_years:
        xaxis["range"] = [ranked_years[0] - 0.5, ranked_years[-1] + 0.5]
    return {"data": data, "layout": layout(
        "Composite rank with its uncertainty (1 = most cooperative)",
        xaxis=xaxis, yaxis={"title": {"text": "rank"}, "autorange": "reversed"})}


def panels(years: list, panels_spec: list[tuple[str, list]], columns: int = 2,
           initial_start: int | None = None) -> dict:
    """Small multiples: one panel per (title, values), each with its own y axis."""
    rows = -(-len(panels_spec) // columns)
    data, annotations, axes = [], [], {}
    opening = _opening_range(years, initial_start)
    for position, (title, panel_values) in enumerate(panels_spec, start=1):
        suffix = "" if position == 1 else str(position)
        data.append(line(years, panel_values, title, PALETTE[0], xaxis=f"x{suffix}",
                         yaxis=f"y{suffix}", showlegend=False,
                         hovertemplate="%{x}: %{y}<extra></extra>"))
        axes[f"xaxis{suffix}"] = {"gridcolor": _GRID, "zeroline": False, "tickformat": "d",
                                  **opening}
        axes[f"yaxis{suffix}"] = {"gridcolor": _GRID, "zeroline": False, "rangemode": "tozero"}
        annotations.append({"text": f"<b>{title}</b>", "xref": f"x{suffix} domain",
                            "yref": f"y{suffix} domain", "x": 0, "y": 1.12,
                            "xanchor": "left", "showarrow": False, "font": {"size": 12}})
    figure_layout = layout("", height=230 * rows + 40, hovermode="closest",
                           margin={"t": 30, "b": 30},
                           grid={"rows": rows, "columns": columns, "pattern": "independent",
                                 "ygap": 0.45, "xgap": 0.12},
                           annotations=annotations)
    figure_layout.pop("title")
    figure_layout.update(axes)
    return {"data": data, "layout": figure_layout}


def partner_scores(years: list, partners: list[tuple[str, list]]) -> dict:
    data = [line(years, values, name) for name, values in partners]
    return {"data": data, "layout": layout(
        "Partnership score with the top partners (0-1)",
        xaxis={"title": {"text": "year"}}, yaxis={"title": {"text": "score (0-1)"},
                                                  "range": [0, 1]})}


def bloc_shares(years: list, shares: list[tuple[str, str, list]], effective: list) -> dict:
    """Stacked yearly bars of bloc shares; a year without ties has no bar (not a zero bar)."""
    data = [{"type": "bar", "x": years, "y": values, "name": label,
             "marker": {"color": BLOC_COLOURS.get(bloc, PALETTE[i % len(PALETTE)])},
             "hovertemplate": f"{label}: %{{y:.0%}}<extra></extra>"}
            for i, (bloc, label, values) in enumerate(shares)]
    data.append(line(years, effective, "effective number of blocs (right axis)", "#1f2933",
                     yaxis="y2", mode="lines", line={"width": 1.5, "dash": "dot"}))
    return {"data": data, "layout": layout(
        "Who the cooperation is with: shares of tie volume by partner bloc",
        barmode="stack", bargap=0.05, height=420,
        yaxis={"title": {"text": "share of ties"}, "tickformat": ".0%", "range": [0, 1]},
        yaxis2={"title": {"text": "effective blocs"}, "overlaying": "y", "side": "right",
                "rangemode": "tozero", "showgrid": False, "tickformat": ".1f"},
        xaxis={"title": {"text": "year"}}, margin={"r": 60}, legend={"y": -0.25})}


def network_position(years: list, layers: list[tuple[str, list, list]],
                     initial_start: int | None = None) -> dict:
    """Eigenvector centrality (top) and number of partners (bottom) per network layer."""
    data = []
    for i, (label, eigenvector, degree) in enumerate(layers):
        colour = PALETTE[i % len(PALETTE)]
        data.append(line(years, eigenvector, label, colour, legendgroup=label))
        data.append(line(years, degree, label, colour, legendgroup=label, showlegend=False,
                         xaxis="x2", yaxis="y2"))
    xrange = _opening_range(years, initial_start)
    return {"data": data, "layout": layout(
        "Network position per layer", height=520,
        grid={"rows": 2, "columns": 1, "pattern": "independent", "ygap": 0.25},
        xaxis={**xrange, "matches": "x2", "showticklabels": False},
        xaxis2={**xrange, "gridcolor": _GRID, "title": {"text": "year"}, "tickformat": "d"},
        yaxis={"title": {"text": "eigenvector centrality"}, "rangemode": "tozero"},
        yaxis2={"title": {"text": "partners (degree)"}, "rangemode": "tozero",
                "gridcolor": _GRID},
        legend={"y": -0.14})}


def group_lines(title: str, years: list, series: list[tuple[str, list]], yaxis: dict) -> dict:
    data = [line(years, values, name) for name, values in series]
    return {"data": data, "layout": layout(title, xaxis={"title": {"text": "year"}},
                                           yaxis=yaxis)}


def group_ranks(years: list, series: list[tuple[str, list, list, list]]) -> dict:
    """Composite rank per country with 5-95 % Monte-Carlo error bars."""
    data = []
    for name, rank, low, high in series:
        plus, minus = _error_bars(rank, low, high)
        data.append(line(years, rank, name, error_y={"type": "data", "symmetric": False,
                                                     "array": plus, "arrayminus": minus,
                                                     "thickness": 1, "width": 3}))
    return {"data": data, "layout": layout(
        "Composite rank, 5-95 % Monte-Carlo interval (1 = top)",
        hovermode="closest", xaxis={"title": {"text": "year"}},
        yaxis={"title": {"text": "rank"}, "autorange": "reversed"})}


def stacked_shares(names: list[str], shares: list[tuple[str, str, list]], year: int) -> dict:
    data = [{"type": "bar", "orientation": "h", "y": names, "x": values, "name": label,
             "marker": {"color": BLOC_COLOURS.get(bloc, PALETTE[i % len(PALETTE)])},
             "hovertemplate": f"{label}: %{{x:.0%}}<extra></extra>"}
            for i, (bloc, label, values) in enumerate(shares)]
    return {"data": data, "layout": layout(
        f"Shares of tie volume by partner bloc, {year}", barmode="stack", hovermode="closest",
        height=160 + 40 * len(names), legend={"y": -0.3},
        xaxis={"tickformat": ".0%", "range": [0, 1]},
        yaxis={"autorange": "reversed", "gridcolor": "rgba(0,0,0,0)", "automargin": True})}


def partnership_matrix(names: list[str], matrix: list[list], year: int) -> dict:
    data = [{"type": "heatmap", "x": names, "y": names, "z": matrix, "zmin": 0, "zmax": 1,
             "colorscale": "Blues", "reversescale": True,
             "colorbar": {"title": {"text": "score"}},
             "hovertemplate": "%{y} - %{x}: %{z:.2f}<extra></extra>", "xgap": 2, "ygap": 2}]
    return {"data": data, "layout": layout(
        f"Partnership score within the group, {year} (blank = no military tie yet)",
        hovermode="closest", height=160 + 45 * len(names),
        xaxis={"showgrid": False, "automargin": True},
        yaxis={"showgrid": False, "autorange": "reversed", "automargin": True})}


def rank_intervals(names: list[str], rank: list, low: list, high: list, year: int,
                   n_ranked: int) -> dict:
    """The leaders with their 5-95 % Monte-Carlo rank intervals, as horizontal error bars."""
    plus, minus = _error_bars(rank, low, high)
    data = [{"type": "scatter", "mode": "markers", "x": rank, "y": names, "name": "rank",
             "marker": {"size": 8, "color": MEASURE_COLOURS["composite"]},
             "error_x": {"type": "data", "symmetric": False, "array": plus,
                         "arrayminus": minus, "color": "#5b7ea3", "thickness": 1.5},
             "hovertemplate": "%{y}: rank %{x}<extra></extra>"}]
    return {"data": data, "layout": layout(
        f"Top {len(names)} of {n_ranked} in {year}: rank and 5-95 % interval",
        hovermode="closest", height=140 + 22 * len(names), margin={"l": 170},
        xaxis={"title": {"text": "rank (1 = most cooperative)"}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "gridcolor": "rgba(0,0,0,0)", "dtick": 1,
               "automargin": True},
        showlegend=False)}


def world_activity(years: list, series: list[tuple[str, list]]) -> dict:
    data = [line(years, values, name, mode="lines") for name, values in series]
    return {"data": data, "layout": layout("The whole state system since 1946",
                                           xaxis={"title": {"text": "year"}},
                                           yaxis={"title": {"text": "count"}})}
