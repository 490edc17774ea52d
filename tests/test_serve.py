"""`coop serve` against a real Prefect server started by this module on a loopback port.

The scenario runs as a user would: `prefect server start`, `coop serve` in its own process,
runs triggered with `prefect deployment run --watch`, the deployment and run states read back
through the Prefect client.  The project is the synthetic fixture (tests/fixture_data.py); its
IPI file is declared with a url on a loopback HTTP server, so a run fetches a new release before
it refreshes.  Both processes run in their own process groups and are always stopped.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.fetch import read_fetch_log
from pipelines.serve import DEFAULT_CRON, DEFAULT_TIMEZONE, FLOW_NAME
from pipelines.settings import PROJECT_ROOT, Settings
from tests.fixture_data import default_text
from tests.helpers import declare_url, loopback_http_server, published_bytes

IPI = "ipi/contributor_month.csv"
# A later release of the IPI file: Uzbekistan contributes 7 troops in March 2014 (synthetic).
NEW_IPI = (default_text("contributor_month") + "2014-03-31,Uzbekistan,UZB,704,7,,\n").encode()
CRON = "15 3 1 * *"
TIMEZONE = "Europe/Berlin"
DEPLOYMENT = "coop-test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM the process group this module started, then SIGKILL it if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_until(check, timeout: float, what: str, process: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what}: process exited with {process.returncode}:\n{log.read_text()}")
        result = check()
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"{what}: not ready after {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory) -> Iterator[dict]:
    """A real `prefect server start` on a free loopback port, with its own PREFECT_HOME."""
    home = tmp_path_factory.mktemp("prefect-home")
    api_url = f"http://127.0.0.1:{free_port()}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    log = home / "server.log"
    port = api_url.rsplit(":", 1)[1].split("/")[0]
    started = time.monotonic()
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
             "--port", port],
            env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        wait_until(lambda: _healthy(api_url), 180, "prefect server", process, log)
        print(f"\nprefect server ready in {time.monotonic() - started:.1f} s")
        yield {"api_url": api_url, "home": home}
    finally:
        stop_group(process)


def _healthy(api_url: str) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=2).is_success
    except httpx.HTTPError:
        return False


@pytest.fixture
def release_server() -> Iterator[str]:
    """Serves NEW_IPI at /ipi.csv on loopback."""
    with loopback_http_server(
        lambda path: (200, NEW_IPI) if path == "ipi.csv" else (404, b"not found")
    ) as base_url:
        yield f"{base_url}/ipi.csv"


def trigger(env: dict) -> tuple[subprocess.CompletedProcess, str, float]:
    """`prefect deployment run --watch`, as the README shows; returns its result and run id."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "prefect", "deployment", "run", f"{FLOW_NAME}/{DEPLOYMENT}",
         "--watch", "--watch-timeout", "400"],
        env=env, capture_output=True, text=True, timeout=450, check=False,
    )
    found = re.search(r"UUID: ([0-9a-f-]{36})", result.stdout)
    assert found, result.stdout + result.stderr
    return result, found.group(1), time.monotonic() - started


def pko_peak(settings: Settings, ccode: int, year: int):
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        return con.execute(
            "select pko_personnel_peak from mart_country_year where ccode = ? and year = ?",
            [ccode, year],
        ).fetchone()[0]


@pytest.fixture
def prefect_client(prefect_server):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with (temporary_settings(updates={PREFECT_API_URL: prefect_server["api_url"]}),
          get_client(sync_client=True) as client):
        yield client


@pytest.fixture
def serving(project, prefect_server, prefect_client, tmp_path) -> Iterator[dict]:
    """`coop serve` in its own process group, once its deployment is registered."""
    env = {
        **os.environ,  # COOP_ROOT, COOP_SQL_DIR, ... from the project fixture
        "PREFECT_HOME": str(prefect_server["home"]),
        "PREFECT_API_URL": prefect_server["api_url"],
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    log = tmp_path / "serve.log"
    started = time.monotonic()
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", "from pipelines.cli import main; main()", "serve",
             "--cron", CRON, "--timezone", TIMEZONE, "--name", DEPLOYMENT],
            cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: "is being served" in log.read_text(), 120, "coop serve", process, log)
        print(f"\ncoop serve registered in {time.monotonic() - started:.1f} s")
        yield {"process": process, "env": env, "log": log}
    finally:
        stop_group(process)


def deployment(client):
    return client.read_deployment_by_name(f"{FLOW_NAME}/{DEPLOYMENT}")


@pytest.mark.timeout(900)
def test_served_schedule_runs_fetch_and_refresh_and_fails_visibly(
    project, release_server, prefect_client, serving
):
    timings: dict[str, float] = {}
    registered = deployment(prefect_client)
    [schedule] = registered.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == (CRON, TIMEZONE)
    assert schedule.active and not registered.paused
    assert registered.entrypoint == "pipelines.serve.scheduled_refresh"

    # 1. A run fetches the pinned new release, refreshes and publishes it.
    declare_url(project, IPI, release_server, hashlib.sha256(NEW_IPI).hexdigest())
    old_ipi = (project.raw_dir / IPI).read_bytes()
    result, run_id, timings["completed run"] = trigger(serving["env"])
    assert result.returncode == 0, result.stdout + serving["log"].read_text()[-5000:]
    assert prefect_client.read_flow_run(run_id).state.is_completed()
    assert (project.raw_dir / IPI).read_bytes() == NEW_IPI != old_ipi
    assert pko_peak(project, 704, 2014) == 7  # the fetched row reached the marts
    assert [entry["status"] for entry in read_fetch_log(project)] == ["fetched"]
    good = published_bytes(project)
    assert "coop.duckdb" in good

    # 2. A pinned release the server does not have: the run fails in fetch; nothing changes.
    declare_url(project, IPI, release_server, "f" * 64)
    result, run_id, timings["failed in fetch"] = trigger(serving["env"])
    assert result.returncode == 1
    assert "Flow run finished in state 'Failed'" in result.stdout
    state = prefect_client.read_flow_run(run_id).state
    assert state.is_failed()
    assert "FetchError" in state.message
    assert f"{IPI}: the download from {release_server} has sha256" in state.message
    assert "pins " + "f" * 64 in state.message
    assert (project.raw_dir / IPI).read_bytes() == NEW_IPI
    assert published_bytes(project) == good

    # 3. A changed raw file: the run fails in the refresh; the last good marts stay.
    declare_url(project, IPI, release_server, hashlib.sha256(NEW_IPI).hexdigest())
    with (project.raw_dir / "cow_igo/igo_list.csv").open("a") as igo_list:
        igo_list.write("zzz,ZZZ,Tampered Organisation,1990,2014\n")
    result, run_id, timings["failed in refresh"] = trigger(serving["env"])
    assert result.returncode == 1
    state = prefect_client.read_flow_run(run_id).state
    assert state.is_failed()
    assert "InputFileError" in state.message
    assert "igo_list.csv: checksum mismatch" in state.message
    assert published_bytes(project) == good

    # Stopping `coop serve` pauses the schedule, so no run waits for a runner that is gone.
    stop_group(serving["process"])
    assert deployment(prefect_client).paused
    print("scheduled runs (s, trigger to final state): "
          + ", ".join(f"{name} {seconds:.1f}" for name, seconds in timings.items()))


def invoke_serve(*args: str):
    return CliRunner().invoke(main, ["serve", *args])


def test_serve_without_a_server_says_how_to_start_one():
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        result = invoke_serve()
    assert result.exit_code == 1
    assert "PREFECT_API_URL is not set" in result.output
    assert "prefect server start --host 127.0.0.1" in result.output
    assert "Traceback" not in result.output


def test_serve_with_an_unreachable_server_is_refused():
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url = f"http://127.0.0.1:{free_port()}/api"
    with temporary_settings(updates={PREFECT_API_URL: url}):
        result = invoke_serve()
    assert result.exit_code == 1
    assert f"no Prefect server answers at {url}" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--cron", "every month"], "invalid cron expression 'every month'"),
    (["--cron", "61 4 1 * *"], "invalid cron expression '61 4 1 * *'"),
    (["--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
])
def test_a_bad_schedule_is_refused_before_contacting_the_server(args, message):
    result = invoke_serve(*args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_the_schedule_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("COOP_SCHEDULE_CRON", "not a cron")
    result = invoke_serve()
    assert "invalid cron expression 'not a cron'" in result.output


def test_the_command_defaults_are_the_documented_ones():
    options = {param.name: param.default for param in main.commands["serve"].params}
    assert (options["cron"], options["timezone"]) == (DEFAULT_CRON, DEFAULT_TIMEZONE)
