"""Run the refresh stages as plain functions (no Prefect) for the tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from pipelines import refresh
from pipelines.settings import PROJECT_ROOT, Settings, get_settings


def build_work_db(settings: Settings) -> tuple[refresh.RunContext, dict]:
    """Load, validate and build into a fresh run directory; returns the run and its summary."""
    run = refresh.new_run(settings)
    loaded = refresh.stage_load(settings, run)
    validated = refresh.stage_validate(settings, run)
    built = refresh.stage_build(settings, run)
    # Few draws: the tests check the wiring and values, not the Monte-Carlo spread.
    indexed = refresh.stage_indices(settings, run, draws=20)
    gated = refresh.stage_gate(settings, run)
    return run, {"raw_rows": loaded["rows_by_table"], "raw_checksums": loaded["raw_checksums"],
                 "sources": validated, "build": built, "indices": indexed, "gate": gated}


def publish(settings: Settings) -> dict:
    run, summary = build_work_db(settings)
    return refresh.stage_publish(settings, run, summary)


def rows(con: duckdb.DuckDBPyConnection, query: str, params: dict | None = None) -> list[tuple]:
    return con.execute(query, params or {}).fetchall()


def published_bytes(settings: Settings) -> dict[str, bytes]:
    """Every published file's bytes, read through the stable names readers use."""
    return {path.name: path.read_bytes() for path in sorted(settings.marts_dir.iterdir())
            if path.name.endswith((".duckdb", ".parquet", ".json"))}


def planned_refresh(settings: Settings, full: bool = False):
    """The flow's path without Prefect: plan, then run only what the plan says.

    Returns the plan and, unless it was a no-op or reports-only, the publish result.
    """
    from pipelines import incremental
    from pipelines.publish import read_published_manifest

    plan = incremental.plan_refresh(settings, read_published_manifest(settings), full=full)
    if plan.mode in (incremental.NOOP, incremental.REPORTS):
        return plan, None
    run = refresh.new_run(settings, plan)
    loaded = refresh.stage_load(settings, run)
    validated = refresh.stage_validate(settings, run, plan)
    built = refresh.stage_build(settings, run, plan)
    indexed = refresh.stage_indices(settings, run, draws=20, plan=plan)
    gated = refresh.stage_gate(settings, run)
    summary = {"raw_rows": loaded["rows_by_table"], "raw_checksums": loaded["raw_checksums"],
               "sources": validated, "build": built, "indices": indexed, "gate": gated}
    return plan, refresh.stage_publish(settings, run, summary, plan)


@contextmanager
def fixture_project(root: Path, overrides: dict | None = None) -> Iterator[Settings]:
    """Settings for a project at `root` holding the synthetic raw files (with `overrides`) and
    reading the repository's SQL, seeds and indices.toml; the environment is restored after."""
    from tests.fixture_data import write_raw

    write_raw(root / "raw", overrides)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COOP_ROOT", str(root))
        patch.setenv("COOP_SQL_DIR", str(PROJECT_ROOT / "sql"))
        patch.setenv("COOP_SEEDS_DIR", str(PROJECT_ROOT / "seeds"))
        patch.setenv("COOP_INDICES_FILE", str(PROJECT_ROOT / "indices.toml"))
        yield get_settings()
