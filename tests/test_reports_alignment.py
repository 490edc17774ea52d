"""The country and regional pages' UN voting, peacekeeping and US presence blocks (issue 12).

Marts published once from the synthetic fixture (tests/fixture_data.py), with one Geo-PKO
mission name carrying a script tag: it must reach the page escaped.
"""

from __future__ import annotations

import dataclasses

import pytest

from pipelines.report import render_index
from pipelines.settings import Settings
from tests.fixture_data import GEO_PKO, SPEC_BY_TABLE, csv_text
from tests.helpers import fixture_project, publish

HOSTILE_MISSION = "UNIFIL<script>x</script>"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("alignment")
    rows = [(HOSTILE_MISSION if mission == "UNIFIL" else mission, year, location, "0", "0", n,
             text) for mission, year, location, n, text in GEO_PKO]
    columns = SPEC_BY_TABLE["raw_geo_pko__tcc_map"].columns
    with fixture_project(root, {"geo_pko_tcc_map": csv_text(columns, rows)}) as settings:
        publish(settings)
        settings = dataclasses.replace(settings, reports_file=root / "no-reports.toml")
        render_index(settings)
        yield settings


def test_country_page_lists_deployments_escaped_and_marks_missing_years(site: Settings):
    page = (site.reports_dir / "country" / "UZB.html").read_text(encoding="utf-8")
    assert 'id="alignment"' in page
    # Uzbekistan 2016: MINUSMA (35 troops at Timbuktu) and UNIFIL (Naqoura, size unknown).
    assert "<td>2016</td><td>MINUSMA</td>" in page
    assert "UNIFIL&lt;script&gt;x&lt;/script&gt;" in page
    assert "<script>x</script>" not in page
    # Fixture UNGA votes are of 2000 only: the chart (all years) is drawn, the table of the
    # years analysts brief on (2016 on) is replaced by a note, never filled with zeros.
    assert '<div class="chart" id="unga"' in page
    assert "No ideal point or roll-call vote for Uzbekistan since 2016" in page

def test_regional_page_has_the_alignment_table(site: Settings):
    page = (site.reports_dir / "regional.html").read_text(encoding="utf-8")
    block = page[page.index('id="alignment"'):]
    assert "Uzbekistan" in block and "Kazakhstan" in block
    assert "MINUSMA" in block
