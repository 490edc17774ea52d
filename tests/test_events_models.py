"""Event models on DuckDB: SYNTHETIC fixture rows in (tests/events_fixture.py), hand-counted
rows out; then the real samples, which must never read as annual counts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.events.engine import build_duckdb, event_models, load_inputs
from pipelines.events.ingest import convert_samples
from pipelines.models import run_checks
from pipelines.settings import get_settings
from tests.events_fixture import build_fixture_lake

UZB, RUS, KAZ = 704, 365, 705


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    base = tmp_path_factory.mktemp("events")
    build_fixture_lake(base / "files", base / "lake")
    con = duckdb.connect()
    load_inputs(con, get_settings(), base / "lake")
    build_duckdb(con, get_settings())
    return con


def rows(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def test_reports_of_one_event_collapse_and_a_repeated_id_counts_once(fixture_db):
    got = rows(fixture_db, """
        select records, reports, sources, goldstein from int_events_collapsed
        where source_id = 'gdelt' and event_date = date '2019-03-01' and actor1_key = 'UZB'
          and actor2_key = 'RUS' and event_code = '042'""")
    # rows 1 and 2 (mentions 2 + 3, sources 1 + 2); row 3 repeats GLOBALEVENTID 1: dropped
    assert got == [(2, 5, 3, pytest.approx(1.9))]
    assert rows(fixture_db, "select count(*) from int_events_collapsed where source_id = 'gdelt'"
                ) == [(6,)]  # 8 accepted records - 1 repeated id - 1 collapsed report


def test_directed_and_undirected_dyad_year_by_family(fixture_db):
    got = rows(fixture_db, """
        select dyad_type, ccode_a, ccode_b, family, events_observed, event_days_observed,
               records_observed, reports_observed, sources_observed, mean_goldstein
        from mart_event_dyad_year where source_id = 'gdelt' and year = 2019
        order by dyad_type, ccode_a, family""")
    assert got == [
        ("directed", RUS, UZB, "military_cooperation", 1, 1, 1, 4, 2, pytest.approx(6.0)),
        # 042 on 03-01 (2 records) and 043 on 02-28: 2 events on 2 days, mean (1.9+2.8)/2
        ("directed", UZB, RUS, "consultations_visits", 2, 2, 3, 6, 4, pytest.approx(2.35)),
        ("undirected", RUS, UZB, "consultations_visits", 2, 2, 3, 6, 4, pytest.approx(2.35)),
        ("undirected", RUS, UZB, "military_cooperation", 1, 1, 1, 4, 2, pytest.approx(6.0)),
    ]


def test_icews_names_resolve_to_cow_and_no_country_is_kept_apart(fixture_db):
    got = rows(fixture_db, """
        select ccode_a, ccode_b, family, events_observed, records_observed
        from mart_event_dyad_year where source_id = 'icews' and dyad_type = 'directed'
        order by ccode_a""")
    assert got == [(RUS, UZB, "military_aid", 1, 1), (UZB, RUS, "consultations_visits", 1, 2)]
    kinds = rows(fixture_db, """
        select source_id, family, actor1_kind, actor2_kind, events_observed
        from mart_event_actor_kinds where actor1_kind <> 'state' or actor2_kind <> 'state'
        order by source_id, family""")
    assert kinds == [
        ("gdelt", "formal_agreement", "region", "state", 1),
        ("gdelt", "intent_military_cooperation", "state", "none", 1),
        ("icews", "fight", "none", "state", 1),
    ]


def test_bad_rows_are_quarantined_with_file_row_and_reason(fixture_db):
    assert rows(fixture_db, """select source_id, source_file, row_number, reject_reason
                               from mart_event_quarantine order by source_id""") == [
        ("gdelt", "20190301120000.export.CSV", 8, "sql_date is not a date (YYYYMMDD)"),
        ("icews", "events.fixture.tab", 5, "event_id is not a whole number"),
    ]


def test_minutes_and_days_never_read_as_annual_counts(fixture_db):
    coverage = rows(fixture_db, """select source_id, year, covered_seconds, full_year
                                   from mart_event_coverage order by source_id""")
    assert coverage == [("gdelt", 2019, 15 * 60, False), ("icews", 2019, 2 * 86400, False)]
    # every annual column is NULL; the 2018 event (reported in a 2019 window) has 0 coverage
    assert rows(fixture_db, """select count(*) from mart_event_dyad_year
                               where events is not null or event_days is not null
                                  or reports is not null or sources is not null""") == [(0,)]
    assert rows(fixture_db, """select coverage_days, full_year, events from mart_event_dyad_year
                               where year = 2018 and dyad_type = 'directed'""") == [
        (0, False, None)]
    country = rows(fixture_db, """select events_sent_observed, events_received_observed,
                                         events_sent, partners_observed
                                  from mart_event_country_year where source_id = 'icews'
                                    and ccode = 704 and family = 'fight'""")
    assert country == [(0, 1, None, 0)]


def test_a_fully_covered_year_gets_annual_counts(tmp_path):
    """Coverage rows adding up to all of 2019 make full_year true and fill the annual columns."""
    build_fixture_lake(tmp_path / "files", tmp_path / "lake")
    con = duckdb.connect()
    load_inputs(con, get_settings(), tmp_path / "lake")
    con.execute("delete from raw_events__coverage where source_id = 'icews'")
    con.execute("""insert into raw_events__coverage values ('icews', 'whole-year.tab', 'x', 2019,
                   timestamp '2019-01-01', timestamp '2020-01-01', 365 * 86400, 5)""")
    build_duckdb(con, get_settings())
    assert rows(con, """select full_year, coverage_days, events, reports
                        from mart_event_dyad_year where source_id = 'icews'
                          and dyad_type = 'directed' and ccode_a = 704""") == [
        (True, 365.0, 1, 2)]


def test_real_samples_build_pass_their_checks_and_stay_non_annual(tmp_path):
    settings = get_settings()
    con = duckdb.connect()
    converted = convert_samples(con, settings.events_raw_dir, tmp_path / "lake")
    assert {(c.source_id, c.rows) for c in converted} == {("gdelt", 2111), ("icews", 3705)}
    load_inputs(con, settings, tmp_path / "lake")
    build_duckdb(con, settings)
    run_checks(con, event_models(settings))
    assert rows(con, "select source_id, sum(records) from int_events_collapsed group by 1 "
                     "order by 1") == [("gdelt", 2111), ("icews", 3705)]
    assert rows(con, "select count(*) from mart_event_quarantine") == [(0,)]
    assert rows(con, "select count(*) from mart_event_dyad_year where full_year "
                     "or events is not null") == [(0,)]
    assert rows(con, "select source_id, year, coverage_days from mart_event_coverage "
                     "order by 1") == [("gdelt", 2019, 900 / 86400), ("icews", 2018, 2.0)]


def test_lake_files_keep_lineage(tmp_path):
    con = duckdb.connect()
    convert_samples(con, get_settings().events_raw_dir, tmp_path / "lake")
    got = con.execute(f"""select _source_file, _file_sha256, min(_row_number), max(_row_number),
                                 count(*)
                          from read_parquet('{tmp_path}/lake/gdelt/*/*.parquet') group by all
                       """).fetchall()
    assert got == [("20191024143000.export.CSV",
                    "7668cd01394a02c03ecb2de6060db17a931396f919351ca8cfbe70f6d61e0cdc",
                    1, 2111, 2111)]
    assert sorted(p.parent.name for p in Path(tmp_path / "lake" / "icews").rglob("*.parquet")
                  ) == ["date=2018-06-01", "date=2018-06-02"]


def test_event_manifest_lists_every_event_file_with_exact_coverage():
    from datetime import datetime

    from pipelines.raw_manifest import read_manifest, verify_file

    settings = get_settings()
    sources = read_manifest(settings.events_raw_dir / "sources.toml")
    listed = {f.path.resolve() for s in sources.values() for f in s.files}
    on_disk = {p.resolve() for p in settings.events_raw_dir.rglob("*")
               if p.is_file() and p.name != "sources.toml"}
    assert listed == on_disk
    for source in sources.values():
        for key in ("origin", "licence", "code_system", "format"):
            assert source.meta[key]
        for raw_file in source.files:
            verify_file(raw_file)
    import tomllib

    document = tomllib.loads((settings.events_raw_dir / "sources.toml").read_text())
    windows = {f["name"]: (datetime.fromisoformat(f["covered_from"]),
                           datetime.fromisoformat(f["covered_to"]))
               for s in document["sources"].values() for f in s["files"]}
    assert windows["export_20191024143000"] == (datetime(2019, 10, 24, 14, 30),
                                                datetime(2019, 10, 24, 14, 45))
    assert windows["events_2018_sample"] == (datetime(2018, 6, 1), datetime(2018, 6, 3))


def test_dyad_days_pool_both_directions_and_goldstein_means_skip_nulls():
    """The two-stage aggregation (day rows, then counted) on hand-made resolved events: a day
    with events both ways counts once in the undirected row; NULL Goldstein scores are left out
    of the mean (NULL when none); the role comes with the family; non-state pairs are out."""
    con = duckdb.connect()
    con.execute("""create table int_events_resolved as select * from (values
        ('x', 'state', 'state', 2, 20, 2019, 'fight', 'conflict', date '2019-01-01', 1, 2, 1, 1.0),
        ('x', 'state', 'state', 2, 20, 2019, 'fight', 'conflict', date '2019-01-01', 2, 1, 1, 3.0),
        ('x', 'state', 'state', 20, 2, 2019, 'fight', 'conflict', date '2019-01-01', 1, 1, 1, null),
        ('x', 'state', 'state', 20, 2, 2019, 'fight', 'conflict', date '2019-01-05', 1, 1, 1, 5.0),
        ('x', 'state', 'state', 2, 20, 2019, 'military_aid', 'cooperation',
         date '2019-01-01', 1, 1, 1, null),
        ('x', 'state', 'none', 2, null, 2019, 'fight', 'conflict', date '2019-01-02', 1, 1, 1, 9.0),
        ('x', 'state', 'state', 2, 2, 2019, 'fight', 'conflict', date '2019-01-03', 1, 1, 1, 9.0)
        ) as t(source_id, actor1_kind, actor2_kind, actor1_ccode, actor2_ccode, year, family,
               family_role, event_date, records, reports, sources, goldstein)""")
    con.execute("""create table int_event_coverage_years as
                   select 'x' as source_id, 2019 as year, 365 as coverage_days,
                          true as full_year""")
    sql = (get_settings().sql_dir / "events" / "marts" / "mart_event_dyad_year.sql").read_text()
    got = rows(con, f"""
        select dyad_type, ccode_a, ccode_b, family, family_role, events_observed,
               event_days_observed, records_observed, reports_observed, sources_observed,
               mean_goldstein, events, event_days
        from ({sql}) order by dyad_type, ccode_a, family""")
    assert got == [
        # 2 -> 20 fight: two events on 01-01, Goldstein (1 + 3) / 2
        ("directed", 2, 20, "fight", "conflict", 2, 1, 3, 3, 2, pytest.approx(2.0), 2, 1),
        ("directed", 2, 20, "military_aid", "cooperation", 1, 1, 1, 1, 1, None, 1, 1),
        # 20 -> 2 fight: 01-01 (no score) and 01-05 (5.0)
        ("directed", 20, 2, "fight", "conflict", 2, 2, 2, 2, 2, pytest.approx(5.0), 2, 2),
        # both ways: 4 events on 2 distinct days (01-01 both ways, 01-05), (1 + 3 + 5) / 3
        ("undirected", 2, 20, "fight", "conflict", 4, 2, 5, 5, 4, pytest.approx(3.0), 4, 2),
        ("undirected", 2, 20, "military_aid", "cooperation", 1, 1, 1, 1, 1, None, 1, 1),
    ]
