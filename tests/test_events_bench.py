"""The event bench's parts on a tiny SYNTHETIC volume (no timing is asserted)."""

from __future__ import annotations

import duckdb

from pipelines.events.bench import (
    FAMILIES,
    _exponents,
    _tree_bytes,
    generate_events,
    run_duckdb,
)


def test_synthetic_events_cover_ten_years_and_known_families(tmp_path):
    data = generate_events(tmp_path, 5000)
    got = duckdb.sql(f"""select count(*), count(distinct year), min(year), max(year),
                                bool_and(family in {tuple(FAMILIES)}),
                                bool_and(year(event_date) = year)
                         from read_parquet('{data}/*/*.parquet', hive_partitioning = true)
                      """).fetchall()
    assert got == [(5000, 10, 2015, 2024, True, True)]
    assert generate_events(tmp_path, 5000) == data  # cached


def test_duckdb_run_builds_the_real_dyad_mart_with_annual_counts(tmp_path):
    data = generate_events(tmp_path, 2000)
    result = run_duckdb(data, "500MB", tmp_path)
    con = duckdb.connect(str(tmp_path / "bench.duckdb"))
    # the synthetic years are declared fully covered, so annual counts equal observed ones
    assert con.execute("select count(*), bool_and(full_year), bool_and(events = events_observed)"
                       " from mart").fetchall() == [(result["mart_rows"], True, True)]
    directed_state_events = duckdb.sql(f"""
        select count(*) from read_parquet('{data}/*/*.parquet', hive_partitioning = true)
        where actor1_kind = 'state' and actor1_ccode <> actor2_ccode""").fetchall()[0][0]
    assert con.execute("select sum(events) from mart where dyad_type = 'directed'"
                       ).fetchall()[0][0] == directed_state_events


def test_growth_exponent_is_the_log_log_slope():
    assert _exponents([(10, 1.0), (100, 10.0), (1000, 1000.0)]) == ["–", "1.00", "2.00"]


def test_spill_size_sums_the_files_under_the_directory_and_is_zero_before_it_exists(tmp_path):
    assert _tree_bytes(tmp_path / "spill") == 0
    assert _tree_bytes(None) == 0
    (tmp_path / "spill" / "sub").mkdir(parents=True)
    (tmp_path / "spill" / "a.block").write_bytes(b"x" * 1000)
    (tmp_path / "spill" / "sub" / "b.block").write_bytes(b"y" * 24)
    assert _tree_bytes(tmp_path / "spill") == 1024
