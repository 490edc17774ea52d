"""The event refresh as plain functions: convert -> build (DuckDB or Spark) -> gate -> publish.

A run builds in marts/events/.build/<run>/ (its DuckDB file, and with Spark the Parquet that
Spark wrote), checks every mart's declared contract plus the honesty rule (no annual count for
a year not fully covered), exports the marts to Parquet, then publishes atomically: the run
directory is renamed into releases/ and the `current` symlink swapped with one os.replace. A
failed run publishes nothing and leaves the last release in place.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.errors import CoopError, ModelCheckError
from pipelines.events import engine as engines
from pipelines.events.ingest import convert_samples
from pipelines.models import run_checks
from pipelines.settings import Settings

RELEASES_TO_KEEP = 3
# Annual columns must be NULL wherever the (source, year) is not covered in full.
HONESTY_CHECKS = {
    "mart_event_dyad_year": "not full_year and (events is not null or event_days is not null "
                            "or reports is not null or sources is not null)",
    "mart_event_country_year": "not full_year and (events_sent is not null or events_received "
                               "is not null or event_days is not null)",
}


@dataclass
class EventRun:
    run_id: str
    build_dir: Path
    engine: str
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def db_path(self) -> Path:
        return self.build_dir / "events.duckdb"


def new_run(settings: Settings, engine: str | None = None) -> EventRun:
    engine = (engine or settings.event_engine).lower()
    if engine not in engines.ENGINES:
        raise CoopError(
            f"COOP_EVENT_ENGINE={engine!r}: choose one of {', '.join(engines.ENGINES)}."
        )
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
    build_dir = settings.events_marts_dir / ".build" / run_id
    build_dir.mkdir(parents=True)
    return EventRun(run_id, build_dir, engine)


def stage_convert(settings: Settings) -> dict:
    """Convert the shipped samples (raw/events/) into the lake; fetched files are already there."""
    con = duckdb.connect()
    try:
        converted = convert_samples(con, settings.events_raw_dir, settings.events_lake_dir)
    finally:
        con.close()
    return {c.source_file: c.rows for c in converted}


def stage_build(settings: Settings, run: EventRun, *, spark=None) -> dict:
    """Build every event model on the run's engine into the run's DuckDB file."""
    con = duckdb.connect(str(run.db_path))
    try:
        engines.load_inputs(con, settings, settings.events_lake_dir)
        if run.engine == "duckdb":
            result = engines.build_duckdb(con, settings, settings.events_duckdb_memory_limit)
        else:
            session = spark or engines.spark_session(settings.spark_remote)
            result = engines.build_spark(con, settings, session, run.build_dir / "spark",
                                         settings.events_lake_dir)
        return {"engine": result.engine, "marts": result.marts,
                "seconds": round(result.seconds, 2)}
    finally:
        con.close()


def stage_gate(settings: Settings, run: EventRun) -> dict:
    """Every mart's declared checks, and no annual count outside a fully covered year."""
    con = duckdb.connect(str(run.db_path))
    try:
        counts = run_checks(con, engines.event_models(settings))
        failures = []
        for mart, condition in HONESTY_CHECKS.items():
            bad = con.execute(f"select count(*) from {mart} where {condition}").fetchall()[0][0]
            counts[f"{mart}: annual only for full years"] = bad
            if bad:
                failures.append(f"{mart}: {bad} row(s) give an annual count for a year the "
                                f"source does not cover in full")
        if failures:
            raise ModelCheckError("Event marts fail the honesty gate; nothing was published:\n  "
                                  + "\n  ".join(failures))
        return counts
    finally:
        con.close()


def stage_publish(settings: Settings, run: EventRun, summary: dict) -> Path:
    """Export the marts to Parquet, then swap the release in atomically."""
    models = engines.event_models(settings)
    con = duckdb.connect(str(run.db_path))
    try:
        marts = {}
        for name, model in models.items():
            if model.layer != "marts":
                continue
            path = run.build_dir / f"{name}.parquet"
            con.execute(f"copy {name} to '{path}' (format parquet)")
            marts[name] = con.execute(f"select count(*) from {name}").fetchall()[0][0]
        coverage = con.execute(
            "select source_id, year, covered_from, covered_to, coverage_days, full_year "
            "from mart_event_coverage order by source_id, year").fetchall()
    finally:
        con.close()
    shutil.rmtree(run.build_dir / "spark", ignore_errors=True)
    manifest = {
        "run_id": run.run_id, "engine": run.engine, "marts": marts,
        "coverage": [dict(zip(("source_id", "year", "covered_from", "covered_to",
                               "coverage_days", "full_year"), map(_jsonable, row), strict=True))
                     for row in coverage],
        **summary,
    }
    (run.build_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    releases = settings.events_marts_dir / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    release = releases / run.run_id
    os.replace(run.build_dir, release)
    link = settings.events_marts_dir / "current"
    temporary = settings.events_marts_dir / f".current-{run.run_id}"
    temporary.symlink_to(Path("releases") / run.run_id)
    os.replace(temporary, link)
    for old in sorted(releases.iterdir())[:-RELEASES_TO_KEEP]:
        shutil.rmtree(old, ignore_errors=True)
    return release


def discard(run: EventRun) -> None:
    shutil.rmtree(run.build_dir, ignore_errors=True)


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
