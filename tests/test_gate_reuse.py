"""The gate validates what a run changed and carries over the published verdict of the rest.

The fixture project is published once; later refreshes of the same inputs must carry every
suite over (Great Expectations is not run), while a changed row, bound or tolerance must make
the suites it touches run again, and a bad row is caught as before.
"""

from __future__ import annotations

import duckdb
import great_expectations as gx
import pytest

from pipelines import gate_reuse, refresh
from pipelines.publish import read_published_manifest
from pipelines.validation import ValidationError
from tests.helpers import build_to_gate, build_work_db, publish


def gate_of(settings) -> dict:
    return read_published_manifest(settings)["gate"]


def test_an_unchanged_rebuild_carries_every_suite_over(project):
    first = publish(project)
    first_run = read_published_manifest(project)["run_id"]
    suites = gate_of(project)["suites"]
    assert suites and all(info["fingerprint"] and "carried_over_from" not in info
                          and info["failed"] == 0 for info in suites.values())
    # The first release had no row-count baseline; the second adds one to the suites that
    # have one (a changed definition), so those run again and the rest are carried over.
    publish(project)
    second_run = read_published_manifest(project)["run_id"]
    second = gate_of(project)["suites"]
    rerun = {name for name, info in second.items() if "carried_over_from" not in info}
    assert rerun and rerun != set(second)

    publish(project)
    third = gate_of(project)
    assert set(third["suites"]) == set(suites)
    assert [name for name, info in third["suites"].items()
            if "carried_over_from" not in info] == []
    for name, info in third["suites"].items():
        assert info["carried_over_from"] == (second_run if name in rerun else first_run), name
        assert info["fingerprint"] == second[name]["fingerprint"]
        assert info["rows"] == suites[name]["rows"]
    assert third["seconds"]["gx_data_docs"] < 0.5  # no GX context was built
    # The carried-over suites keep the validation pages of the runs that validated them.
    docs = project.reports_dir / f".validation-{read_published_manifest(project)['run_id']}"
    assert (docs / "index.html").is_file()
    assert first["marts"].keys() == read_published_manifest(project)["marts"].keys()


def test_a_changed_tolerance_or_revalidate_runs_every_suite(project, monkeypatch):
    publish(project)
    publish(project)
    publish(project)
    assert all("carried_over_from" in info for info in gate_of(project)["suites"].values())
    monkeypatch.setenv("COOP_ROW_COUNT_TOLERANCE", "0.3")
    publish(project)
    assert not any("carried_over_from" in info for info in gate_of(project)["suites"].values())
    monkeypatch.setenv("COOP_GATE_REVALIDATE", "1")
    publish(project)
    assert not any("carried_over_from" in info for info in gate_of(project)["suites"].values())


def test_changed_rows_are_validated_again_and_a_bad_row_still_stops_the_gate(project):
    publish(project)
    publish(project)
    published = read_published_manifest(project)
    run, _ = build_to_gate(project)
    # A row the mart suite forbids (a negative count), written into the built mart: the
    # fingerprint changes, so the suite runs again and fails instead of being carried over.
    con = duckdb.connect(str(run.work_db))
    column = "alliance_partners_total"
    con.execute(f"update mart_country_year set {column} = -1 "
                f"where rowid = (select min(rowid) from mart_country_year "
                f"where {column} is not null)")
    con.close()
    with pytest.raises(ValidationError, match="mart_country_year"):
        refresh.stage_gate(project, run)
    assert read_published_manifest(project)["run_id"] == published["run_id"]


def test_the_data_digest_is_order_independent_and_sees_every_value():
    con = duckdb.connect()
    one = gate_reuse.data_digest(con, "select * from (values (1, 'a'), (2, null)) t(x, y)")
    swapped = gate_reuse.data_digest(con, "select * from (values (2, null), (1, 'a')) t(x, y)")
    changed = gate_reuse.data_digest(con, "select * from (values (1, 'a'), (2, 'b')) t(x, y)")
    doubled = gate_reuse.data_digest(
        con, "select * from (values (1, 'a'), (2, null), (2, null)) t(x, y)")
    assert one == swapped
    assert len({one, changed, doubled}) == 3


def test_the_definition_digest_sees_bounds_and_the_row_count_baseline():
    def digest(high: float, last_rows: int | None = 10, query: str = "select 1 as x") -> str:
        expectation = gx.expectations.ExpectColumnValuesToBeBetween(column="x", min_value=0,
                                                                    max_value=high)
        return gate_reuse.definition_digest("s", query, [expectation], last_rows, 0.2)

    base = digest(5)
    assert base == digest(5)
    assert len({base, digest(6), digest(5, 11), digest(5, None),
                digest(5, query="select 2 as x")}) == 5


def test_only_passed_fingerprinted_suites_are_offered_for_reuse():
    manifest = {"gate": {"suites": {
        "ok": {"failed": 0, "fingerprint": "f"},
        "old_release": {"failed": 0},
        "failed": {"failed": 1, "fingerprint": "g"},
    }}}
    assert gate_reuse.published_verdicts(manifest) == {"ok": {"failed": 0, "fingerprint": "f"}}
    assert gate_reuse.published_verdicts({}) == {}


def test_the_work_db_helper_still_publishes(project):
    # The helper every other test uses goes through the gate with nothing published yet.
    run, summary = build_work_db(project)
    assert all("carried_over_from" not in s for s in summary["gate"]["suites"].values())
