"""The real flow (Prefect) on the datasets shipped in raw/: marts are exact recounts."""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from pipelines.settings import PROJECT_ROOT

RAW = PROJECT_ROOT / "raw"
pytestmark = pytest.mark.smoke


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    out = tmp_path_factory.mktemp("real")
    from prefect.testing.utilities import prefect_test_harness

    # One temporary Prefect server for the module, stopped before pytest closes its output.
    with pytest.MonkeyPatch.context() as patch, prefect_test_harness(server_startup_timeout=120):
        patch.setenv("COOP_MARTS_DIR", str(out / "marts"))
        patch.setenv("COOP_REPORTS_DIR", str(out / "reports"))
        from pipelines.flows import refresh_flow

        summary = refresh_flow()
        con = duckdb.connect(str(out / "marts" / "coop.duckdb"), read_only=True)
        yield con, summary, out
        con.close()


def scalar(con, query, params=None):
    return con.execute(query, params or {}).fetchall()[0][0]


def test_flow_publishes_every_mart_and_the_report(refreshed):
    con, summary, out = refreshed
    assert set(summary["seconds"]) == {
        "load", "validate", "build", "indices", "gate", "publish", "report"}
    manifest = json.loads((out / "marts" / "manifest.json").read_text())
    assert manifest["marts"]["mart_dyad_year"]["rows"] == scalar(
        con, "select count(*) from mart_dyad_year")
    assert set(manifest["seconds"]) == set(summary["seconds"])
    assert (out / "marts" / "mart_country_year.parquet").exists()
    assert manifest["gate"]["suites"]["mart_dyad_year"]["failed"] == 0
    assert (out / "reports" / "validation" / "index.html").exists()


def test_igo_counts_recount_the_raw_file(refreshed):
    con, _, _ = refreshed
    raw = duckdb.connect().execute(
        "select count(*) filter (where status = 1), count(*) filter (where status = 2), "
        "count(*) filter (where status = 3), count(*) filter (where status = -9) "
        "from read_csv($p)", {"p": str(RAW / "cow_igo/igo_state_year_v3_long.csv.gz")}
    ).fetchall()[0]
    assert raw == (535_772, 861, 2_332, 138_874)  # SOURCES.md section 5b
    marts = con.execute("select sum(igo_full), sum(igo_associate), sum(igo_observer), "
                        "sum(igo_unknown_status) from mart_country_year").fetchall()[0]
    assert marts == raw


def test_alliance_partners_recount_the_raw_file(refreshed):
    con, _, _ = refreshed
    # The file is symmetric with a unique (ccode1, ccode2, year): distinct partners of ccode1
    # summed over states equal the rows, once rows whose states are not COW members that year
    # are set aside (they are in mart_quarantine).
    raw = duckdb.connect()
    raw.execute("create table atop as select * from read_csv($p)",
                {"p": str(RAW / "atop/atop_v5_1_directed_dyad_year.csv.gz")})
    frame = con.execute("select ccode, year from mart_country_year").df()  # noqa: F841
    expected = raw.execute(
        "select count(*) filter (where atop_defense = 1), count(*) from atop "
        "where (ccode1, year) in (select (ccode, year) from frame) "
        "and (ccode2, year) in (select (ccode, year) from frame)"
    ).fetchall()[0]
    marts = con.execute("select sum(alliance_partners_defense), sum(alliance_partners_total) "
                        "from mart_country_year").fetchall()[0]
    assert marts == expected
    quarantined = scalar(con, "select count(*) from mart_quarantine where source_id = 'atop'")
    assert expected[1] + quarantined == 273_296


def test_uzbekistan_defence_partners_match_the_documented_values(refreshed):
    con, _, _ = refreshed
    by_year = dict(con.execute("select year, alliance_partners_defense from mart_country_year "
                               "where iso3 = 'UZB' and year between 1992 and 2018").fetchall())
    assert by_year[1992] == 5
    assert {by_year[year] for year in range(1993, 2010)} == {8}
    assert {by_year[year] for year in range(2010, 2019)} == {7}


def test_exercise_participations_recount_the_raw_file(refreshed):
    con, _, _ = refreshed
    # SOURCES.md 6b: Uzbekistan 57 participations, Kazakhstan 113, Kyrgyzstan 92,
    # Tajikistan 77, Turkmenistan 1.
    counts = dict(con.execute("select iso3, sum(exercises) from mart_country_year "
                              "where iso3 in ('UZB', 'KAZ', 'KGZ', 'TJK', 'TKM') group by iso3"
                              ).fetchall())
    assert counts == {"UZB": 57, "KAZ": 113, "KGZ": 92, "TJK": 77, "TKM": 1}
    raw_valid = duckdb.connect().execute(
        "select count(*) from read_csv($p) where ccode is not null "
        "and not dup_ccode_in_exercise", {"p": str(RAW / "mme/mme_v7_participants_long.csv")}
    ).fetchall()[0][0]
    not_members = scalar(con, "select count(*) from mart_quarantine "
                              "where source_id = 'mme' and rule = 'not_system_member'")
    assert scalar(con, "select sum(exercises) from mart_country_year") == raw_valid - not_members


def test_peacekeeping_recounts_the_monthly_totals(refreshed):
    con, _, _ = refreshed
    raw = duckdb.connect().execute(
        "select count(*), sum(coalesce(troops, 0) + coalesce(police, 0) + coalesce(experts, 0))"
        " from read_csv($p)", {"p": str(RAW / "ipi_peacekeeping/ipi_pko_contributor_month.csv")}
    ).fetchall()[0]
    months = con.execute(
        "select sum(pko_months_contributing), "
        "sum(pko_personnel_mean * case year when 1990 then 2 when 2014 then 3 else 12 end) "
        "from mart_country_year").fetchall()[0]
    assert months[0] == raw[0]
    # Means are rounded to 2 decimals: allow that rounding on each country-year.
    assert abs(months[1] - raw[1]) < 0.006 * 12 * scalar(
        con, "select count(*) from mart_country_year where pko_months_contributing > 0")
    assert scalar(con, "select max(pko_personnel_peak) from mart_country_year "
                       "where iso3 = 'KGZ' and year = 2014") == 26


def test_no_value_outside_coverage_and_no_zero_fill(refreshed):
    con, _, _ = refreshed
    assert scalar(con, "select count(*) from mart_country_year where year > 2010 "
                       "and exercises is not null") == 0
    assert scalar(con, "select count(*) from mart_country_year where year > 2014 "
                       "and (igo_full is not null or pko_personnel_mean is not null)") == 0
    assert scalar(con, "select count(*) from mart_dyad_year where year > 2014 "
                       "and joint_igo_full is not null") == 0


def test_report_is_offline_and_carries_one_plotly(refreshed):
    _, summary, out = refreshed
    from pathlib import Path

    html = Path(summary["report"]).read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=[\"']https?:", html)
    assert html.count("plotly.js v") == 1 or html.count("* plotly.js") == 1
    assert "Central Asia" in html and "Correlates of War" in html
    assert 'href="validation/index.html"' in html
    suites = json.loads((out / "marts" / "manifest.json").read_text())["gate"]["suites"]
    assert len(suites) >= 16
    assert f"({len(suites)} suites, " in html


def test_new_sources_reach_the_marts_and_stay_null_outside_their_years(refreshed):
    con, _, _ = refreshed
    # The frame runs to the last year any source covers (2024 with these sources).
    assert scalar(con, "select max(year) from mart_country_year") == scalar(
        con, "select max(last_year) from mart_source_coverage")
    assert scalar(con, "select count(*) from mart_country_year where (year < 1994 or year > 2024)"
                       " and pko_missions is not null") == 0
    assert scalar(con, "select count(*) from mart_country_year where year < 1950 "
                       "and us_troops_hosted is not null") == 0
    assert scalar(con, "select count(*) from mart_dyad_year where year > 2019 "
                       "and unga_votes_both is not null") == 0
    # PROVENANCE.md: USA 2024 idealpointfp 2.21, Russia -0.60, China -0.85.
    points = dict(con.execute("select iso3, round(unga_ideal_point, 2) from mart_country_year "
                              "where year = 2024 and iso3 in ('USA', 'RUS', 'CHN')").fetchall())
    assert points == {"USA": 2.21, "RUS": -0.6, "CHN": -0.85}
    # SOURCES.md section 9: Uzbekistan 2013 16; Kyrgyzstan (Manas) 2011 12,135.
    assert con.execute("select iso3, us_troops_hosted from mart_country_year where "
                       "(iso3 = 'UZB' and year = 2013) or (iso3 = 'KGZ' and year = 2011) "
                       "order by iso3").fetchall() == [("KGZ", 12_135), ("UZB", 16)]


def test_peacekeeping_estimates_recount_the_geo_pko_file(refreshed):
    con, _, _ = refreshed
    import csv

    with (RAW / "geo_pko_v23/TCCMap_v.2.3.csv").open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    non_states = ("Un", "CARICOM", "TCC name unknown", "Multinational")
    # Every '(figure)' closing an entry, minus the entries of non-state contributors.
    troops = sum(int(figure) for r in records
                 for name, figure in re.findall(r"([^,]+?) \(([^()]*)\)(?=,|$)",
                                                r["year.overview"].strip())
                 if figure.isdigit() and name.strip() not in non_states)
    assert scalar(con, "select sum(pko_troops_estimated) from mart_country_year") == troops
    assert scalar(con, "select sum(troops_estimated) from mart_pko_deployments") == troops
