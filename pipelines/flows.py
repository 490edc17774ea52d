"""Prefect wrapping of the refresh: one task per stage, ordered by one flow.

The logic lives in pipelines.refresh; this module only adds orchestration (retries on I/O,
logging, states).  `refresh_flow()` runs with no Prefect server: Prefect starts a temporary
local one for the run.  `coop serve` (a later issue) registers it on a cron schedule.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipelines import incremental, refresh
from pipelines.dictionary import render_dictionary
from pipelines.errors import CoopError
from pipelines.faults import pause_point
from pipelines.lock import writer_lock
from pipelines.publish import MANIFEST_NAME, read_published_manifest
from pipelines.report import publish_validation_docs, render_index
from pipelines.settings import Settings, get_settings


def _retry_unless_user_error(task, task_run, state) -> bool:
    """Retry transient I/O failures, not bad input: a changed file stays changed."""
    return not isinstance(state.data, CoopError)


_IO_RETRIES = {
    "retries": 2,
    "retry_delay_seconds": [1, 5],
    "retry_condition_fn": _retry_unless_user_error,
}


@task(name="load", cache_policy=NO_CACHE, **_IO_RETRIES)
def load(
    settings: Settings, run: refresh.RunContext, plan: incremental.Plan | None = None
) -> dict:
    """Verify checksums and headers, copy every raw file into the run's database."""
    return refresh.stage_load(settings, run, plan)


@task(name="validate", cache_policy=NO_CACHE)
def validate(
    settings: Settings, run: refresh.RunContext, plan: incremental.Plan
) -> dict:
    """Apply the row-level rules; count rows kept and quarantined per source and rule."""
    return refresh.stage_validate(settings, run, plan)


@task(name="build", cache_policy=NO_CACHE)
def build(
    settings: Settings, run: refresh.RunContext, plan: incremental.Plan
) -> dict:
    """Build the intermediate models and marts; fail if a mart breaks its declared checks."""
    return refresh.stage_build(settings, run, plan)


@task(name="indices", cache_policy=NO_CACHE)
def indices(
    settings: Settings, run: refresh.RunContext, plan: incremental.Plan
) -> dict:
    """Compute the cooperation indices, partnerships, blocs, networks and uncertainty."""
    return refresh.stage_indices(settings, run, plan=plan)


@task(name="gate", cache_policy=NO_CACHE)
def gate(settings: Settings, run: refresh.RunContext) -> dict:
    """Great Expectations suites over accepted source rows and every mart; stop on failure."""
    return refresh.stage_gate(settings, run)


@task(name="publish", cache_policy=NO_CACHE, **_IO_RETRIES)
def publish(
    settings: Settings, run: refresh.RunContext, summary: dict, plan: incremental.Plan
) -> dict:
    """Export the marts and swap the release in atomically."""
    return refresh.stage_publish(settings, run, summary, plan)


@task(name="report", cache_policy=NO_CACHE, **_IO_RETRIES)
def report(settings: Settings, run: refresh.RunContext | None) -> Path:
    """Publish this run's validation results and render the reports from the published marts."""
    if run is not None:
        publish_validation_docs(settings, refresh.validation_docs_dir(settings, run))
    pause_point("report")
    render_dictionary(settings)  # first: the other pages link it only if it exists
    return render_index(settings)


@task(name="plan", cache_policy=NO_CACHE)
def plan(settings: Settings, full: bool) -> incremental.Plan:
    """Compare the inputs with the published release's: what to rebuild, and why."""
    return incremental.plan_refresh(settings, read_published_manifest(settings), full=full)


@flow(name="refresh", log_prints=True)
def refresh_flow(full: bool = False) -> dict:
    """Plan, then load -> validate -> build -> indices -> gate -> publish -> report on raw/.

    With no input changed since the published release, nothing is built (mode "noop"); with
    only some changed, only what depends on them is rebuilt (mode "partial"); `full` forces a
    complete rebuild.  Every decision is appended to marts/refresh-log.jsonl.
    """
    settings = get_settings()
    logger = get_run_logger()
    with writer_lock(settings.lock_file):
        planned = plan(settings, full)
        logger.info("plan: %s (%s)", planned.mode, "; ".join(planned.reasons))
        try:
            summary = _run_plan(settings, planned)
        except Exception as exc:
            incremental.append_log(
                settings, {**planned.summary(), "outcome": "failed", "error": str(exc)}
            )
            raise
        incremental.append_log(
            settings,
            {**planned.summary(), "outcome": "published" if summary.get("release") else "done",
             "release": summary.get("release"), "seconds": summary.get("seconds")},
        )
    logger.info("run summary: %s", json.dumps(summary.get("marts", {})))
    logger.info("stage seconds: %s", json.dumps(summary.get("seconds", {})))
    return summary


def _run_plan(settings: Settings, planned: incremental.Plan) -> dict:
    seconds: dict[str, float] = {}
    base = {"mode": planned.mode, "reasons": list(planned.reasons), "seconds": seconds}
    if planned.mode == incremental.NOOP:
        return base
    if planned.mode == incremental.REPORTS:
        with refresh.timed(seconds, "report"):
            report_path = report(settings, None)
        return {**base, "report": str(report_path)}
    run = refresh.new_run(settings, planned)
    get_run_logger().info("run %s: building in %s", run.run_id, run.build_dir)
    with refresh.timed(seconds, "load"):
        loaded = load(settings, run, planned)
    with refresh.timed(seconds, "validate"):
        validated = validate(settings, run, planned)
    with refresh.timed(seconds, "build"):
        built = build(settings, run, planned)
    with refresh.timed(seconds, "indices"):
        indexed = indices(settings, run, planned)
    with refresh.timed(seconds, "gate"):
        validated_marts = gate(settings, run)
    summary = {
        "raw_checksums": loaded["raw_checksums"],
        "raw_rows": loaded["rows_by_table"],
        "sources": validated,
        "build": built,
        "indices": indexed,
        "gate": validated_marts,
        "seconds": dict(seconds),
    }
    with refresh.timed(seconds, "publish"):
        published = publish(settings, run, summary, planned)
    with refresh.timed(seconds, "report"):
        report_path = report(settings, run)
    _record_final_timings(Path(published["release"]), seconds)
    return {
        **base,
        "seconds": seconds,
        "release": published["release"],
        "report": str(report_path),
        "marts": {name: info["rows"] for name, info in published["marts"].items()},
    }


def _record_final_timings(release: Path, seconds: dict[str, float]) -> None:
    """Add the publish and report times to the release manifest (atomic rewrite)."""
    path = release / MANIFEST_NAME
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["seconds"] = dict(seconds)
    temporary = path.with_name(f".{MANIFEST_NAME}.tmp-{os.getpid()}")
    temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)
