"""A refresh killed at any stage, or fed a bad file, never damages what was published.

Each kill test runs the real `coop refresh` (Prefect flow) in its own process group, pauses it
at a named point (pipelines/faults.py), SIGKILLs the whole group there, then checks the
published marts and that the next refresh succeeds with no clean-up by hand.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import PROJECT_ROOT
from tests.fixture_data import write_raw
from tests.helpers import publish, published_bytes

# --full: the fixture is already published, so a plain refresh would be a no-op.
REFRESH = [sys.executable, "-c", "from pipelines.cli import main; main()", "refresh", "--full"]


@pytest.fixture(scope="module")
def prefect_api():
    """One Prefect server for the module's refreshes, instead of one start-up per process."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_URL.value()


def run_refresh(env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(REFRESH, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.mark.parametrize("stage", ["load", "validate", "build", "indices", "gate", "publish",
                                   "report"])
def test_sigkill_at_any_stage_leaves_the_last_good_marts(project, prefect_api, tmp_path, stage):
    publish(project)
    before = published_bytes(project)
    marker = tmp_path / "paused"
    env = {**os.environ, "PREFECT_API_URL": prefect_api, "COOP_FAULT_PAUSE": stage,
           "COOP_FAULT_MARKER": str(marker)}
    process = subprocess.Popen(REFRESH, cwd=PROJECT_ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while not marker.exists():
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, f"refresh never reached {stage}"
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    after = published_bytes(project)
    if stage == "report":
        # Killed after the swap: the new release is whole and (same raw/) has equal content.
        assert set(after) == set(before)
    else:
        assert after == before
    con = duckdb.connect(str(project.published_db), read_only=True)
    assert con.execute("select count(*) from mart_country_year").fetchall()[0][0] > 0
    con.close()

    env.pop("COOP_FAULT_PAUSE")
    result = run_refresh(env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [p.name for p in project.build_dir.iterdir()] == []
    assert not list(project.marts_dir.glob(".*.tmp-*"))


def test_bad_input_via_the_cli_is_a_clear_message_without_traceback(project, prefect_api):
    publish(project)
    before = published_bytes(project)
    path = project.raw_dir / "ipi" / "contributor_month.csv"
    path.write_text(path.read_text().replace("troops", "soldiers", 1))
    result = run_refresh({**os.environ, "PREFECT_API_URL": prefect_api})
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "contributor_month.csv: checksum mismatch" in output
    assert "Traceback" not in output
    assert published_bytes(project) == before


def test_a_gate_failure_lists_the_expectations_and_publishes_nothing(project, prefect_api):
    publish(project)
    before = published_bytes(project)
    # Half the IGO rows disappear: every row is valid, but the row count falls outside the
    # tolerance of the last good run, so the gate stops the refresh.
    from tests.fixture_data import IGO_MEMBERSHIPS, SPEC_BY_TABLE, csv_text

    columns = SPEC_BY_TABLE["raw_cow_igo__state_year_igo"].columns
    write_raw(project.raw_dir, overrides={"state_year_igo": csv_text(columns,
                                                                     IGO_MEMBERSHIPS[:5])})
    result = run_refresh({**os.environ, "PREFECT_API_URL": prefect_api})
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "nothing was published" in output
    assert "source_cow_igo: expect_table_row_count_to_be_between" in output
    assert "Traceback" not in output
    assert published_bytes(project) == before
    assert Path(output.split("validation results: ")[1].split(")")[0]).exists()
