"""Which Prefect API a refresh reports to, and the lifecycle of the servers coop starts.

Prefect 3 records flow runs, task states and logs through an API server; its task states
travel as events over a WebSocket, which is why Prefect 3 dropped the in-memory API of
Prefect 2 for a server in a subprocess (PrefectHQ/prefect#14722).  Starting that server costs
about 7 s of every run here (importing the server stack is most of it), so coop offers three
sources of the API, tried in this order:

1. ``PREFECT_API_URL`` (environment or active Prefect profile): the user's own server.
2. coop's local server, started once with ``coop server start``: loopback only, its pid,
   port and log recorded in ``<project>/.coop/prefect-server.json``, shown by ``coop status``
   and ``coop server status``, stopped by ``coop server stop``.  It is the full Prefect server
   (UI, scheduler), so ``coop serve`` uses it too.
3. Otherwise a temporary server for this run, started by coop as the run begins (so it boots
   while the refresh imports its libraries) and stopped when the flow ends.  It is the same
   server Prefect's ephemeral mode starts, but it can never outlive coop: the kernel sends it
   SIGTERM when coop dies (``PR_SET_PDEATHSIG``), even on SIGKILL, and
   :func:`stop_temporary_servers` stops it from a signal handler.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from pipelines.errors import CoopError
from pipelines.settings import Settings

LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT_SECONDS = float(os.environ.get("COOP_PREFECT_STARTUP_TIMEOUT", "180"))
STOP_TIMEOUT_SECONDS = 20.0

# Runs in the temporary server's process before uvicorn: ask the kernel to send SIGTERM when
# the parent (coop) dies, and give up if it died already.  No preexec_fn: coop may run threads.
_CHILD_LAUNCHER = """\
import ctypes, os, runpy, signal, sys
parent = int(sys.argv[1])
ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
if os.getppid() != parent:
    sys.exit(0)
sys.argv = ["uvicorn", *sys.argv[2:]]
runpy.run_module("uvicorn", run_name="__main__", alter_sys=True)
"""


class OrchestrationError(CoopError):
    """A Prefect server coop manages could not be started, reached or stopped."""


@dataclass(frozen=True)
class ServerRecord:
    """What `coop server start` wrote: enough to show, reach and stop the server."""

    pid: int
    port: int
    api_url: str
    started_at: str
    log: str
    prefect_home: str
    # The process's start time (psutil): a recycled pid is never taken for the server.
    create_time: float

    @property
    def ui_url(self) -> str:
        return self.api_url.removesuffix("/api")


def record_path(settings: Settings) -> Path:
    return settings.state_dir / "prefect-server.json"


def log_path(settings: Settings) -> Path:
    return settings.state_dir / "prefect-server.log"


def read_record(settings: Settings) -> ServerRecord | None:
    path = record_path(settings)
    try:
        return ServerRecord(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        raise OrchestrationError(
            f"{path} is not a server record coop wrote ({exc}). If no server of this project "
            f"runs, delete the file."
        ) from exc


def _write_record(settings: Settings, record: ServerRecord) -> None:
    path = record_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(json.dumps(asdict(record), indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _alive(record: ServerRecord) -> bool:
    """The recorded process still runs (same pid and start time: not a recycled pid)."""
    import psutil

    try:
        process = psutil.Process(record.pid)
        return (abs(process.create_time() - record.create_time) < 1.0
                and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=timeout).is_success
    except httpx.HTTPError:
        return False


@dataclass(frozen=True)
class ServerStatus:
    record: ServerRecord | None
    running: bool
    answering: bool

    def describe(self) -> str:
        if self.record is None:
            return ("Prefect server: none kept by coop (each refresh starts a temporary one; "
                    "`coop server start` keeps one running and saves that start-up).")
        where = f"{self.record.ui_url} (pid {self.record.pid}, since {self.record.started_at})"
        if not self.running:
            return (f"Prefect server: the one recorded at {where} is not running; "
                    f"`coop server stop` clears the record.")
        state = "running" if self.answering else "running but not answering"
        return f"Prefect server: {state} at {where}; `coop server stop` stops it."


def server_status(settings: Settings) -> ServerStatus:
    record = read_record(settings)
    if record is None:
        return ServerStatus(None, False, False)
    running = _alive(record)
    return ServerStatus(record, running, running and healthy(record.api_url))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _wait_healthy(api_url: str, process: subprocess.Popen, timeout: float, log: Path | None
                  ) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log else ""
            raise OrchestrationError(
                f"the Prefect server exited with status {process.returncode} before it "
                f"answered at {api_url}." + (f" Its log ({log}) ends:\n{tail}" if tail else "")
            )
        if healthy(api_url, timeout=1.0):
            return
        time.sleep(0.1)
    raise OrchestrationError(
        f"the Prefect server did not answer at {api_url} within {timeout:.0f} s "
        f"(COOP_PREFECT_STARTUP_TIMEOUT raises the limit)."
        + (f" See its log: {log}." if log else "")
    )


def _prefect_home() -> str:
    from prefect.settings import get_current_settings

    return str(get_current_settings().home)


def start_server(settings: Settings, port: int | None = None) -> tuple[ServerRecord, bool]:
    """Start coop's long-running local Prefect server (or find the running one).

    Returns the record and whether this call started it.  The server listens on loopback
    only, runs in its own session (closing the terminal or Ctrl-C elsewhere leaves it alone),
    writes its log to <project>/.coop/prefect-server.log and keeps runs in the Prefect home
    of the environment (PREFECT_HOME, by default ~/.prefect).
    """
    import psutil

    status = server_status(settings)
    if status.record is not None and status.running:
        return status.record, False
    port = port or free_port()
    api_url = f"http://{LOOPBACK}:{port}/api"
    if healthy(api_url, timeout=1.0):
        raise OrchestrationError(f"port {port} already has a Prefect server that coop did not "
                                 f"start; choose another with --port.")
    log = log_path(settings)
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", LOOPBACK,
             "--port", str(port)],
            stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, env=env,
            start_new_session=True, cwd=settings.state_dir,
        )
    try:
        _wait_healthy(api_url, process, STARTUP_TIMEOUT_SECONDS, log)
    except BaseException:
        _terminate_group(process.pid)
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
        raise
    record = ServerRecord(
        pid=process.pid, port=port, api_url=api_url,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"), log=str(log),
        prefect_home=_prefect_home(), create_time=psutil.Process(process.pid).create_time(),
    )
    _write_record(settings, record)
    return record, True


def _terminate_group(pid: int, sig: int = signal.SIGTERM) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def stop_server(settings: Settings) -> ServerRecord | None:
    """Stop coop's server (SIGTERM to its process group, SIGKILL after 20 s); clear the record.

    Returns the record of the server stopped, or None when none was recorded.  A record whose
    process no longer runs is removed without signalling anything.
    """
    import psutil

    record = read_record(settings)
    if record is None:
        return None
    if _alive(record):
        _terminate_group(record.pid)
        try:
            psutil.Process(record.pid).wait(timeout=STOP_TIMEOUT_SECONDS)
        except psutil.TimeoutExpired:
            _terminate_group(record.pid, signal.SIGKILL)
            with contextlib.suppress(psutil.Error):
                psutil.Process(record.pid).wait(timeout=STOP_TIMEOUT_SECONDS)
        except psutil.NoSuchProcess:
            pass
    record_path(settings).unlink(missing_ok=True)
    return record


class TemporaryServer:
    """The API server of one run: started at once, awaited when the flow needs it, stopped
    when the run ends, and killed by the kernel if coop dies first."""

    def __init__(self) -> None:
        self.port = free_port()
        self.api_url = f"http://{LOOPBACK}:{self.port}/api"
        self.started = time.perf_counter()
        self.ready_after: float | None = None
        import prefect

        env = {
            **{k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"},
            # As Prefect's own temporary server (prefect.server.api.server.SubprocessASGIServer)
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
        }
        env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        self.process: subprocess.Popen | None = subprocess.Popen(
            [sys.executable, "-c", _CHILD_LAUNCHER, str(os.getpid()),
             "--app-dir", str(Path(prefect.__file__).parent.parent),
             "--factory", "prefect.server.api.server:create_app",
             "--host", LOOPBACK, "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"],
            stdin=subprocess.DEVNULL, env=env, start_new_session=True,
        )
        with _ACTIVE_LOCK:
            _ACTIVE.append(self)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def wait_ready(self) -> None:
        if self.process is None:
            raise OrchestrationError("the temporary Prefect server was already stopped.")
        _wait_healthy(self.api_url, self.process, STARTUP_TIMEOUT_SECONDS, None)
        self.ready_after = round(time.perf_counter() - self.started, 2)

    def stop(self) -> None:
        """Idempotent, safe to call from a signal handler."""
        process, self.process = self.process, None
        with _ACTIVE_LOCK:
            if self in _ACTIVE:
                _ACTIVE.remove(self)
        if process is None or process.poll() is not None:
            return
        _terminate_group(process.pid)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _terminate_group(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


_ACTIVE: list[TemporaryServer] = []
_ACTIVE_LOCK = threading.RLock()


def stop_temporary_servers() -> int:
    """Stop every temporary server this process started; returns how many.  For signal
    handlers (SIGTERM during a refresh): coop's own server, kept on purpose, is left running."""
    with _ACTIVE_LOCK:
        servers = list(_ACTIVE)
    for server in servers:
        server.stop()
    return len(servers)


@dataclass
class PrefectApi:
    """The API a run reports to: kind is "configured", "coop" or "temporary"."""

    kind: str
    api_url: str
    temporary: TemporaryServer | None = None

    def describe(self) -> str:
        if self.kind == "configured":
            return f"Prefect: the server PREFECT_API_URL names ({self.api_url})."
        if self.kind == "coop":
            return f"Prefect: coop's server, runs at {self.api_url.removesuffix('/api')}/runs."
        ready = self.temporary.ready_after if self.temporary else None
        took = f" ({ready:.1f} s to start)" if ready is not None else ""
        return (f"Prefect: a temporary server for this run{took}, now stopped. "
                f"`coop server start` keeps one running.")

    @contextlib.contextmanager
    def active(self) -> Iterator[PrefectApi]:
        """Point Prefect at this API for the block; stop a temporary server afterwards, once
        Prefect's log and event workers have delivered what they hold."""
        from prefect.settings import PREFECT_API_URL, temporary_settings

        try:
            if self.temporary is not None:
                self.temporary.wait_ready()
            if self.kind == "configured":
                yield self
                return
            with temporary_settings(updates={PREFECT_API_URL: self.api_url}):
                try:
                    yield self
                finally:
                    if self.temporary is not None:
                        _drain_prefect_workers()
        finally:
            if self.temporary is not None:
                self.temporary.stop()


def _drain_prefect_workers(timeout: float = 10.0) -> None:
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):
            worker.drain_all(timeout=timeout)


def configured_api_url() -> str | None:
    """PREFECT_API_URL from the environment or the active Prefect profile, if any."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"].rstrip("/")
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url).rstrip("/") if url else None


def coop_server_url(settings: Settings) -> str | None:
    """The API url of coop's running server of this project, or None."""
    status = server_status(settings)
    return status.record.api_url if status.record is not None and status.answering else None


def choose_api(settings: Settings) -> PrefectApi:
    """Pick the API for a run; a temporary server starts booting now, in the background."""
    url = configured_api_url()
    if url:
        return PrefectApi("configured", url)
    url = coop_server_url(settings)
    if url:
        return PrefectApi("coop", url)
    server = TemporaryServer()
    return PrefectApi("temporary", server.api_url, server)
