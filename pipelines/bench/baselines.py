"""The heaviest step, joint full IGO memberships per dyad-year, timed three ways.

(a) project: the model file sql/intermediate/int_cow_igo_dyad_years_paired.sql itself, built
    by pipelines.models on a DuckDB database holding exactly its upstream tables, loaded from the
    raw files by the project's own loader and models (what the refresh runs).
(b) pandas: read the raw file, keep full memberships, merge on (year, IGO), keep ccode1 <
    ccode2, group by dyad-year: the straightforward DataFrame version (the read is timed apart).
(c) floor: one DuckDB query straight on the raw CSV (read_csv, self-join, group by), the least
    any SQL implementation can do; (c') the same query on a table already in memory.

All produce one row per dyad-year with the count of joint full memberships and of joint
security IGOs; the bench checks that rows, total and security total agree.
"""

from __future__ import annotations

import gc
import json
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import psutil

from pipelines import models
from pipelines.loading import load_seeds, load_source_coverage
from pipelines.raw_manifest import read_manifest
from pipelines.sources import ADAPTERS
from pipelines.sources.base import load_csv

TARGET_MODEL = "int_cow_igo_dyad_years_paired"
IGO_SOURCE, IGO_FILE = "cow_igo", "state_year_igo"
SECURITY_SEED = "security_igos.csv"
# Bytes per merged row the pandas baseline holds at its peak (1x: 1.8 GB for 41.5 million
# rows, about 44): used to skip it where it would not fit rather than exhaust the machine.
PANDAS_BYTES_PER_PAIR = 48

FLOOR_SQL = """
with

memberships as (
    select
        ccode,
        year,
        lower(trim(ioname)) as ioname,
        list_contains($security, lower(trim(ioname))) as is_security_igo
    from {source}
    where status = 1
)

select
    first_member.ccode as ccode1,
    second_member.ccode as ccode2,
    first_member.year,
    count(*) as joint_igo_full,
    count(*) filter (where first_member.is_security_igo) as joint_security_igo_full
from memberships as first_member
inner join memberships as second_member
    on
        first_member.year = second_member.year
        and first_member.ioname = second_member.ioname
        and first_member.ccode < second_member.ccode
group by all
"""
RAW_READ = (
    "read_csv($path, header = true, auto_detect = false, "
    "columns = {'ccode': 'INTEGER', 'year': 'INTEGER', 'ioname': 'VARCHAR', 'status': 'INTEGER'})"
)
SUMMARY_SQL = (
    "select count(*), coalesce(sum(joint_igo_full), 0), coalesce(sum(joint_security_igo_full), 0)"
    " from {table}"
)


@dataclass
class Timing:
    """Repeated timings of one implementation and what it produced."""

    name: str
    description: str
    seconds: list[float] = field(default_factory=list)
    peak_rss_delta: int = 0  # bytes above the process's RSS just before the timed call
    output: tuple[int, int, int] | None = None  # dyad-years, joint total, security total
    skipped: str = ""
    read_seconds: float | None = None  # reading the raw file, timed apart (pandas only)

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    def as_dict(self) -> dict:
        return {**asdict(self), "median": self.median,
                "min": min(self.seconds, default=None), "max": max(self.seconds, default=None)}


@dataclass
class BaselineComparison:
    scale: int
    membership_rows: int
    self_join_rows: int
    timings: dict[str, Timing]
    outputs_agree: bool
    ratios: dict[str, float | None]
    profile: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {**{k: v for k, v in asdict(self).items() if k != "timings"},
                "timings": {name: timing.as_dict() for name, timing in self.timings.items()}}


class _PeakSampler:
    """Samples this process's RSS in a thread while a timed call runs."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.process = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self) -> _PeakSampler:
        self.start = self.process.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)

    @property
    def delta(self) -> int:
        return max(0, self.peak - self.start)


def _time(timing: Timing, runs: int, call: Callable[[], tuple[int, int, int]]) -> None:
    for _ in range(runs):
        gc.collect()
        with _PeakSampler() as sampler:
            started = time.perf_counter()
            output = call()
            timing.seconds.append(round(time.perf_counter() - started, 4))
        timing.peak_rss_delta = max(timing.peak_rss_delta, sampler.delta)
        timing.output = output


def _summary(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int, int]:
    rows, joint, security = con.execute(SUMMARY_SQL.format(table=table)).fetchall()[0]
    return int(rows), int(joint), int(security)


def prepare_model_database(con: duckdb.DuckDBPyConnection, raw_dir: Path, seeds_dir: Path,
                           sql_dir: Path) -> dict[str, models.Model]:
    """Load the raw tables the model needs and build its upstream models, as the refresh does."""
    all_models = models.discover_models(sql_dir)
    upstream = models.upstream_of(all_models, {TARGET_MODEL}) - {TARGET_MODEL}
    needed = {dep for name in upstream for dep in all_models[name].depends_on}
    sources = read_manifest(raw_dir / "sources.toml")
    for source_id, adapter in ADAPTERS.items():
        for spec in adapter.FILES:
            if spec.table in needed:
                load_csv(con, sources[source_id].file(spec.file_name), spec)
    load_source_coverage(con, sources)
    load_seeds(con, seeds_dir)
    models.create_macros(con, sql_dir)
    models.build_models(con, all_models, only=upstream)
    return all_models


def security_igos(seeds_dir: Path) -> list[str]:
    frame = pd.read_csv(seeds_dir / SECURITY_SEED, dtype=str)
    return sorted(frame["ioname_lower"].str.strip().str.lower())


def pandas_read(path: Path) -> pd.DataFrame:
    return pd.read_csv(
        path, dtype={"ccode": "int32", "year": "int32", "ioname": "string", "status": "int32"}
    )


def pandas_joint_memberships(frame: pd.DataFrame, security: list[str]) -> pd.DataFrame:
    """Joint full memberships per dyad-year with a merge and a groupby."""
    full = frame.loc[frame["status"] == 1, ["ccode", "year", "ioname"]]
    full = full.assign(ioname=full["ioname"].str.strip().str.lower())
    full["is_security_igo"] = full["ioname"].isin(security)
    pairs = full.merge(full, on=["year", "ioname"], suffixes=("1", "2"))
    pairs = pairs[pairs["ccode1"] < pairs["ccode2"]]
    return (
        pairs.groupby(["ccode1", "ccode2", "year"], sort=False)
        .agg(joint_igo_full=("ioname", "size"),
             joint_security_igo_full=("is_security_igo1", "sum"))
        .reset_index()
    )


def compare(raw_dir: Path, seeds_dir: Path, sql_dir: Path, work_dir: Path, scale: int,
            runs: int = 3, pandas_memory_budget: int | None = None,
            profile: bool = True) -> BaselineComparison:
    """Time (a) the project's model, (b) pandas, (c) the DuckDB floor on one raw directory."""
    raw_file = read_manifest(raw_dir / "sources.toml")[IGO_SOURCE].file(IGO_FILE).path
    security = security_igos(seeds_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    db_path = work_dir / f"baseline-x{scale}.duckdb"
    db_path.unlink(missing_ok=True)
    timings = {
        "project": Timing("project", f"{TARGET_MODEL}.sql built by pipelines.models "
                                     "(upstream tables ready)"),
        "pandas": Timing("pandas", "pandas merge on (year, IGO) + groupby dyad-year "
                                   "(frame in memory)"),
        "floor": Timing("floor", "DuckDB alone on the raw file: read_csv + self-join + group by"),
        "floor_in_memory": Timing("floor_in_memory", "the floor query on a table already in "
                                                     "memory (no read)"),
    }
    profile_summary: dict = {}
    con = duckdb.connect(str(db_path))
    try:
        all_models = prepare_model_database(con, raw_dir, seeds_dir, sql_dir)

        def project() -> tuple[int, int, int]:
            models.build_models(con, all_models, only={TARGET_MODEL})
            return _summary(con, TARGET_MODEL)

        _time(timings["project"], runs, project)
        if profile:
            profile_summary = operator_profile(con, all_models[TARGET_MODEL], work_dir)
        membership_rows = con.execute(
            "select count(*) from int_cow_igo_memberships_checked"
        ).fetchall()[0][0]
        self_join_rows = con.execute(
            """
            select coalesce(sum(n * n), 0) from (
                select count(*) as n from int_cow_igo_memberships_checked
                where reject is null and status = 1 group by year, ioname
            )
            """
        ).fetchall()[0][0]
    finally:
        con.close()
        db_path.unlink(missing_ok=True)

    floor = duckdb.connect()
    try:
        def floor_from_file() -> tuple[int, int, int]:
            floor.execute(
                "create or replace table floor_pairs as "
                + FLOOR_SQL.format(source=RAW_READ),
                {"path": str(raw_file), "security": security},
            )
            return _summary(floor, "floor_pairs")

        _time(timings["floor"], runs, floor_from_file)
        floor.execute(f"create table memberships_in_memory as select * from {RAW_READ}",
                      {"path": str(raw_file)})

        def floor_in_memory() -> tuple[int, int, int]:
            floor.execute(
                "create or replace table floor_pairs as "
                + FLOOR_SQL.format(source="memberships_in_memory"),
                {"security": security},
            )
            return _summary(floor, "floor_pairs")

        _time(timings["floor_in_memory"], runs, floor_in_memory)
    finally:
        floor.close()

    predicted = self_join_rows * PANDAS_BYTES_PER_PAIR
    if pandas_memory_budget is not None and predicted > pandas_memory_budget:
        timings["pandas"].skipped = (
            f"skipped: the merge makes {self_join_rows:,} rows, about "
            f"{predicted / (1 << 30):.0f} GiB, over the {pandas_memory_budget / (1 << 30):.0f} "
            "GiB budget"
        )
    else:
        read_started = time.perf_counter()
        frame = pandas_read(raw_file)
        timings["pandas"].read_seconds = round(time.perf_counter() - read_started, 3)

        def pandas_run() -> tuple[int, int, int]:
            result = pandas_joint_memberships(frame, security)
            return (len(result), int(result["joint_igo_full"].sum()),
                    int(result["joint_security_igo_full"].sum()))

        _time(timings["pandas"], runs, pandas_run)
        del frame
        gc.collect()

    outputs = {t.output for t in timings.values() if t.output is not None}
    medians = {name: t.median for name, t in timings.items()}

    def ratio(numerator: str, denominator: str) -> float | None:
        top, bottom = medians[numerator], medians[denominator]
        return round(top / bottom, 2) if top and bottom else None

    return BaselineComparison(
        scale=scale,
        membership_rows=int(membership_rows),
        self_join_rows=int(self_join_rows),
        timings=timings,
        outputs_agree=len(outputs) == 1,
        ratios={
            "project / floor": ratio("project", "floor"),
            "project / floor_in_memory": ratio("project", "floor_in_memory"),
            "pandas / project": ratio("pandas", "project"),
            "pandas / floor": ratio("pandas", "floor"),
        },
        profile=profile_summary,
    )


def operator_profile(con: duckdb.DuckDBPyConnection, model: models.Model, work_dir: Path,
                     top: int = 6) -> dict:
    """DuckDB's own profile of one build of the model: the operators that take the time."""
    profile_path = work_dir / f"profile-{model.name}.json"
    con.execute("set enable_profiling = 'json'")
    con.execute("set profiling_output = $path", {"path": str(profile_path)})
    try:
        models.build_models(con, {model.name: model}, only={model.name})
    finally:
        con.execute("pragma disable_profiling")
    document = json.loads(profile_path.read_text(encoding="utf-8"))
    operators: list[dict] = []
    stack = list(document.get("operator", []))
    while stack:
        node = stack.pop()
        stack.extend(node.get("children", []))
        operators.append({"operator": node.get("type", "?"),
                          "seconds": round(float(node.get("timing", 0.0)), 3),
                          "rows": int(node.get("intermediate_rows", 0))})
    operators.sort(key=lambda op: op["seconds"], reverse=True)
    query = document.get("query", {})
    return {
        "total_seconds": round(float(query.get("total_time", 0.0)), 3),
        "cpu_seconds": round(float(query.get("cpu_time", 0.0)), 3),
        "peak_buffer_memory": int(document.get("system", {}).get("peak_buffer_memory", 0)),
        "top_operators": operators[:top],
    }
