"""Every report page works in a real browser, offline, and shows hostile data as text.

The reports are rendered from marts published from the synthetic fixture, in which
Kazakhstan's COW name carries a script tag. Each HTML page under reports/ (except the Great
Expectations Data Docs, which load their styles from CDNs by design) is opened from file://
in Debian's Chromium, driven by Playwright, with every request to anything but file://
aborted and counted. A page fails on: a network attempt, a local file that does not load, a
console error or an uncaught exception, a Plotly chart that drew no trace, a relative link
to a file or #anchor that does not exist, or markup injected from the data.

Without Chromium (/usr/bin/chromium or `chromium` on PATH) the tests skip, unless
COOP_REQUIRE_BROWSER=1 (CI), when they fail. `make browser` installs it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb
import pytest

from pipelines.dictionary import render_dictionary
from pipelines.report import publish_validation_docs, render_index
from pipelines.settings import Settings
from tests.fixture_data import SPEC_BY_TABLE, STATE_SPELLS, csv_text
from tests.helpers import fixture_project, publish

pytestmark = pytest.mark.timeout(600)

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SCRIPT_IN_NAME = "<script>window.__xss=1</script>"
HOSTILE_NAME = f'Kazakhstan {SCRIPT_IN_NAME} "&\''
HOSTILE_CCODE = 705
# Third-party pages: GX Data Docs fetch Bootstrap and friends from CDNs (see README).
NOT_OURS = ("validation", ".validation-")
CHART_TIMEOUT_MS = 15_000


def chromium_path() -> str | None:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@dataclass
class PageVisit:
    """What one page did in the browser."""

    path: Path
    blocked_requests: list[str] = field(default_factory=list)
    failed_local_files: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    chart_containers_not_plotted: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    text: str = ""
    injected_scripts: int = 0
    xss_flag: object = None
    seconds: float = 0.0


def _hostile_state_spells() -> str:
    rows = [
        (*row[:2], HOSTILE_NAME, *row[3:]) if row[1] == HOSTILE_CCODE else row
        for row in STATE_SPELLS
    ]
    return csv_text(SPEC_BY_TABLE["raw_cow_states__state_spells"].columns, rows)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Fixture marts published once for the module and every report page rendered, as the
    report stage does: Data Docs linked, then the dictionary and the site."""
    root = tmp_path_factory.mktemp("browser")
    # The shipped reports.toml compares all of Central Asia; the fixture has two of its states.
    (root / "reports.toml").write_text(
        '[regional]\ntitle = "Fixture states"\ncountries = ["KAZ", "UZB", "RUS"]\n\n'
        '[overview]\ntrend_countries = ["KAZ", "UZB", "RUS", "USA"]\n', encoding="utf-8")
    with fixture_project(root, {"state_spells": _hostile_state_spells()}) as settings:
        publish(settings)
        docs = sorted(settings.reports_dir.glob(".validation-*"))
        if docs:
            publish_validation_docs(settings, docs[-1])
        render_dictionary(settings)
        render_index(settings)
        yield settings


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        sync_playwright = None
    if executable is None or sync_playwright is None:
        message = ("browser tests need Chromium (/usr/bin/chromium or `chromium` on PATH) and "
                   "the playwright package; run `make browser` to install Chromium")
        if os.environ.get("COOP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message} (COOP_REQUIRE_BROWSER=1: they must run here).")
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _offline_page(context, visit: PageVisit):
    """A page whose requests other than file:// are aborted and recorded."""
    page = context.new_page()

    def guard(route):
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            visit.blocked_requests.append(url)
            route.abort()

    page.route("**/*", guard)
    page.on("console", lambda message: message.type == "error"
            and visit.console_errors.append(message.text))
    page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
    page.on("requestfailed", lambda request: request.url.startswith("file://")
            and visit.failed_local_files.append(request.url))
    return page


# What Plotly draws per trace: scatter/bar groups, map areas, pie slices, heatmap images.
_DRAWN = "g.trace, .choroplethlocation, .pielayer .slice, g.hm image"
# Every Plotly graph div: its traces, how many points they carry, what SVG it drew.
_CHARTS_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => {
  const traces = gd._fullData || [];
  const length = v => (v && typeof v.length === 'number') ? v.length : 0;
  return {
    id: gd.id,
    traces: traces.length,
    points: traces.reduce((n, t) => n + Math.max(length(t.x), length(t.y), length(t.z),
                          length(t.locations), length(t.values), length(t.r)), 0),
    svg: gd.querySelectorAll('.main-svg').length,
    drawn: gd.querySelectorAll('DRAWN').length,
  };
})""".replace("DRAWN", _DRAWN)

_ALL_CHARTS_DRAWN_JS = """() => {
  const containers = Array.from(document.querySelectorAll('.chart, .js-plotly-plot'));
  return containers.every(el => el.classList.contains('js-plotly-plot')
    && el.querySelector('.main-svg')
    && el.querySelectorAll('DRAWN').length > 0);
}""".replace("DRAWN", _DRAWN)

# Text as a reader sees it: text nodes outside <script>/<style>.
_VISIBLE_TEXT_JS = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    const hidden = parent && ['SCRIPT', 'STYLE'].includes(parent.tagName);
    if (!hidden) parts.push(walker.currentNode.data);
  }
  return parts.join(' ');
}"""


def _visit(context, path: Path, chart_timeout_ms: int = CHART_TIMEOUT_MS) -> PageVisit:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    visit = PageVisit(path)
    page = _offline_page(context, visit)
    started = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load")
    # On a timeout the checks below record which chart is missing.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(_ALL_CHARTS_DRAWN_JS, timeout=chart_timeout_ms)
    visit.charts = page.evaluate(_CHARTS_JS)
    visit.chart_containers_not_plotted = page.evaluate(
        "() => Array.from(document.querySelectorAll('.chart:not(.js-plotly-plot)'))"
        ".map(el => el.id || el.outerHTML.slice(0, 80))")
    visit.links = page.evaluate(
        "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
    visit.ids = set(page.evaluate(
        "() => Array.from(document.querySelectorAll('[id]')).map(el => el.id)"))
    visit.text = page.evaluate(_VISIBLE_TEXT_JS)
    visit.injected_scripts = page.evaluate(
        "() => Array.from(document.scripts).filter(s => s.text.trim() === 'window.__xss=1').length")
    visit.xss_flag = page.evaluate("() => typeof window.__xss === 'undefined' ? null : "
                                   "String(window.__xss)")
    visit.seconds = time.perf_counter() - started
    page.close()
    return visit


def report_pages(reports_dir: Path) -> list[Path]:
    return sorted(
        path for path in reports_dir.rglob("*.html")
        if not any(part.startswith(NOT_OURS) for part in path.relative_to(reports_dir).parts)
    )


@pytest.fixture(scope="module")
def visits(browser, site: Settings) -> dict[str, PageVisit]:
    """Every report page opened once; keyed by its path relative to reports/."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    started = time.perf_counter()
    try:
        found = {str(path.relative_to(site.reports_dir)): _visit(context, path)
                 for path in report_pages(site.reports_dir)}
    finally:
        context.close()
    print(f"\nbrowser: {len(found)} pages in {time.perf_counter() - started:.1f} s; slowest "
          + ", ".join(f"{name} {visit.seconds:.1f} s" for name, visit in
                      sorted(found.items(), key=lambda item: -item[1].seconds)[:3]))
    return found


def _problems(visits: dict[str, PageVisit], attribute: str) -> dict[str, list]:
    return {name: getattr(visit, attribute) for name, visit in visits.items()
            if getattr(visit, attribute)}


def test_the_expected_pages_exist(site: Settings, visits: dict[str, PageVisit]):
    con = duckdb.connect(str(site.published_db), read_only=True)
    try:
        iso3_codes = [row[0] for row in con.execute(
            "select iso3 from mart_countries where iso3 is not null order by iso3").fetchall()]
    finally:
        con.close()
    assert iso3_codes
    expected = {"index.html", "regional.html", "data_dictionary.html",
                *(f"country/{iso3}.html" for iso3 in iso3_codes)}
    assert expected <= set(visits), sorted(expected - set(visits))


def test_the_checks_catch_a_broken_page(browser, tmp_path: Path):
    """The page checks can fail: a page with every fault is caught on each count."""
    page_file = tmp_path / "broken.html"
    page_file.write_text(
        '<!DOCTYPE html><html><head>'
        '<script src="https://cdn.plot.ly/plotly-3.0.0.min.js"></script>'
        '<script src="assets/absent.js"></script></head><body>'
        f'<p>{SCRIPT_IN_NAME}</p><div class="chart" id="never-plotted"></div>'
        '<a href="missing.html">gone</a> <a href="#nowhere">anchor</a> <a href="#here">ok</a>'
        '<h2 id="here">here</h2><img src="http://example.org/pixel.png">'
        '<script>console.error("boom")</script><script>throw new Error("kaboom")</script>'
        "</body></html>",
        encoding="utf-8")
    context = browser.new_context()
    try:
        visit = _visit(context, page_file, chart_timeout_ms=200)
    finally:
        context.close()
    assert sorted(visit.blocked_requests) == ["http://example.org/pixel.png",
                                              "https://cdn.plot.ly/plotly-3.0.0.min.js"]
    assert [url.rsplit("/", 2)[-2:] for url in visit.failed_local_files] == [["assets",
                                                                             "absent.js"]]
    assert "boom" in visit.console_errors
    assert any("kaboom" in error for error in visit.page_errors)
    assert visit.chart_containers_not_plotted == ["never-plotted"]
    assert broken_links({"broken.html": visit}, tmp_path) == {
        "broken.html": ["missing.html", "#nowhere"]}
    assert visit.xss_flag == "1" and visit.injected_scripts == 1
    assert SCRIPT_IN_NAME not in visit.text


def test_no_page_reaches_the_network(visits: dict[str, PageVisit]):
    assert _problems(visits, "blocked_requests") == {}


def test_every_local_file_a_page_asks_for_loads(visits: dict[str, PageVisit]):
    assert _problems(visits, "failed_local_files") == {}


def test_no_console_errors_or_uncaught_exceptions(visits: dict[str, PageVisit]):
    assert _problems(visits, "console_errors") == {}
    assert _problems(visits, "page_errors") == {}


def test_every_chart_drew_its_traces(visits: dict[str, PageVisit]):
    assert _problems(visits, "chart_containers_not_plotted") == {}
    empty = {name: [chart for chart in visit.charts
                    if not (chart["svg"] and chart["traces"] and chart["points"]
                            and chart["drawn"])]
             for name, visit in visits.items()}
    assert {name: charts for name, charts in empty.items() if charts} == {}


def test_the_main_pages_have_charts(visits: dict[str, PageVisit]):
    for name in ("index.html", "regional.html", "country/KAZ.html", "country/UZB.html"):
        assert visits[name].charts, f"{name} drew no chart"


def broken_links(visits: dict[str, PageVisit], reports_dir: Path) -> dict[str, list[str]]:
    """Relative hrefs whose file does not exist, or whose #anchor is not on the visited page."""
    reports_dir = reports_dir.resolve()
    broken: dict[str, list[str]] = {}
    for name, visit in visits.items():
        for href in visit.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue  # an outside link (a citation's URL): the page never fetches it
            page = visit.path.resolve()
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                broken.setdefault(name, []).append(href)
                continue
            target_name = (str(target.relative_to(reports_dir))
                           if target.is_relative_to(reports_dir) else None)
            if (parts.fragment and target_name in visits
                    and unquote(parts.fragment) not in visits[target_name].ids):
                broken.setdefault(name, []).append(href)
    return broken


def test_relative_links_resolve(site: Settings, visits: dict[str, PageVisit]):
    assert broken_links(visits, site.reports_dir) == {}


def test_a_script_in_a_country_name_is_shown_as_text(visits: dict[str, PageVisit]):
    for name in ("country/KAZ.html", "index.html"):
        assert SCRIPT_IN_NAME in visits[name].text, f"{name} does not show the name as text"
    assert {name: visit.xss_flag for name, visit in visits.items() if visit.xss_flag} == {}
    assert _problems(visits, "injected_scripts") == {}
