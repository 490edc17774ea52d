"""Which build step is the heaviest: every SQL model of the refresh timed on its own.

The refresh's load runs as usual into a scratch run directory, then every model of the
validate and build stages is built one at a time in the refresh's order (the same SQL, the
same DuckDB settings) and timed, with its row count.  The heaviest step is the slowest model
over the median of `runs` builds; the bench then measures the DuckDB floor of that model (the
same query on tables already in memory, without the project's machinery) in the same run.

`python -m pipelines.bench.steps [RUNS [OUT.json]]` prints the table for this project's raw
data (and writes it as JSON); the bench runs it in a scratch project.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass

from pipelines import models, refresh
from pipelines.db import connect_work
from pipelines.settings import Settings, get_settings


@dataclass
class StepTiming:
    name: str
    stage: str  # validate or build
    seconds: list[float]
    rows: int

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def as_dict(self) -> dict:
        return {"name": self.name, "stage": self.stage, "median": round(self.median, 4),
                "seconds": self.seconds, "rows": self.rows}


@dataclass
class Steps:
    """Every model's timing (slowest first) and the DuckDB floor of the slowest."""

    timings: list[StepTiming]
    heaviest: str
    floor_seconds: list[float]
    floor_rows: int

    @property
    def floor_median(self) -> float:
        return statistics.median(self.floor_seconds)

    def as_dict(self, top: int = 12) -> dict:
        return {"heaviest": self.heaviest, "floor": {
                    "median": round(self.floor_median, 4), "seconds": self.floor_seconds,
                    "rows": self.floor_rows,
                    "description": "the model's query alone, in an in-memory DuckDB holding "
                                   "copies of its inputs (no reads, no project machinery)"},
                "models": [t.as_dict() for t in self.timings[:top]],
                "models_total_seconds": round(sum(t.median for t in self.timings), 3),
                "model_count": len(self.timings)}


def measure(settings: Settings, runs: int = 3) -> Steps:
    """Time every model, find the heaviest, and time its DuckDB floor, in one go."""
    run = refresh.new_run(settings)
    try:
        timings = time_models(settings, run, runs)
        heaviest = timings[0].name
        seconds, rows = model_floor(settings, run, heaviest, runs)
    finally:
        import shutil

        shutil.rmtree(run.build_dir, ignore_errors=True)
    return Steps(timings, heaviest, seconds, rows)


def model_floor(settings: Settings, run: refresh.RunContext, name: str,
                runs: int = 3) -> tuple[list[float], int]:
    """The model's own query, timed on copies of its inputs in an in-memory DuckDB: the least
    DuckDB can take for the step (the floor), whatever the project does around it."""
    import duckdb

    all_models = models.discover_models(settings.sql_dir)
    model = all_models[name]
    con = duckdb.connect(config={"memory_limit": settings.duckdb_memory_limit,
                                 "temp_directory": str(settings.duckdb_spill_dir)})
    try:
        con.execute("attach $path as work (read_only)", {"path": str(run.work_db)})
        for table in sorted(model.depends_on):
            con.execute(f"create table memory.main.{table} as select * from work.main.{table}")
        con.execute("detach work")
        models.create_macros(con, settings.sql_dir)
        for macro in model.macros:
            models._create_macro(con, macro)
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            con.execute(f"create or replace table floor_result as {models._body(model.sql)}")
            seconds.append(round(time.perf_counter() - started, 4))
        rows = con.execute("select count(*) from floor_result").fetchone()[0]
    finally:
        con.close()
    return seconds, int(rows)


def time_models(settings: Settings, run: refresh.RunContext, runs: int = 3) -> list[StepTiming]:
    """Every validate/build model timed alone (median of `runs` builds), slowest first."""
    refresh.stage_load(settings, run)
    all_models = models.discover_models(settings.sql_dir)
    validation = refresh._validation_models(all_models)
    wanted = set(all_models) - models.downstream_of_python(all_models)
    con = connect_work(run.work_db)
    timings: list[StepTiming] = []
    try:
        models.create_macros(con, settings.sql_dir)
        for name in models.build_order(all_models):
            if name not in wanted:
                continue
            seconds = []
            for _ in range(runs):
                started = time.perf_counter()
                models.build_models(con, all_models, only={name})
                seconds.append(round(time.perf_counter() - started, 4))
            rows = con.execute(f"select count(*) from {name}").fetchone()[0]
            timings.append(StepTiming(name, "validate" if name in validation else "build",
                                      seconds, int(rows)))
    finally:
        con.close()
    return sorted(timings, key=lambda t: t.median, reverse=True)


def main(argv: list[str]) -> None:
    runs = int(argv[0]) if argv else 3
    steps = measure(get_settings(), runs)
    if len(argv) > 1:
        import json
        from pathlib import Path

        Path(argv[1]).write_text(json.dumps(steps.as_dict(), indent=1), encoding="utf-8")
    timings = steps.timings
    total = sum(t.median for t in timings)
    print(f"{len(timings)} models, {total:.2f} s in all (median of {runs} builds each)")
    for timing in timings[:15]:
        print(f"  {timing.median:7.3f} s  {timing.rows:>12,} rows  {timing.stage:8}  "
              f"{timing.name}")
    print(f"Heaviest: {steps.heaviest}; its DuckDB floor (in memory): median "
          f"{steps.floor_median:.3f} s over {runs} ({steps.floor_rows:,} rows)")


if __name__ == "__main__":
    main(sys.argv[1:])
