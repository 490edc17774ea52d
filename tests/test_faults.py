"""A refresh killed at any stage, or fed a bad file, never damages what was published.

Each kill test runs the real `coop refresh` (Prefect flow) in its own process group, pauses it
at a named point (pipelines/faults.py), SIGKILLs the whole group (or SIGTERMs the refresh)
there, then checks the published marts and that the next refresh succeeds with no clean-up by
hand; a SIGTERM must also leave a message, a log entry and no temporary files or processes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
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


def _pause_at(stage: str, env: dict, marker: Path) -> subprocess.Popen:
    """Start a full refresh in its own process group and wait until it pauses at `stage`."""
    process = subprocess.Popen(REFRESH, cwd=PROJECT_ROOT, env=env, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while not marker.exists():
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, f"refresh never reached {stage}"
        time.sleep(0.1)
    return process


def _group_is_gone(pgid: int, within: float = 30) -> bool:
    """True once no process of the group is left (exited children are reaped asynchronously)."""
    deadline = time.monotonic() + within
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


STAGES = ["load", "validate", "build", "indices", "gate", "publish", "report"]


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
@pytest.mark.parametrize("stage", STAGES)
def test_a_refresh_killed_or_terminated_at_any_stage_leaves_the_last_good_marts(
        project, prefect_api, tmp_path, stage, signum):
    from pipelines import incremental
    from pipelines.publish import read_published_manifest, release_problems, reports_stamp

    publish(project)
    if stage == "report":  # reports of the release about to be replaced
        from pipelines.report import render_reports

        render_reports(project)
    before = published_bytes(project)
    first = read_published_manifest(project)["run_id"]
    marker = tmp_path / "paused"
    env = {**os.environ, "PREFECT_API_URL": prefect_api, "COOP_FAULT_PAUSE": stage,
           "COOP_FAULT_MARKER": str(marker)}
    process = _pause_at(stage, env, marker)
    if signum == signal.SIGKILL:
        os.killpg(process.pid, signal.SIGKILL)
    else:  # as `kill <pid>` or a service manager's stop would: the process, not its group
        os.kill(process.pid, signal.SIGTERM)
    stdout, stderr = (stream.decode() for stream in process.communicate(timeout=60))
    assert _group_is_gone(process.pid), "the refresh left a process behind"

    after = published_bytes(project)
    if stage == "report":
        # Stopped after the swap: the new release is whole and (same raw/) has equal content.
        assert set(after) == set(before)
        assert read_published_manifest(project)["run_id"] != first
    else:
        assert after == before
    assert release_problems(project) == []
    con = duckdb.connect(str(project.published_db), read_only=True)
    assert con.execute("select count(*) from mart_country_year").fetchall()[0][0] > 0
    con.close()

    if signum == signal.SIGTERM:
        # A message, a log entry, no leftovers, the lock free: all without the next run's help.
        assert process.returncode == 128 + signal.SIGTERM
        assert f"refresh stopped by SIGTERM during the {stage} stage" in stderr
        assert "Traceback" not in stdout + stderr and "nanobind" not in stderr
        entry = incremental.read_log(project, last=1)[0]
        assert entry["outcome"] == "terminated" and entry["stage"] == stage
        assert not project.build_dir.exists() or not list(project.build_dir.iterdir())
        assert not list(project.marts_dir.glob(".*.tmp-*"))
    else:
        assert process.returncode == -signal.SIGKILL

    env.pop("COOP_FAULT_PAUSE")
    # Before the swap nothing changed, so a plain refresh has nothing to do after SIGTERM; after
    # a SIGKILL the leftovers are cleared by the next full run. After the swap the reports show
    # the replaced release until a plain refresh re-renders them.
    full = signum == signal.SIGKILL and stage != "report"
    result = subprocess.run(REFRESH if full else REFRESH[:-1], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    if stage == "report":
        assert "Refresh (reports)" in result.stdout, result.stdout
        assert reports_stamp(project) == {"run_id": read_published_manifest(project)["run_id"]}
    elif not full:
        assert "Nothing to refresh" in result.stdout, result.stdout
    assert not project.build_dir.exists() or [p.name for p in project.build_dir.iterdir()] == []
    assert not list(project.marts_dir.glob(".*.tmp-*"))


def _pause_with_temporary_server(project, tmp_path) -> tuple[subprocess.Popen, list]:
    """A full refresh without PREFECT_API_URL (so it starts a temporary Prefect server),
    paused in the load stage, and that server's processes. The server runs in a session of its
    own (a signal to coop's group does not reach it first), so it is found among coop's
    children before coop is signalled."""
    publish(project)
    marker = tmp_path / "paused"
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env.update(COOP_FAULT_PAUSE="load", COOP_FAULT_MARKER=str(marker),
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180")
    process = _pause_at("load", env, marker)
    servers = [child for child in psutil.Process(process.pid).children(recursive=True)
               if "uvicorn" in " ".join(child.cmdline())]
    assert servers, "the refresh started no temporary Prefect server"
    return process, servers


def _servers_left(servers) -> list:
    _, alive = psutil.wait_procs(servers, timeout=30)
    for server in alive:  # never leave one behind, whatever the test says
        with contextlib.suppress(psutil.NoSuchProcess):
            server.kill()
    return alive


def test_sigterm_stops_the_temporary_prefect_server_too(project, tmp_path):
    """Without PREFECT_API_URL the refresh starts a temporary Prefect server (a child process);
    a SIGTERM to the refresh must not leave it running."""
    process, servers = _pause_with_temporary_server(project, tmp_path)
    os.kill(process.pid, signal.SIGTERM)
    _, stderr = (stream.decode() for stream in process.communicate(timeout=60))
    assert process.returncode == 128 + signal.SIGTERM, stderr[-2000:]
    assert "refresh stopped by SIGTERM during the load stage" in stderr
    assert _group_is_gone(process.pid), "the refresh left a process behind"
    assert _servers_left(servers) == [], "the temporary Prefect server was left running"


def test_sigkill_of_the_refresh_alone_stops_the_temporary_prefect_server(project, tmp_path):
    """SIGKILL gives coop no chance to stop its temporary Prefect server: the kernel must
    (PR_SET_PDEATHSIG in the server's launcher), or the server is orphaned and keeps running."""
    process, servers = _pause_with_temporary_server(project, tmp_path)
    os.kill(process.pid, signal.SIGKILL)  # the refresh only: no clean-up code runs
    # wait(), not communicate(): an orphaned server would hold the output pipes open.
    assert process.wait(timeout=60) == -signal.SIGKILL
    assert _servers_left(servers) == [], "the temporary Prefect server outlived coop"


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
