"""Prefect wrapping of the event refresh: one task per stage (logic in pipelines.events.refresh).

A separate flow from the main refresh, on purpose: its inputs (a Parquet lake that can hold
billions of rows) and its engine (DuckDB or a Spark cluster) have their own lifecycle, so that
`coop refresh` and `make run` never need Java, Spark or the lake, and a multi-hour Spark build
never holds the main refresh's writer lock. The build task dispatches the same SQL models to the
engine the settings choose; the gate and the atomic publish are the same whichever ran.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipelines.events import refresh
from pipelines.lock import writer_lock
from pipelines.settings import get_settings


@task(name="events-convert", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def convert(settings) -> dict:
    """Verify the shipped event files and convert them into the Parquet lake."""
    return refresh.stage_convert(settings)


@task(name="events-build", cache_policy=NO_CACHE)
def build(settings, run) -> dict:
    """Dispatch the event models to DuckDB or Spark Connect (settings.event_engine)."""
    return refresh.stage_build(settings, run)


@task(name="events-gate", cache_policy=NO_CACHE)
def gate(settings, run) -> dict:
    """Declared mart checks plus the honesty rule; stop on failure."""
    return refresh.stage_gate(settings, run)


@task(name="events-publish", cache_policy=NO_CACHE)
def publish(settings, run, summary: dict) -> str:
    """Export the marts and swap the event release in atomically."""
    return str(refresh.stage_publish(settings, run, summary))


@flow(name="events-refresh", log_prints=True)
def events_flow(engine: str | None = None) -> dict:
    settings = get_settings()
    settings.events_marts_dir.mkdir(parents=True, exist_ok=True)
    with writer_lock(settings.events_marts_dir / ".refresh.lock"):
        converted = convert(settings)
        run = refresh.new_run(settings, engine)
        get_run_logger().info("event run %s on %s", run.run_id, run.engine)
        try:
            built = build(settings, run)
            checks = gate(settings, run)
            release = publish(settings, run, {"converted": converted, "build": built,
                                              "checks_failed": sum(checks.values())})
        except Exception:
            refresh.discard(run)
            raise
    return {"release": release, **built}
