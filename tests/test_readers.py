"""Analysts keep querying while refreshes publish: every read sees a whole release."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb

from pipelines.settings import PROJECT_ROOT
from tests.fixture_data import IPI, SPEC_BY_TABLE, csv_text, write_raw
from tests.helpers import publish

READERS = ["cli", "cli", "duckdb", "duckdb", "parquet", "parquet"]
PUBLISHES = 4


def quarantined(settings) -> int:
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        return con.execute("select count(*) from mart_quarantine").fetchall()[0][0]
    finally:
        con.close()


def test_parallel_readers_see_the_old_or_the_new_release_and_never_fail(project, tmp_path):
    columns = SPEC_BY_TABLE["raw_ipi__contributor_month"].columns
    # Version B has one more bad row than version A, so each release is recognisable.
    version_b = csv_text(columns, [*IPI, ("2001-01-31", "Nowhere", "ZZZ", "", 1, "", "")])
    publish(project)
    count_a = quarantined(project)

    stop = tmp_path / "stop"
    probes = []
    for index, mode in enumerate(READERS):
        out = tmp_path / f"reader-{index}.json"
        probe = subprocess.Popen(
            [sys.executable, str(PROJECT_ROOT / "tests" / "reader_probe.py"), mode,
             str(project.marts_dir), str(stop), str(out)],
            cwd=PROJECT_ROOT, env=os.environ.copy())
        probes.append((probe, out))

    for turn in range(PUBLISHES):
        write_raw(project.raw_dir, overrides={"contributor_month": version_b}
                  if turn % 2 == 0 else None)
        publish(project)
    count_b = count_a + 1
    stop.touch()

    seen, errors = [], []
    for probe, out in probes:
        assert probe.wait(timeout=120) == 0
        result = json.loads(out.read_text())
        seen.extend(result["seen"])
        errors.extend(result["errors"])
    assert errors == []
    assert set(seen) <= {count_a, count_b}
    assert len(seen) >= len(READERS)
