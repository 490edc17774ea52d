"""Run `coop refresh` in a scratch project as a subprocess and measure it from outside.

Wall time, CPU time and the coop process's peak RSS come from the kernel (os.wait4's
rusage: ru_maxrss is the high-water mark, so no spike is missed).  The peak of the whole
process tree (coop's RSS plus the unique memory of its children: Prefect's temporary API
server, forked report renderers) and the stage each peak fell in come from polling psutil
every `poll_seconds`.  The stage being run is read from
Prefect's task log lines (`--verbose`), which is also how a run stopped for exceeding the
memory cap says where it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from pipelines.bench import BenchError
from pipelines.settings import Settings

# "plan" is the incremental refresh's first task (what to rebuild); older flows start at "load".
STAGES = ("plan", "load", "validate", "build", "indices", "gate", "publish", "report")
_FINISHED_TASK = re.compile(r"Task run '([a-z_]+)-[0-9a-f]+' - Finished in state (\w+)")
_FLOW_STARTED = "Beginning flow run"
_CLOCK = re.compile(r"^(\d\d):(\d\d):(\d\d(?:\.\d+)?) ")
GIB = 1 << 30


@dataclass
class RefreshMeasurement:
    """One `coop refresh` as seen from outside."""

    label: str
    command: list[str]
    returncode: int | None = None
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0  # user + system, the process and every child it waited for
    # bytes: the kernel's high-water mark of the coop process (or of a child it reaped, if
    # larger: wait4 reports the maximum over both)
    peak_rss_coop: int = 0
    # bytes, largest polled sum over coop (RSS) and its descendants (USS: a forked child's
    # pages shared with coop are counted once)
    peak_rss_tree: int = 0
    peak_tree_stage: str = ""
    peak_rss_tree_by_stage: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    stage_seconds_source: str = ""  # "manifest" (the refresh's own timer) or "log" (its clock)
    setup_seconds: float | None = None  # wall minus the stages: start-up, Prefect, shutdown
    stopped: str = ""  # why the bench stopped the run (memory cap, time limit), if it did
    last_stage: str = ""
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)  # when the run started
    output_tail: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.stopped

    def as_dict(self) -> dict:
        return asdict(self)


def coop_command() -> list[str]:
    """The `coop` entry point of the running environment."""
    script = Path(sys.executable).parent / "coop"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from pipelines.cli import main; main()"]


def refresh_options() -> set[str]:
    """The options `coop refresh` accepts here (the bench adapts to, e.g., `--full`)."""
    result = subprocess.run(
        [*coop_command(), "refresh", "--help"], capture_output=True, text=True, check=False
    )
    return set(re.findall(r"(--[a-z][a-z-]*)", result.stdout))


def bytecode_state() -> dict:
    """Whether this environment can use compiled bytecode: without it every refresh compiles
    pandas, Prefect, Great Expectations and SciPy from source (tens of seconds on 2 cores)."""
    purelib = Path(sysconfig.get_paths()["purelib"])
    return {
        "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE"),
        "PYTHONPYCACHEPREFIX": os.environ.get("PYTHONPYCACHEPREFIX"),
        "site_packages_compiled": (purelib / "pandas" / "__pycache__").is_dir(),
    }


def lacks_bytecode(state: dict) -> bool:
    return not state["site_packages_compiled"] and (
        bool(state["PYTHONDONTWRITEBYTECODE"]) and not state["PYTHONPYCACHEPREFIX"]
    )


def warm_bytecode_cache(cache_dir: Path, package_dir: Path) -> float | None:
    """Compile the environment and the coop package into `cache_dir` (PYTHONPYCACHEPREFIX),
    once; returns the seconds it took, or None when the cache was already warm."""
    stamp = cache_dir / ".compiled"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == sys.executable:
        return None
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache_dir)
    # Exit status 1 only means some file (a test fixture of a package, say) did not compile.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0",
         sysconfig.get_paths()["purelib"], str(package_dir)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(sys.executable, encoding="utf-8")
    return round(time.perf_counter() - started, 1)


def scratch_environment(settings: Settings, project_root: Path, prefect_home: Path,
                        bytecode_cache: Path | None = None) -> dict:
    """Environment of a refresh in `project_root`: its own raw/, marts/, reports/; the
    repository's SQL, seeds and index definition; compiled modules from `bytecode_cache`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("COOP_") or k == "COOP_ROW_COUNT_TOLERANCE"}
    env.update(
        COOP_ROOT=str(project_root),
        COOP_SQL_DIR=str(settings.sql_dir),
        COOP_SEEDS_DIR=str(settings.seeds_dir),
        COOP_INDICES_FILE=str(settings.indices_file),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        GX_ANALYTICS_ENABLED="False",
        PYTHONUNBUFFERED="1",
    )
    if bytecode_cache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode_cache)
    if "PREFECT_API_URL" not in os.environ:
        # A Prefect home of the bench's own: no SQLite shared with tests or other runs.
        env["PREFECT_HOME"] = str(prefect_home)
    return env


def make_scratch_project(root: Path, raw_dir: Path) -> Path:
    """A fresh project root whose raw/ is a symlink to `raw_dir` (read, never written)."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "raw").symlink_to(raw_dir.resolve(), target_is_directory=True)
    return root


class _ChildMemory:
    """Memory of coop's descendants without counting a page twice: a forked child (a report
    renderer) shares most of coop's pages, which RSS would count once per process, so each
    child counts its unique set (USS, from /proc/<pid>/smaps_rollup).  USS costs a read of
    the process's memory map, so it is refreshed at most every `refresh_seconds` per child
    (its RSS stands in until the first reading)."""

    def __init__(self, refresh_seconds: float = 1.0) -> None:
        self.refresh_seconds = refresh_seconds
        self.readings: dict[int, tuple[float, int]] = {}

    def of(self, child: psutil.Process) -> int:
        now = time.monotonic()
        read_at, value = self.readings.get(child.pid, (None, None))
        if read_at is None or now - read_at >= self.refresh_seconds:
            try:
                value = child.memory_full_info().uss
            except (psutil.AccessDenied, AttributeError):
                value = child.memory_info().rss
            self.readings[child.pid] = (now, value)
        return value


def _tree_rss(process: psutil.Process, children: _ChildMemory | None = None) -> int:
    """Resident memory of coop (RSS) plus its descendants (RSS, or USS with `children`)."""
    total = 0
    try:
        descendants = process.children(recursive=True)
        total = process.memory_info().rss
    except psutil.Error:
        return 0
    for member in descendants:
        with contextlib.suppress(psutil.Error):
            total += children.of(member) if children else member.memory_info().rss
    return total


class _StageTracker:
    """Follows the refresh's log file: which stage runs, and when each began and ended."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.offset = 0
        self.stage = "start-up"
        self.partial = ""
        self.began: dict[str, float] = {}
        self.ended: dict[str, float] = {}
        self.last_clock: float | None = None
        self.boundary: float | None = None

    def _clock(self, line: str) -> float | None:
        match = _CLOCK.match(line)
        if not match:
            return None
        hours, minutes, seconds = match.groups()
        clock = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
        if self.last_clock is not None and clock < self.last_clock - 43200:
            clock += 86400  # the run went past midnight
        self.last_clock = clock
        return clock

    def update(self) -> str:
        try:
            with self.log_path.open("r", encoding="utf-8", errors="replace") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
                self.offset = handle.tell()
        except OSError:
            return self.stage
        lines = (self.partial + chunk).split("\n")
        self.partial = lines.pop()
        for line in lines:
            clock = self._clock(line)
            if _FLOW_STARTED in line:
                self.stage = STAGES[0]
                self.boundary = clock
            match = _FINISHED_TASK.search(line)
            if match and match.group(1) in STAGES:
                # A stage runs from the end of the task before it (or the flow's start) to its
                # own end, so Prefect's set-up of each task counts with its stage.
                finished = match.group(1)
                if clock is not None and self.boundary is not None:
                    self.began[finished], self.ended[finished] = self.boundary, clock
                self.boundary = clock
                if match.group(2) != "Completed":  # the stage failed: the run stops in it
                    self.stage = finished
                    continue
                index = STAGES.index(finished)
                self.stage = STAGES[index + 1] if index + 1 < len(STAGES) else "shutdown"
        return self.stage

    def stage_seconds(self) -> dict[str, float]:
        """Seconds per finished stage, from the log's clock (a stage starts when the one before
        it ends; Prefect's task set-up counts with the stage)."""
        return {stage: round(self.ended[stage] - self.began[stage], 3) for stage in STAGES
                if stage in self.began and stage in self.ended}


def run_refresh(
    label: str,
    project_root: Path,
    env: dict,
    extra_args: tuple[str, ...] = (),
    memory_cap_bytes: int | None = None,
    time_limit_seconds: float | None = None,
    poll_seconds: float = 0.1,
) -> RefreshMeasurement:
    """Run `coop refresh` in `project_root`; stop it if it passes the memory cap or time limit."""
    command = [*coop_command(), "refresh", "--verbose", *extra_args]
    log_path = project_root / f"refresh-{label}.log"
    measurement = RefreshMeasurement(label=label, command=command,
                                     load_average=os.getloadavg())
    tracker = _StageTracker(log_path)
    manifest = project_root / "marts" / "manifest.json"
    published_before = _run_id(manifest)
    with log_path.open("w", encoding="utf-8") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=project_root, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a stop reaches Prefect's server
        )
        watched = psutil.Process(process.pid)
        children = _ChildMemory()
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            stage = tracker.update()
            rss = _tree_rss(watched, children)
            by_stage = measurement.peak_rss_tree_by_stage
            by_stage[stage] = max(by_stage.get(stage, 0), rss)
            if rss > measurement.peak_rss_tree:
                measurement.peak_rss_tree, measurement.peak_tree_stage = rss, stage
            elapsed = time.perf_counter() - started
            if memory_cap_bytes and rss > memory_cap_bytes:
                measurement.stopped = (
                    f"stopped by the bench: process tree RSS {rss / GIB:.1f} GiB passed the cap "
                    f"of {memory_cap_bytes / GIB:.1f} GiB in stage '{stage}' after {elapsed:.0f} s"
                )
            elif time_limit_seconds and elapsed > time_limit_seconds:
                measurement.stopped = (
                    f"stopped by the bench: time limit of {time_limit_seconds:.0f} s reached in "
                    f"stage '{stage}'"
                )
            if measurement.stopped:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            time.sleep(poll_seconds)
        measurement.wall_seconds = round(time.perf_counter() - started, 3)
    # The kill reached the group; reap Prefect's server if it outlived coop.
    with contextlib.suppress(ProcessLookupError):
        if measurement.stopped:
            os.killpg(process.pid, signal.SIGKILL)
    process.returncode = os.waitstatus_to_exitcode(status)
    measurement.returncode = process.returncode
    measurement.cpu_seconds = round(usage.ru_utime + usage.ru_stime, 3)
    measurement.peak_rss_coop = usage.ru_maxrss * 1024  # Linux reports KiB
    measurement.last_stage = tracker.update()
    output = log_path.read_text(encoding="utf-8", errors="replace")
    measurement.output_tail = "\n".join(
        line for line in output.splitlines()[-15:] if "| INFO" not in line
    )
    # A no-op publishes nothing: the manifest is then the last run's, not this one's.
    if measurement.ok and _run_id(manifest) not in (None, published_before):
        measurement.stage_seconds = json.loads(manifest.read_text(encoding="utf-8")).get(
            "seconds", {})
        measurement.stage_seconds_source = "manifest"
    if not measurement.stage_seconds and tracker.stage_seconds():
        # A failed or stopped run publishes no manifest: its log still dates each stage.
        measurement.stage_seconds = tracker.stage_seconds()
        measurement.stage_seconds_source = "log"
    if measurement.stage_seconds and measurement.ok:
        measurement.setup_seconds = round(
            measurement.wall_seconds - sum(measurement.stage_seconds.values()), 3
        )
    return measurement


def _run_id(manifest: Path) -> str | None:
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("run_id")
    except (OSError, ValueError):
        return None


def require_disk(path: Path, needed_bytes: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(path).free
    if free < needed_bytes:
        raise BenchError(
            f"{path}: {free / GIB:.1f} GiB free, the bench needs about {needed_bytes / GIB:.1f} "
            f"GiB here. Free space or choose another --workdir."
        )
