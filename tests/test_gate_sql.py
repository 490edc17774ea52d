"""Large suites are checked inside DuckDB with the verdicts Great Expectations gives.

Each test runs the same suite twice over the same rows, once through GX (pandas) and once in
DuckDB (`sql_rows=0`), and checks the counts worked out by hand; the project test lowers the
threshold so every source suite of the fixture runs in DuckDB, and a bad value written into
the accepted rows still stops the gate.
"""

from __future__ import annotations

import duckdb
import great_expectations as gx
import pytest

from pipelines import gate_sql, refresh
from pipelines.settings import get_settings
from pipelines.validation import Suite, ValidationError, run_suites
from tests.helpers import build_to_gate, build_work_db

E = gx.expectations

ROWS = """
select * from (values
    (1, 2000, 'a', 1,    true),
    (2, 2001, 'b', 2,    true),
    (2, 2001, 'b', 3,    true),
    (3, 1990, 'c', null, false),
    (4, null, null, 9,   true),
    (5, 2030, 'e', -9,   null)
) as t(ccode, year, name, status, member)
"""


def expectations() -> list:
    return [
        E.ExpectColumnValuesToNotBeNull(column="year"),                       # row 5: 1
        E.ExpectColumnValuesToBeBetween(column="year", min_value=1995,
                                        max_value=2020),                     # 1990, 2030: 2
        E.ExpectColumnValuesToBeInSet(column="status", value_set=[1, 2, 3, -9]),  # 9: 1
        E.ExpectColumnValuesToBeInSet(column="member", value_set=[True]),     # false: 1
        E.ExpectColumnValuesToBeUnique(column="ccode"),                       # two 2s: 2
        E.ExpectCompoundColumnsToBeUnique(column_list=["ccode", "year", "name"]),  # 2
        E.ExpectCompoundColumnsToBeUnique(column_list=["ccode", "status"]),   # none: 0
        E.ExpectTableRowCountToBeBetween(min_value=10, max_value=20),         # 6 rows
        E.ExpectColumnValuesToBeBetween(column="ccode", min_value=1),         # none: 0
    ]


def test_duckdb_counts_what_great_expectations_counts(tmp_path):
    con = duckdb.connect()
    con.execute(f"create table t as {ROWS}")
    rows, outcomes = gate_sql.evaluate(con, "select * from t", expectations())
    assert rows == 6
    assert [o.unexpected_count for o in outcomes] == [1, 2, 1, 1, 2, 2, 0, None, 0]
    assert [o.success for o in outcomes] == [False] * 6 + [True, False, True]
    assert outcomes[7].observed == 6
    assert sorted(outcomes[1].examples) == [1990, 2030]
    assert outcomes[4].examples == [2]
    assert outcomes[5].examples == [{"ccode": 2, "year": 2001, "name": "b"}]

    # Fresh expectation objects for each run (GX gives the ones it runs an id).
    by_gx = run_suites(con, [Suite("s", "select * from t", expectations())], tmp_path / "gx",
                       0.2)
    in_sql = run_suites(con, [Suite("s", "select * from t", expectations())],
                        tmp_path / "sql", 0.2, sql_rows=0)
    assert in_sql.suites["s"]["engine"] == "duckdb"
    assert "engine" not in by_gx.suites["s"]
    for key in ("rows", "expectations", "failed", "fingerprint"):
        assert in_sql.suites["s"][key] == by_gx.suites["s"][key], key
    assert in_sql.suites["s"]["failed"] == 7

    def counted(failures: list[str]) -> list[str]:
        # Expectation and count; the examples' order and formatting may differ.
        return sorted(f.split(", e.g.")[0].split(": observed")[0] for f in failures)

    assert counted(in_sql.failures) == counted(by_gx.failures)


def test_a_suite_at_or_under_the_threshold_stays_in_great_expectations(tmp_path):
    con = duckdb.connect()
    con.execute(f"create table t as {ROWS}")
    def suite():
        return Suite("s", "select * from t", [E.ExpectColumnValuesToBeUnique(column="name")])

    by_gx = run_suites(con, [suite()], tmp_path / "a", 0.2, sql_rows=6).suites["s"]
    assert "engine" not in by_gx and by_gx["failed"] == 1  # 'b' twice
    assert run_suites(con, [suite()], tmp_path / "b", 0.2, sql_rows=5).suites["s"] == {
        "rows": 6, "expectations": 1, "failed": 1, "engine": "duckdb",
        "fingerprint": by_gx["fingerprint"],
    }


def _page_text(path) -> str:
    import html
    import re

    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", path.read_text(), flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


def test_suites_checked_in_duckdb_have_data_docs_pages_like_great_expectations_runs(tmp_path):
    """GX keeps the Data Docs: a suite checked in DuckDB gets its expectation-suite page and a
    validation page with GX's statistics and each expectation's unexpected share."""
    con = duckdb.connect()
    con.execute(f"create table t as {ROWS}")
    suites = [Suite("good", "select * from t where ccode = 1",
                    [E.ExpectColumnValuesToNotBeNull(column="year")]),
              Suite("bad", "select * from t", expectations())]
    result = run_suites(con, suites, tmp_path / "docs", 0.2, sql_rows=0)
    assert [result.suites[n]["engine"] for n in ("good", "bad")] == ["duckdb", "duckdb"]
    docs = tmp_path / "docs"
    assert (docs / "expectations" / "good.html").is_file()
    assert (docs / "expectations" / "bad.html").is_file()
    good = _page_text(next((docs / "validations" / "good").rglob("coop-good.html")))
    bad = _page_text(next((docs / "validations" / "bad").rglob("coop-bad.html")))
    assert "Status: Succeeded" in good and "Evaluated Expectations 1" in good
    # 9 expectations, 7 unmet (worked out in test_duckdb_counts_what_great_expectations_counts)
    assert "Status: Failed" in bad
    assert "Evaluated Expectations 9" in bad and "Unsuccessful Expectations 7" in bad
    # ExpectColumnValuesToBeBetween(year): 2 of 6 rows (1990, 2030) -> about 33.333% unexpected
    assert "≈33.333% unexpected" in bad
    assert "1990" in bad and "2030" in bad
    index = (docs / "index.html").read_text()
    assert "good" in index and "bad" in index


def test_untranslated_expectations_are_left_to_great_expectations():
    assert gate_sql.supported(expectations())
    assert not gate_sql.supported([E.ExpectColumnValuesToNotBeNull(column="x", mostly=0.9)])
    assert not gate_sql.supported([E.ExpectColumnValuesToBeBetween(column="x", min_value=1,
                                                                   strict_min=True)])
    assert not gate_sql.supported([E.ExpectColumnValuesToMatchRegex(column="x", regex="a")])


def test_the_threshold_comes_from_the_environment(project, monkeypatch):
    from pipelines.errors import CoopError
    from pipelines.settings import DEFAULT_GATE_SQL_ROWS

    assert project.gate_sql_rows == DEFAULT_GATE_SQL_ROWS
    monkeypatch.setenv("COOP_GATE_SQL_ROWS", "250")
    assert get_settings().gate_sql_rows == 250
    monkeypatch.setenv("COOP_GATE_SQL_ROWS", "many")
    with pytest.raises(CoopError, match="COOP_GATE_SQL_ROWS"):
        get_settings()


def test_sources_checked_in_duckdb_pass_and_a_bad_value_still_stops_the_gate(
        project, monkeypatch):
    monkeypatch.setenv("COOP_GATE_SQL_ROWS", "0")
    settings = get_settings()
    assert settings.gate_sql_rows == 0
    run, summary = build_work_db(settings)
    suites = summary["gate"]["suites"]
    sources = {n: s for n, s in suites.items() if n.startswith("source_")}
    # Every source suite with rows (the fixture has no register facts) ran in DuckDB.
    assert sources["source_cow_igo"]["rows"] > 0
    assert all(s["failed"] == 0 and (s.get("engine") == "duckdb") == (s["rows"] > 0)
               for s in sources.values()), sources

    run, _ = build_to_gate(settings)
    # A status code no COW IGO membership can have, on one accepted row: the source suite
    # (now evaluated in DuckDB) must name it.
    con = duckdb.connect(str(run.work_db))
    con.execute("update int_cow_igo_memberships_checked set status = 7 "
                "where rowid = (select min(rowid) from int_cow_igo_memberships_checked "
                "where reject is null)")
    con.close()
    with pytest.raises(ValidationError, match=r"source_cow_igo: expect_column_values_to_be_in"
                                              r"_set .*'status'.*: 1 unexpected row\(s\), "
                                              r"e\.g\. \[7\]"):
        refresh.stage_gate(settings, run)


def test_a_suite_larger_than_the_memory_cap_is_checked_by_spilling(tmp_path):
    # 2,000,001 rows under a 64 MiB cap: key i once each, except key 42 twice; status
    # i % 3 + 1 except one row with status 7. Expected: 2 rows in the duplicated key, 1 bad
    # status, 2,000,001 rows.
    con = duckdb.connect(config={"memory_limit": "64MiB",
                                 "temp_directory": str(tmp_path / "spill"),
                                 "preserve_insertion_order": False})
    con.execute("create table big as select i as k, 'name-' || i as label, "
                "case when i = 1999 then 7 else i % 3 + 1 end as status "
                "from range(2000000) as r(i) union all select 42, 'again', 1")
    rows, outcomes = gate_sql.evaluate(con, "select * from big", [
        E.ExpectColumnValuesToBeUnique(column="k"),
        E.ExpectCompoundColumnsToBeUnique(column_list=["k", "label"]),
        E.ExpectColumnValuesToBeInSet(column="status", value_set=[1, 2, 3]),
    ])
    assert rows == 2_000_001
    assert [o.unexpected_count for o in outcomes] == [2, 0, 1]
    assert outcomes[0].examples == [42] and outcomes[2].examples == [7]
