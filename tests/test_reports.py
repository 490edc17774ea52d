"""The stakeholder pages: one per state, offline, escaped, honest about missing years, and
published safely.

The marts are published once from the synthetic fixture (tests/fixture_data.py), with
Kazakhstan's COW name carrying a script tag. Each test renders into its own reports directory,
so tests never see each other's pages. Browser checks live in tests/test_browser.py.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.errors import CoopError
from pipelines.report import render_index
from pipelines.reports.assets import PLOTLY_ASSET_NAME
from pipelines.reports.config import ReportConfigError
from pipelines.reports.data import Panel
from pipelines.reports.pages import _set_change
from pipelines.reports.site import UnknownReportPageError, render_standalone
from pipelines.settings import Settings
from tests.fixture_data import SPEC_BY_TABLE, STATE_SPELLS, csv_text
from tests.helpers import fixture_project, publish

HOSTILE_NAME = "Kazakhstan <script>alert(1)</script>"
# Fixture states: USA 2, Germany 255 (DEU), GFR 260 and Czechoslovakia 315 (no ISO3),
# Czech Republic 316 (CZE), Russia 365, Uzbekistan 704, Kazakhstan 705.
EXPECTED_PAGES = {"USA.html", "DEU.html", "cow-260.html", "cow-315.html", "CZE.html",
                  "RUS.html", "UZB.html", "KAZ.html"}
NETWORK_REFERENCE = re.compile(
    r"<(?:script|link|img|iframe)[^>]+(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.I)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("reports")
    spells = [(*row[:2], HOSTILE_NAME, *row[3:]) if row[1] == 705 else row
              for row in STATE_SPELLS]
    columns = SPEC_BY_TABLE["raw_cow_states__state_spells"].columns
    with fixture_project(root, {"state_spells": csv_text(columns, spells)}) as settings:
        publish(settings)
    return settings


@pytest.fixture
def site(published: Settings, tmp_path: Path) -> Settings:
    """The published fixture marts with a fresh reports directory and no reports.toml."""
    return dataclasses.replace(published, reports_dir=tmp_path / "reports",
                               reports_file=tmp_path / "reports.toml")


def pages(settings: Settings) -> dict[str, str]:
    return {str(path.relative_to(settings.reports_dir)): path.read_text(encoding="utf-8")
            for path in sorted(settings.reports_dir.rglob("*.html"))}


def figures_of(html: str) -> dict[str, dict]:
    """The figures a page hands to Plotly, parsed back from its JSON."""
    text = html.split("const coopFigures = ", 1)[1].split(";\n", 1)[0]
    return {item["id"]: item["figure"] for item in json.loads(text)}


def test_every_state_in_the_marts_gets_a_page_and_the_overview_links_it(site):
    index = render_index(site)
    assert index == site.reports_dir / "index.html"
    con = duckdb.connect(str(site.published_db), read_only=True)
    states = con.execute("select iso3, ccode from mart_countries").fetchall()
    con.close()
    assert len(states) == len(EXPECTED_PAGES)
    country_pages = {path.name for path in (site.reports_dir / "country").glob("*.html")}
    assert country_pages == EXPECTED_PAGES
    overview = index.read_text(encoding="utf-8")
    for name in EXPECTED_PAGES:
        assert f'href="country/{name}"' in overview
    assert (site.reports_dir / "regional.html").is_file()
    assert (site.reports_dir / "assets" / PLOTLY_ASSET_NAME).is_file()


def test_no_page_refers_to_the_network_and_each_has_one_plotly(site):
    render_index(site)
    rendered = pages(site)
    assert len(rendered) == len(EXPECTED_PAGES) + 2
    for name, html in rendered.items():
        assert not NETWORK_REFERENCE.search(html), name
        inline = html.count("* plotly.js v")
        shared = html.count(f'<script src="../assets/{PLOTLY_ASSET_NAME}"></script>')
        assert inline + shared == 1, name
        assert len(re.findall(r"<script[^>]+src=", html)) == shared, name
    # Index and regional page carry plotly.js; the map outline is embedded, never fetched.
    assert rendered["index.html"].count("* plotly.js v") == 1
    assert rendered["regional.html"].count("* plotly.js v") == 1
    assert 'window.PlotlyGeoAssets = {topojson: {"world_110m": {"type":"Topology"' in (
        rendered["index.html"])
    assert '"topojsonURL":"assets/"' in rendered["index.html"]


def test_relative_links_point_to_pages_that_exist(site):
    render_index(site)
    for name, html in pages(site).items():
        page = site.reports_dir / name
        for href in re.findall(r'href="([^"#:]+)(?:#[^"]*)?"', html):
            assert (page.parent / href).exists(), f"{name} links to missing {href}"


def test_a_script_in_a_country_name_is_escaped_everywhere(site):
    render_index(site)
    rendered = pages(site)
    for name, html in rendered.items():
        assert "<script>alert(1)" not in html, name
    kazakhstan = rendered["country/KAZ.html"]
    assert "<h1>Kazakhstan &lt;script&gt;alert(1)&lt;/script&gt; " in kazakhstan
    # Inside figure JSON the name is a string with < and > escaped for the script element.
    assert "Kazakhstan \\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in (
        rendered["index.html"])


def test_years_a_source_does_not_cover_show_as_not_covered_never_zero(site):
    render_index(site)
    html = (site.reports_dir / "country" / "UZB.html").read_text(encoding="utf-8")
    rows = {int(year): cells for year, cells in
            re.findall(r"<tr><td>(\d{4})</td>(.*?)</tr>", html, flags=re.S)}
    # The indicator table's columns come from indices.toml (labels as published in
    # mart_index_weights), institutional indicators first.
    header = re.search(r"<thead><tr><th>year</th>(.*?)</tr></thead>",
                       html[html.index("The indicators behind the index"):], flags=re.S)
    labels = re.findall(r"<th class=\"num\"[^>]*>([^<]*?) <span", header.group(1))
    assert labels[0] == "Defence obligations given" and "Multinational exercises" in labels
    exercises_column = labels.index("Multinational exercises")
    orgs_column = labels.index("Security-dialogue forums")
    cells = {year: re.findall(r"<td class=\"(?:num|nc)[^\"]*\"[^>]*>([^<]*)", text)
             for year, text in rows.items()}
    # Fixture MME covers 1990-2010: Uzbekistan had no exercise in 2001 (a measured 0) and
    # is not covered in 2015; IGO data end in 2014, so its 2015 dialogue-forum memberships are
    # the 2014 count carried forward, marked "cf" (imputed), never a silent value.
    assert cells[2001][exercises_column].strip() == "0"
    assert cells[2015][exercises_column] == "not covered"
    org_2015 = re.findall(r"<td class=\"(?:num|nc)[^\"]*\"[^>]*>(.*?)</td>", rows[2015])
    assert "cf</abbr>" in org_2015[orgs_column]
    assert cells[2015][orgs_column].strip() == cells[2014][orgs_column].strip()
    assert cells[2000][exercises_column].strip() not in ("0", "not covered")
    panels = figures_of(html)["indicators"]["data"]
    exercises = next(trace for trace in panels if trace["name"].startswith("Multinational"))
    by_year = dict(zip(exercises["x"], exercises["y"], strict=True))
    assert by_year[2001] == 0 and by_year[2015] is None and by_year[2000] > 0
    # The (current) composite exists only where both pillars do: after 2010 it rests on the
    # commitments, peacekeeping (IPI to 2014, Geo-PKO to 2018) and arms transfers (to 2018).
    # Uzbekistan is not a system member in 1990 (part-year rule): a gap there, never 0.
    scores = figures_of(html)["scores"]["data"]
    composite = dict(zip(scores[0]["x"], scores[0]["y"], strict=True))
    assert composite[2012] is not None and composite[2015] is not None
    assert composite.get(1990) is None


def test_the_regional_group_comes_from_reports_toml(site):
    site.reports_file.write_text(
        '[regional]\ntitle = "Two neighbours"\ncountries = ["uzb", "RUS"]\n', encoding="utf-8")
    render_index(site)
    html = (site.reports_dir / "regional.html").read_text(encoding="utf-8")
    assert "<h1>Regional comparison: Two neighbours</h1>" in html
    composite = figures_of(html)["composite"]["data"]
    assert [trace["name"] for trace in composite] == ["Uzbekistan (UZB)", "Russia (RUS)"]


def test_without_reports_toml_the_defaults_keep_the_states_the_marts_have(site):
    render_index(site)
    html = (site.reports_dir / "regional.html").read_text(encoding="utf-8")
    assert "Regional comparison: Central Asia" in html
    names = [trace["name"] for trace in figures_of(html)["composite"]["data"]]
    assert names == ["Kazakhstan <script>alert(1)</script> (KAZ)", "Uzbekistan (UZB)"]


@pytest.mark.parametrize(("content", "message"), [
    ('[regional]\ncountries = ["KAZ", "XYZ"]\n',
     "regional.countries: XYZ is not the ISO3 code of any state in mart_countries"),
    ('[overview]\ntrend_countries = ["KGZ"]\n',
     "overview.trend_countries: KGZ is not the ISO3 code"),
    ('[regional]\ncountries = ["KAZ", "kaz"]\n', "regional.countries lists KAZ twice"),
    ('[regional]\ncountries = ["KAZAKHSTAN"]\n', "'KAZAKHSTAN' is not an ISO3 code"),
    ("[regional]\ncountries = []\n", "regional.countries must be a non-empty list"),
    ('[regional]\ncountry = ["KAZ"]\n', "regional.country is not a known setting"),
    ('[regionl]\ncountries = ["KAZ"]\n', "unknown table [regionl]"),
    ('[regional]\ntitle = ""\n', "regional.title must be a non-empty string"),
    ("[regional\n", "not valid TOML"),
])
def test_a_bad_reports_toml_is_refused_and_the_pages_stay_as_they_were(site, content, message):
    render_index(site)
    before = pages(site)
    site.reports_file.write_text(content, encoding="utf-8")
    with pytest.raises(ReportConfigError, match=re.escape(message)) as error:
        render_index(site)
    assert str(site.reports_file) in str(error.value)
    assert pages(site) == before


def test_pages_of_states_gone_from_the_marts_and_half_written_files_are_removed(site):
    render_index(site)
    country_dir = site.reports_dir / "country"
    assets_dir = site.reports_dir / "assets"
    (country_dir / "YUG.html").write_text("a state no longer in the marts", encoding="utf-8")
    (country_dir / ".KAZ.html.tmp-12345").write_text("half a page", encoding="utf-8")
    (assets_dir / "plotly-0.0.1.min.js").write_text("an old plotly.js", encoding="utf-8")
    render_index(site)
    assert {path.name for path in country_dir.iterdir()} == EXPECTED_PAGES
    assert [path.name for path in assets_dir.iterdir()] == [PLOTLY_ASSET_NAME]
    assert not list(site.reports_dir.glob(".*.tmp-*"))


def test_a_standalone_page_carries_plotly_and_no_links_to_other_pages(site):
    html = render_standalone(site, "uzb")
    assert html.count("* plotly.js v") == 1
    assert not re.search(r"<script[^>]+src=", html)
    assert 'href="../' not in html and 'href="RUS.html"' not in html
    assert "<h1>Uzbekistan " in html
    assert "German Federal Republic" in render_standalone(site, "cow-260")
    with pytest.raises(UnknownReportPageError, match="no report page 'XYZ'"):
        render_standalone(site, "XYZ")


@pytest.mark.parametrize("workers", ["2", "3"])
def test_pages_rendered_in_parallel_equal_those_rendered_in_one_process(
        published, tmp_path, monkeypatch, workers):
    rendered = re.compile(r"page rendered [0-9T:+-]+")
    results = {}
    for count in ("1", workers):
        monkeypatch.setenv("COOP_REPORT_WORKERS", count)
        settings = dataclasses.replace(published, reports_dir=tmp_path / f"reports-{count}",
                                       reports_file=tmp_path / "reports.toml")
        render_index(settings)
        results[count] = {name: rendered.sub("page rendered T", text)
                          for name, text in pages(settings).items()}
        assert not list(settings.reports_dir.rglob(".*.tmp-*"))
    assert set(results["1"]) == {f"country/{name}" for name in EXPECTED_PAGES} | {
        "index.html", "regional.html"}
    assert results[workers] == results["1"]


def test_a_bad_worker_count_is_refused(site, monkeypatch):
    monkeypatch.setenv("COOP_REPORT_WORKERS", "many")
    with pytest.raises(CoopError, match="COOP_REPORT_WORKERS='many'"):
        render_index(site)


def test_score_pages_show_the_indicator_set_imputed_values_and_the_interval(site):
    """Where a score is shown, its interval and the year's indicator set (current vs core,
    which indicators, which carried forward) are on the page, read from the marts."""
    render_index(site)
    con = duckdb.connect(str(site.published_db), read_only=True)
    try:
        labels = dict(con.execute(
            "select indicator, label from mart_index_weights where status = 'used'").fetchall())
        year = con.execute("select max(year) from mart_cooperation_index "
                           "where composite is not null").fetchone()[0]
        indicator_set, imputed, low, high = con.execute(
            "select c.indicator_set, c.imputed_indicators, u.rank_p05, u.rank_p95 "
            "from mart_cooperation_index c join mart_index_uncertainty u using (ccode, year) "
            "where c.ccode = 704 and c.year = $y", {"y": year}).fetchone()
        carried = con.execute(
            "select count(*) from mart_index_inputs where ccode = 704 and imputed").fetchone()[0]
    finally:
        con.close()
    page = (site.reports_dir / "country" / "UZB.html").read_text(encoding="utf-8")
    # The page leads with the latest year that has a composite, with its interval.
    assert f"composite index {year} (0&ndash;100)" in page
    assert f"5&ndash;95 % interval {low:.0f}&ndash;{high:.0f}" in page
    sentence = page[page.index('id="indicator-set"'):]
    sentence = sentence[:sentence.index("</div>")]
    for name in indicator_set.split(", "):
        assert labels[name] in sentence
    assert "core</em> composite keeps one fixed indicator set" in sentence
    if imputed:
        assert "Carried forward past their source's end" in sentence
        for name in imputed.split(", "):
            assert labels[name] in sentence
    # Every carried-forward value in the table is marked, and only those.
    table = page[page.index("The indicators behind the index"):page.index("<h2>Top partners")]
    assert table.count(">cf</abbr>") == carried and carried > 0
    overview = (site.reports_dir / "index.html").read_text(encoding="utf-8")
    spans = overview[overview.index('id="indicator-sets"'):]
    spans = spans[:spans.index("</table>")]
    for name in indicator_set.split(", "):
        assert labels[name] in spans
    assert "<em>core</em> composite keeps one fixed set" in spans
    # The weights table lists every indicator of the published definition.
    weights = overview[overview.index('id="weights"'):overview.index('<h2 id="map">')]
    for label in labels.values():
        assert label in weights


def test_set_change_says_since_when_the_current_set_holds_and_what_changed():
    # State 1: sets a,b,c (2009-2010), a,b (2011-2013); state 2: one set throughout.
    frame = pd.DataFrame({
        "ccode": [1] * 5 + [2] * 2,
        "year": [2009, 2010, 2011, 2012, 2013, 2012, 2013],
        "indicator_set": ["a, b, c", "a, b, c", "a, b", "a, b", "a, b", "a", "a"],
    })
    scores = Panel(frame)
    assert _set_change(scores, 1, 2013) == {"since": 2011, "left": "c", "entered": None}
    assert _set_change(scores, 1, 2010) is None       # nothing changed up to 2010
    assert _set_change(scores, 2, 2013) is None
    assert _set_change(scores, 1, 2014) is None       # no set that year


def test_report_workers_do_not_count_the_refresh_itself_as_load(monkeypatch):
    """The load average includes the refresh's own runnable thread: on a quiet 2-CPU machine
    (load about 1 during a refresh) both CPUs render; a second busy process leaves one."""
    from pipelines.reports import site

    monkeypatch.delenv("COOP_REPORT_WORKERS", raising=False)
    monkeypatch.setattr(site.os, "sched_getaffinity", lambda pid: {0, 1})
    for load, expected in ((1.0, 2), (0.2, 2), (1.6, 1), (2.0, 1), (5.0, 1)):
        monkeypatch.setattr(site.os, "getloadavg", lambda load=load: (load, load, load))
        assert site.report_workers() == expected, load
    monkeypatch.setenv("COOP_REPORT_WORKERS", "3")
    assert site.report_workers() == 3
