"""Render the whole report site, or one page as a standalone file.

reports/
    index.html                 overview (plotly.js and the world map inline: forwardable alone)
    regional.html              regional comparison (plotly.js inline)
    country/<ISO3>.html        one page per state (cow-<ccode>.html for states without ISO3),
                               sharing ../assets/plotly-<version>.min.js
    assets/plotly-<version>.min.js

Each file is written to a temporary name and moved into place with os.replace, so a reader
opens either the old page or the new one, never half of one.  Country pages are rendered in
forked processes (one per idle CPU, COOP_REPORT_WORKERS) while this one renders the regional
page; the overview goes last, so its links point to pages that exist; pages of states no
longer in the marts and plotly.js files of other versions are removed at the end.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipelines.dictionary import HTML_FILE as DICTIONARY_PAGE
from pipelines.errors import CoopError
from pipelines.reports import assets, figures, pages
from pipelines.reports.data import ReportData, load_report_data
from pipelines.reports.output import environment, write_atomically
from pipelines.settings import Settings

COUNTRY_DIR = "country"
ASSETS_DIR = "assets"
VALIDATION_LINK = "validation"


class UnknownReportPageError(CoopError):
    """`coop report --standalone` was given a page that does not exist."""


@dataclass(frozen=True)
class RenderedSite:
    index: Path
    regional: Path
    country_pages: int
    removed_pages: tuple[str, ...]


def _clear_partial_writes(*directories: Path) -> None:
    """Temporary files a killed render left behind (the refresh holds the writer lock)."""
    for directory in directories:
        for stray in directory.glob(".*.tmp-*"):
            stray.unlink(missing_ok=True)


def _publish_plotly_asset(assets_dir: Path) -> None:
    target = assets_dir / assets.PLOTLY_ASSET_NAME
    script = assets.plotly_js()
    if target.is_file() and target.stat().st_size == len(script.encode("utf-8")):
        return
    write_atomically(target, script)


def _common_context(settings: Settings, data: ReportData, standalone: bool) -> dict:
    reports_dir = settings.reports_dir
    scores = data.frames["index_scores"]
    draws = scores["n_draws"].dropna()
    return {
        "run_id": data.manifest.get("run_id", "unknown"),
        "published_at": data.manifest.get("published_at", "unknown"),
        "rendered_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "gate": data.manifest.get("gate", {}).get("suites", {}),
        "sources": data.sources,
        "index_years": data.index_years,
        "n_draws": f"{int(draws.max()):,}" if len(draws) else "the",
        "regional_title": data.config.regional_title,
        "standalone": standalone,
        "plotly_inline": standalone,
        "plotly_js": assets.inline_plotly_js() if standalone else "",
        "plotly_asset": assets.PLOTLY_ASSET_NAME,
        "validation_link": (f"{VALIDATION_LINK}/index.html"
                            if (reports_dir / VALIDATION_LINK / "index.html").exists() else None),
        "dictionary_link": DICTIONARY_PAGE if (reports_dir / DICTIONARY_PAGE).exists() else None,
        "plot_config": {"responsive": True, "displaylogo": False,
                        # Never a URL: the map outline is embedded (PlotlyGeoAssets).
                        "topojsonURL": f"{ASSETS_DIR}/"},
    }


def _render_country(data: ReportData, common: dict, ccode: int) -> str:
    return environment().get_template("country.html.j2").render(
        **common, **pages.country_context(data, ccode), page_kind="country", root="../")


def _render_regional(data: ReportData, common: dict) -> str:
    return environment().get_template("regional.html.j2").render(
        **{**common, "plotly_inline": True, "plotly_js": assets.inline_plotly_js()},
        **pages.regional_context(data), page_kind="regional", root="")


def _render_overview(data: ReportData, common: dict) -> str:
    context = pages.overview_context(data)
    trend_layout = figures.layout("", height=440, hovermode="closest",
                                        xaxis={"title": {"text": "year"}},
                                        yaxis={"title": {"text": "score (0-100)"},
                                               "range": [0, 100]})
    map_layout = figures.layout(
        "", height=480, margin={"l": 0, "r": 0, "t": 40, "b": 0},
        geo={"projection": {"type": "natural earth", "rotation": {"lon": 0}},
             "showframe": False, "showcoastlines": True, "coastlinecolor": "#9aa5b1",
             "showland": True, "landcolor": "#e4e7eb", "showcountries": True,
             "countrycolor": "#ffffff", "lataxis": {"range": [-58, 85]}})
    return environment().get_template("index.html.j2").render(
        **{**common, "plotly_inline": True, "plotly_js": assets.inline_plotly_js()},
        **context, trend_layout=trend_layout, map_layout=map_layout,
        topojson_name=assets.WORLD_TOPOJSON_NAME, world_topojson=assets.world_topojson_script(),
        page_kind="index", root="")


def report_workers() -> int:
    """Processes that render country pages: COOP_REPORT_WORKERS, else one per CPU that is
    idle (at most 4); 1 renders in this process.  On a machine whose CPUs are busy already,
    forked renderers only add the cost of forking.  The load average counts the refresh
    itself (about one runnable thread through every stage before this one), so that one is
    not held against the CPUs: on a quiet 2-CPU machine the load during a refresh is about
    1, and both CPUs render."""
    configured = os.environ.get("COOP_REPORT_WORKERS", "").strip()
    if configured:
        try:
            return max(1, int(configured))
        except ValueError as exc:
            raise CoopError(f"COOP_REPORT_WORKERS={configured!r}: expected a whole number "
                            f"of processes, such as 2.") from exc
    cpus = len(os.sched_getaffinity(0))
    idle = cpus - max(0.0, os.getloadavg()[0] - 1.0)
    return max(1, min(4, cpus, int(idle + 0.5)))


# What forked renderers read: set just before the fork, so nothing is pickled but the
# chunk of state codes each one renders.
_FORKED: dict = {}


def _render_countries(ccodes: list[int]) -> int:
    data, common = _FORKED["data"], _FORKED["common"]
    country_dir, pages_by_ccode = _FORKED["country_dir"], _FORKED["pages"]
    for ccode in ccodes:
        write_atomically(country_dir / pages_by_ccode[ccode],
                         _render_country(data, common, ccode))
    return len(ccodes)


@contextmanager
def _country_renderers(data: ReportData, common: dict, country_dir: Path,
                       pages_by_ccode: dict[int, str]) -> Iterator[Callable[[], None]]:
    """Render the country pages, in forked processes when there is more than one CPU;
    the caller renders other pages meanwhile and calls the yielded function to wait for
    them.  The pages are the same bytes either way: each is rendered by the same function
    from the same data and context, only in another process."""
    ccodes = list(pages_by_ccode)
    workers = min(report_workers(), len(ccodes))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: None
        _FORKED.update(data=data, common=common, country_dir=country_dir,
                       pages=pages_by_ccode)
        try:
            _render_countries(ccodes)
        finally:
            _FORKED.clear()
        return
    # Interleaved chunks: neighbouring states have similar amounts of data.
    chunks = [ccodes[start::workers * 4] for start in range(workers * 4)]
    _FORKED.update(data=data, common=common, country_dir=country_dir, pages=pages_by_ccode)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending = pool.map_async(_render_countries, [c for c in chunks if c])
            _FORKED.clear()  # the children have their copy
            yield lambda: pending.get()
            rendered = sum(pending.get())
    finally:
        _FORKED.clear()
    if rendered != len(ccodes):
        raise CoopError(f"rendered {rendered} of {len(ccodes)} country pages.")


def render_site(settings: Settings) -> RenderedSite:
    """Render every page from the published marts into settings.reports_dir."""
    data = load_report_data(settings)
    reports_dir = settings.reports_dir
    country_dir = reports_dir / COUNTRY_DIR
    assets_dir = reports_dir / ASSETS_DIR
    for directory in (reports_dir, country_dir, assets_dir):
        directory.mkdir(parents=True, exist_ok=True)
    _clear_partial_writes(reports_dir, country_dir, assets_dir)
    _publish_plotly_asset(assets_dir)

    common = _common_context(settings, data, standalone=False)
    pages_by_ccode = {ccode: f"{country['page']}.html"
                      for ccode, country in data.country_by_ccode.items()}
    written = set(pages_by_ccode.values())
    with _country_renderers(data, common, country_dir, pages_by_ccode) as finish:
        regional = reports_dir / "regional.html"
        write_atomically(regional, _render_regional(data, common))
        finish()
    index = reports_dir / "index.html"
    write_atomically(index, _render_overview(data, common))

    removed = tuple(sorted(path.name for path in country_dir.glob("*.html")
                           if path.name not in written))
    for name in removed:
        (country_dir / name).unlink(missing_ok=True)
    for old in assets_dir.glob("plotly-*.min.js"):
        if old.name != assets.PLOTLY_ASSET_NAME:
            old.unlink(missing_ok=True)
    return RenderedSite(index=index, regional=regional, country_pages=len(written),
                        removed_pages=removed)


def render_standalone(settings: Settings, page: str) -> str:
    """One page as a single self-contained HTML file: 'index', 'regional' or a country code
    (ISO3, or cow-<ccode> for a state without one)."""
    data = load_report_data(settings)
    common = _common_context(settings, data, standalone=True)
    wanted = page.strip()
    if wanted.lower() == "index":
        return _render_overview(data, common)
    if wanted.lower() == "regional":
        return _render_regional(data, common)
    for ccode, country in data.country_by_ccode.items():
        if country["page"].lower() == wanted.lower():
            return _render_country(data, common, ccode)
    raise UnknownReportPageError(
        f"no report page '{page}'. Give an ISO3 code of a state in mart_countries (e.g. KAZ), "
        f"cow-<ccode> for a historical state without one (e.g. cow-260), 'regional' or 'index'."
    )
