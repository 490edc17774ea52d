"""Atomic publish: readers see a whole release, failures leave the last one untouched."""

from __future__ import annotations

import json
import os

import duckdb
import pytest

from pipelines import refresh
from pipelines.errors import InputFileError, ModelCheckError
from pipelines.lock import writer_lock
from tests.fixture_data import write_raw
from tests.helpers import build_work_db, publish, published_bytes


def test_publish_swaps_stable_names_to_the_new_release(project):
    first = publish(project)
    marts = project.marts_dir
    assert os.readlink(marts / "coop.duckdb") == "current/coop.duckdb"
    assert os.readlink(marts / "current") == f"releases/{os.path.basename(first['release'])}"
    second = publish(project)
    assert os.readlink(marts / "current") == f"releases/{os.path.basename(second['release'])}"
    con = duckdb.connect(str(marts / "coop.duckdb"), read_only=True)
    assert con.execute("select count(*) from mart_country_year").fetchone()[0] > 0
    con.close()
    parquet = str(marts / "mart_dyad_year.parquet")
    assert duckdb.connect().execute("select count(*) from read_parquet($p)", {"p": parquet}
                                    ).fetchall()[0][0] > 0
    manifest = json.loads((marts / "manifest.json").read_text())
    assert manifest["run_id"] == os.path.basename(second["release"])
    assert set(manifest["marts"]) == {
        "mart_countries", "mart_country_year", "mart_dyad_year", "mart_non_state_participants",
        "mart_quarantine", "mart_source_coverage", "mart_cooperation_index", "mart_partnership",
        "mart_multivector", "mart_network", "mart_index_uncertainty", "mart_register_facts",
        "mart_index_weights", "mart_corrections", "mart_arms_transfers",
        "mart_arms_non_state_transfers", "mart_arms_tiv_agreement", "mart_pko_deployments",
        "mart_index_inputs", "mart_unga_alignment"}
    assert manifest["raw_checksums"]["ipi/contributor_month.csv"]


def test_a_reader_of_the_old_release_keeps_reading_through_a_swap(project):
    publish(project)
    reader = duckdb.connect(str(project.published_db), read_only=True)
    before = reader.execute("select count(*) from mart_dyad_year").fetchone()
    publish(project)
    publish(project)
    assert reader.execute("select count(*) from mart_dyad_year").fetchone() == before
    reader.close()


def test_old_releases_are_pruned_but_never_the_current_one(project):
    for _ in range(project.releases_to_keep + 2):
        last = publish(project)
    releases = sorted(path.name for path in project.releases_dir.iterdir())
    assert len(releases) == project.releases_to_keep
    assert os.path.basename(last["release"]) == releases[-1]


def test_identical_inputs_give_identical_content_checksums(project):
    first = publish(project)["marts"]
    second = publish(project)["marts"]
    assert {k: v["content_checksum"] for k, v in first.items()} == {
        k: v["content_checksum"] for k, v in second.items()}


def test_failed_checks_publish_nothing(project, tmp_path, monkeypatch):
    publish(project)
    before = published_bytes(project)
    # A copy of the SQL whose country-year mart repeats its key.
    import shutil

    sql_copy = tmp_path / "sql_copy"
    shutil.copytree(project.sql_dir, sql_copy)
    mart = sql_copy / "marts" / "mart_country_year.sql"
    mart.write_text(mart.read_text().replace("select * from final\norder by ccode, year",
                                             "select * from final union all "
                                             "select * from final"))
    monkeypatch.setenv("COOP_SQL_DIR", str(sql_copy))
    from pipelines.settings import get_settings

    with pytest.raises(ModelCheckError, match="mart_country_year: unique key"):
        build_work_db(get_settings())
    assert published_bytes(project) == before


def test_bad_input_file_publishes_nothing(project):
    publish(project)
    before = published_bytes(project)
    write_raw(project.raw_dir, overrides={"igo_list": ""})
    with pytest.raises(InputFileError, match="empty file"):
        build_work_db(project)
    assert published_bytes(project) == before


def test_leftovers_of_a_killed_run_are_cleared_by_the_next(project):
    publish(project)
    stale = project.build_dir / "20000101T000000000000Z"
    (stale / "release").mkdir(parents=True)
    (stale / "work.duckdb").write_bytes(b"half-written")
    (project.marts_dir / ".current.tmp-12345").symlink_to("releases/nowhere")
    run = refresh.new_run(project)
    assert not stale.exists()
    assert not (project.marts_dir / ".current.tmp-12345").is_symlink()
    assert run.build_dir.is_dir()


def test_a_second_writer_is_refused_while_the_lock_is_held(project):
    import subprocess
    import sys

    from pipelines.settings import PROJECT_ROOT

    probe = ("import sys; from pathlib import Path; from pipelines.lock import writer_lock\n"
             "with writer_lock(Path(sys.argv[1])): pass\n")
    with writer_lock(project.lock_file):  # another process is refused while it is held
        other = subprocess.run([sys.executable, "-c", probe, str(project.lock_file)],
                               cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
        assert other.returncode == 1
        assert f"another refresh is running (pid {os.getpid()}" in other.stderr
    with writer_lock(project.lock_file):  # released: free again
        pass
