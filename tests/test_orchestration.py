"""Where a refresh's Prefect runs go, and that no Prefect server coop starts outlives it.

The servers are real (`prefect server start`, uvicorn on loopback) in a Prefect home of the
test's own; every process a test starts is stopped by the test, by pid.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest
from click.testing import CliRunner

from pipelines import orchestration
from pipelines.cli import main
from pipelines.db import connect_work
from pipelines.errors import CoopError
from pipelines.settings import PROJECT_ROOT, Settings, default_duckdb_memory_limit, get_settings

STAGES = ["plan", "load", "validate", "build", "indices", "gate", "publish", "report"]


@pytest.fixture
def prefect_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "prefect-home"
    home.mkdir()
    monkeypatch.setenv("PREFECT_HOME", str(home))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    return home


def wait_gone(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def kill_if_alive(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def cli_env(settings: Settings) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(COOP_ROOT=str(settings.root), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return env


COOP = [sys.executable, "-c", "from pipelines.cli import main; main()"]


def test_kept_server_records_every_run_and_stops_with_one_command(project, prefect_home):
    runner = CliRunner()
    result = runner.invoke(main, ["server", "status"])
    assert "none kept by coop" in result.output
    result = runner.invoke(main, ["server", "start"])
    assert result.exit_code == 0, result.output
    record = orchestration.read_record(project)
    try:
        assert record is not None and record.api_url.startswith("http://127.0.0.1:")
        assert json.loads(orchestration.record_path(project).read_text())["pid"] == record.pid
        assert orchestration.healthy(record.api_url)
        # Listening on loopback only.
        listening = {c.laddr.ip for c in psutil.Process(record.pid).net_connections()
                     if c.status == psutil.CONN_LISTEN}
        listening |= {c.laddr.ip for child in psutil.Process(record.pid).children(True)
                      for c in child.net_connections() if c.status == psutil.CONN_LISTEN}
        assert listening == {"127.0.0.1"}, listening
        again = runner.invoke(main, ["server", "start"])
        assert "already runs" in again.output
        assert orchestration.read_record(project).pid == record.pid

        refreshed = subprocess.run([*COOP, "refresh"], env=cli_env(project), cwd=PROJECT_ROOT,
                                   capture_output=True, text=True, timeout=600, check=False)
        assert refreshed.returncode == 0, refreshed.stderr[-3000:]
        assert f"coop's server, runs at {record.ui_url}/runs" in refreshed.stdout
        assert "coop server stop" in runner.invoke(main, ["status"]).output

        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import FlowRunFilter, LogFilter, LogFilterFlowRunId
        from prefect.client.schemas.sorting import FlowRunSort, LogSort, TaskRunSort
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with (temporary_settings(updates={PREFECT_API_URL: record.api_url}),
              get_client(sync_client=True) as client):
            # This client leaves sort and limit to the server, which wants them (3.8.8).
            runs = client.read_flow_runs(sort=FlowRunSort.ID_DESC, limit=10)
            assert [run.state_name for run in runs] == ["Completed"]
            deadline = time.monotonic() + 60  # task states arrive as events
            while time.monotonic() < deadline:
                tasks = client.read_task_runs(
                    flow_run_filter=FlowRunFilter(id={"any_": [runs[0].id]}),
                    sort=TaskRunSort.EXPECTED_START_TIME_DESC, limit=50)
                states = {t.name.rsplit("-", 1)[0]: t.state_name for t in tasks}
                if len(states) == len(STAGES) and set(states.values()) == {"Completed"}:
                    break
                time.sleep(1)
            assert states == dict.fromkeys(STAGES, "Completed")
            logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(
                any_=[runs[0].id])), limit=200, offset=0, sort=LogSort.TIMESTAMP_ASC)
            assert any("plan: full" in log.message for log in logs)
    finally:
        stopped = runner.invoke(main, ["server", "stop"])
        if record is not None:
            kill_if_alive(record.pid)
    assert f"Stopped the Prefect server at {record.ui_url}" in stopped.output
    assert wait_gone(record.pid)
    assert orchestration.read_record(project) is None
    assert "nothing to stop" in runner.invoke(main, ["server", "stop"]).output


def test_a_stale_record_is_shown_and_cleared_without_signalling(project, tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "pass"])
    sleeper.wait()
    record = orchestration.ServerRecord(
        pid=sleeper.pid, port=9, api_url="http://127.0.0.1:9/api", started_at="then",
        log=str(tmp_path / "log"), prefect_home=str(tmp_path), create_time=1.0)
    orchestration._write_record(project, record)
    status = orchestration.server_status(project)
    assert not status.running
    assert "is not running" in status.describe()
    assert orchestration.stop_server(project) == record
    assert orchestration.read_record(project) is None


def test_a_corrupt_record_is_a_clear_error(project):
    orchestration.record_path(project).parent.mkdir(parents=True)
    orchestration.record_path(project).write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(main, ["server", "stop"])
    assert result.exit_code == 1
    assert "is not a server record coop wrote" in result.output
    assert "Traceback" not in result.output


# A process that starts a temporary server the way `coop refresh` does, prints its pid, waits.
_PARENT = """\
import sys, time
from pipelines.orchestration import TemporaryServer
server = TemporaryServer()
print(server.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_temporary_server_never_outlives_coop(prefect_home, sig):
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE,
                              text=True, cwd=PROJECT_ROOT)
    server_pid = int(parent.stdout.readline())
    try:
        time.sleep(1.0)  # the server is booting (or up): it must go either way
        assert psutil.pid_exists(server_pid)
        parent.send_signal(sig)
        parent.wait(timeout=30)
        assert wait_gone(server_pid), "the temporary server outlived its parent"
    finally:
        kill_if_alive(parent.pid)
        kill_if_alive(server_pid)


def test_stop_temporary_servers_is_what_a_signal_handler_calls(prefect_home):
    server = orchestration.TemporaryServer()
    pid = server.pid
    try:
        assert orchestration.stop_temporary_servers() == 1
        assert wait_gone(pid)
        assert orchestration.stop_temporary_servers() == 0
        server.stop()  # idempotent
    finally:
        kill_if_alive(pid)


def test_sigterm_during_a_refresh_leaves_no_server(project, prefect_home, tmp_path):
    marker = tmp_path / "paused"
    env = {**cli_env(project), "COOP_FAULT_PAUSE": "load", "COOP_FAULT_MARKER": str(marker)}
    process = subprocess.Popen([*COOP, "refresh"], env=env, cwd=PROJECT_ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    servers: list[int] = []
    try:
        deadline = time.monotonic() + 300
        while not marker.exists():
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the refresh never reached the load stage"
            time.sleep(0.2)
        servers = [child.pid for child in psutil.Process(process.pid).children(recursive=True)
                   if "create_app" in " ".join(child.cmdline())]
        assert len(servers) == 1  # the run's temporary server, up while the flow runs
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        assert all(wait_gone(pid) for pid in servers)
    finally:
        kill_if_alive(process.pid)
        for pid in servers:
            kill_if_alive(pid)


def test_duckdb_memory_cap_and_spill_directory_come_from_the_settings(project, monkeypatch,
                                                                      tmp_path):
    monkeypatch.setenv("COOP_DUCKDB_MEMORY_LIMIT", "1GiB")
    monkeypatch.setenv("COOP_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    settings = get_settings()
    con = connect_work(tmp_path / "work.duckdb", settings)
    try:
        limit, directory = con.execute("select current_setting('memory_limit'), "
                                       "current_setting('temp_directory')").fetchone()
    finally:
        con.close()
    assert limit == "1.0 GiB"
    assert directory == str(tmp_path / "spill")
    monkeypatch.setenv("COOP_DUCKDB_MEMORY_LIMIT", "plenty")
    with pytest.raises(CoopError, match="COOP_DUCKDB_MEMORY_LIMIT"):
        connect_work(tmp_path / "other.duckdb", get_settings())


def test_a_join_past_the_cap_spills_instead_of_failing(tmp_path, monkeypatch):
    monkeypatch.setenv("COOP_DUCKDB_MEMORY_LIMIT", "64MiB")
    monkeypatch.setenv("COOP_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    con = connect_work(tmp_path / "work.duckdb", get_settings())
    try:
        con.execute("set preserve_insertion_order = false")
        # 3 million distinct keys (about 100 MB of hash table), more than the 64 MiB cap.
        groups = con.execute(
            "select count(*) from (select i % 3000000 as k, count(*) as n "
            "from range(6000000) t(i) group by k)").fetchone()[0]
    finally:
        con.close()
    assert groups == 3_000_000


def test_default_memory_cap_is_an_eighth_of_memory_within_bounds():
    total = psutil.virtual_memory().total
    expected = min(max(total // 8, 1 << 30), 4 << 30) >> 20
    assert default_duckdb_memory_limit() == f"{expected}MiB"
    with duckdb.connect(config={"memory_limit": default_duckdb_memory_limit()}) as con:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0]
