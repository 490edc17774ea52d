"""The refresh stages as plain functions: load -> validate -> build -> publish -> report.

flows.py wraps each in a Prefect task; tests call them directly.  Every stage works on files
of its own run (marts/.build/<run_id>/), so a failure or a kill at any point leaves the
published marts untouched, and the next run clears the leftovers.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines import __version__, incremental, models
from pipelines.db import connect_work
from pipelines.errors import InputFileError
from pipelines.faults import pause_point
from pipelines.loading import load_sources
from pipelines.publish import (
    describe_files,
    export_release,
    next_publish_sequence,
    prune_releases,
    swap_in,
    write_manifest,
)
from pipelines.settings import PROJECT_ROOT, Settings

# What the refresh in this process is doing: its run id and stage (set by new_run and timed), so
# a refresh stopped by a signal can say where it stopped.
progress: dict[str, str | None] = {"run_id": None, "stage": None}

# Models whose rows carry a reject reason: validation builds these and everything upstream.
CHECKED_MODEL_SUFFIX = "_checked"


@dataclass(frozen=True)
class RunContext:
    run_id: str
    build_dir: Path

    @property
    def work_db(self) -> Path:
        return self.build_dir / "work.duckdb"

    @property
    def release_dir(self) -> Path:
        return self.build_dir / "release"


def new_run(settings: Settings, plan: incremental.Plan | None = None) -> RunContext:
    """Start a run: clear leftovers of earlier (killed) runs, make this run's build directory.

    A partial plan starts from a copy of the published run's cached work database.  Call only
    while holding the writer lock, so no live run's files are removed.
    """
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    clear_leftovers(settings)
    build_dir = settings.build_dir / run_id
    build_dir.mkdir(parents=True)
    run = RunContext(run_id=run_id, build_dir=build_dir)
    progress.update(run_id=run_id, stage=None)
    if plan is not None:
        incremental.seed_work_db(plan, run.work_db)
    return run


def clear_leftovers(settings: Settings) -> list[str]:
    """Remove the build directories and half-written temporary files of stopped runs.

    Call only while holding the writer lock (no live run's files are then removed).  Returns
    the build directories removed.
    """
    removed = []
    if settings.build_dir.exists():
        removed = sorted(path.name for path in settings.build_dir.iterdir())
        shutil.rmtree(settings.build_dir)
    # Half-made swap links and report files of a run killed mid-write.
    for directory in (settings.marts_dir, settings.reports_dir):
        if directory.is_dir():
            for stray in directory.glob(".*.tmp-*"):
                if stray.is_dir() and not stray.is_symlink():
                    shutil.rmtree(stray, ignore_errors=True)
                else:
                    stray.unlink(missing_ok=True)
    return removed


def check_code_root(settings: Settings, argv0: str, cwd: Path) -> None:
    """Refuse to run when this process runs another copy of the project's code.

    A virtual environment is not relocatable: a copied project's .venv/bin/coop starts the
    Python of the original's .venv, which imports the original's code, whose settings point at
    the original's raw/ and marts/.  Detected when the `coop` script run lives in the .venv of
    another project than the code, or when the command runs inside another coop project (its
    own pyproject.toml and pipelines/) with no COOP_ROOT chosen.
    """
    from pipelines.errors import CopiedProjectError

    script = Path(argv0)
    script = (cwd / script) if not script.is_absolute() else script
    candidates = []
    if script.parent.name == "bin" and script.parent.parent.name == ".venv" and script.is_file():
        candidates.append(script.parent.parent.parent)
    if settings.root == PROJECT_ROOT:  # no COOP_ROOT: the project is wherever the user is
        candidates += [directory for directory in (cwd, *cwd.parents)
                       if (directory / "pipelines" / "settings.py").is_file()
                       and (directory / "pyproject.toml").is_file()][:1]
    for project in candidates:
        if _same_directory(project, PROJECT_ROOT):
            continue
        raise CopiedProjectError(
            f"this command runs the code of {PROJECT_ROOT}, not of {project}: the project was "
            f"copied with its virtual environment, which cannot be moved (it would read and "
            f"publish into {PROJECT_ROOT}). Rebuild the environment of this copy: "
            f"cd {project} && rm -rf .venv .tools && make install"
        )


def _same_directory(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve() or first.samefile(second)
    except OSError:
        return False


def _planned(names: set[str], plan: incremental.Plan | None) -> set[str]:
    """The models of `names` this run builds: all of them, or those a partial plan changed."""
    return names if plan is None else {name for name in names if plan.builds(name)}


def stage_load(
    settings: Settings, run: RunContext, plan: incremental.Plan | None = None
) -> dict:
    con = connect_work(run.work_db)
    try:
        summary = load_sources(con, settings)
        pause_point("load")
    finally:
        con.close()
    changed = incremental.loaded_differs(plan, summary.fingerprints) if plan else []
    if changed:
        names = [
            "raw/register/" if key == incremental.UNCLAIMED_RAW else f"the raw file of {key}"
            for key in changed
        ]
        raise InputFileError(
            f"{', '.join(names)}: changed while this refresh was running (the bytes loaded "
            f"are not those it was planned from). Nothing was published; run `coop refresh` "
            f"again once the files in raw/ are as you want them."
        )
    return {"rows_by_table": summary.rows_by_table, "raw_checksums": summary.checksums,
            "warnings": summary.warnings}


def _validation_models(all_models: dict[str, models.Model]) -> set[str]:
    checked = {name for name in all_models if name.endswith(CHECKED_MODEL_SUFFIX)}
    return models.upstream_of(all_models, checked)


def stage_validate(
    settings: Settings, run: RunContext, plan: incremental.Plan | None = None
) -> dict:
    """Build the staging and checked models; count rows kept and quarantined per source/rule."""
    all_models = models.discover_models(settings.sql_dir)
    con = connect_work(run.work_db)
    try:
        models.create_macros(con, settings.sql_dir)
        built = models.build_models(
            con, all_models, only=_planned(_validation_models(all_models), plan)
        )
        models.run_checks(con, all_models, layer=None, only=set(built))
        pause_point("validate")
        per_source: dict[str, dict] = {}
        for name in sorted(all_models):
            if not name.endswith(CHECKED_MODEL_SUFFIX):
                continue
            rows = con.execute(
                f"""
                select source_id, source_file, reject.rule as rule, count(*) as n
                from {name} group by all order by all
                """
            ).fetchall()
            for source_id, source_file, rule, count in rows:
                entry = per_source.setdefault(
                    f"{source_id}/{source_file}", {"loaded": 0, "quarantined": {}}
                )
                if rule is None:
                    entry["loaded"] += count
                else:
                    entry["quarantined"][rule] = entry["quarantined"].get(rule, 0) + count
    finally:
        con.close()
    return per_source


def stage_build(settings: Settings, run: RunContext, plan: incremental.Plan | None = None) -> dict:
    """Build the remaining SQL models, then run the declared checks of the marts built."""
    all_models = models.discover_models(settings.sql_dir)
    remaining = _planned(
        set(all_models) - _validation_models(all_models) - models.downstream_of_python(all_models),
        plan,
    )
    con = connect_work(run.work_db)
    try:
        models.create_macros(con, settings.sql_dir)
        built = models.build_models(con, all_models, only=remaining)
        pause_point("build")
        checks = models.run_checks(con, all_models, layer=None, only=set(built))
        con.execute("checkpoint")
    finally:
        con.close()
    return {"models_built": len(built), "checks_passed": len(checks)}


def stage_indices(
    settings: Settings,
    run: RunContext,
    draws: int | None = None,
    plan: incremental.Plan | None = None,
) -> dict:
    """Compute the indices in Python, then build and check the marts that read them.

    A partial plan whose changes reach none of the indices' inputs keeps the cached ones.
    """
    from pipelines.indices.stage import compute_indices

    all_models = models.discover_models(settings.sql_dir)
    con = connect_work(run.work_db)
    try:
        if plan is None or plan.compute_indices:
            summary = compute_indices(con, settings, draws=draws)
        else:
            summary = {"computed": False, "reason": "none of the indices' inputs changed"}
        pause_point("indices")
        models.create_macros(con, settings.sql_dir)
        built = models.build_models(
            con, all_models, only=_planned(models.downstream_of_python(all_models), plan)
        )
        checks = models.run_checks(con, all_models, layer=None, only=set(built))
        con.execute("checkpoint")
    finally:
        con.close()
    return {**summary, "models_built": len(built), "checks_passed": len(checks)}


def validation_docs_dir(settings: Settings, run: RunContext) -> Path:
    """Where this run's GX Data Docs go; reports/validation points here once published."""
    return settings.reports_dir / f".validation-{run.run_id}"


def stage_gate(settings: Settings, run: RunContext) -> dict:
    """Great Expectations suites and column contracts: the last check before publishing."""
    from pipelines.publish import read_published_manifest
    from pipelines.validation import run_gate

    con = connect_work(run.work_db)
    try:
        pause_point("gate")
        result = run_gate(
            con, settings, validation_docs_dir(settings, run), read_published_manifest(settings)
        )
    finally:
        con.close()
    return {"suites": result.suites, "seconds": result.seconds, "data_docs": result.docs_index}


def config_hash(settings: Settings) -> str:
    """Hash of everything besides raw data that shapes the marts: SQL, seeds, manifest, indices."""
    digest = hashlib.sha256()
    files = sorted(settings.sql_dir.rglob("*.sql")) + sorted(settings.seeds_dir.glob("*.csv"))
    for path in [*files, settings.sources_manifest, settings.indices_file]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def stage_publish(
    settings: Settings,
    run: RunContext,
    run_summary: dict,
    plan: incremental.Plan | None = None,
) -> dict:
    """Export, describe and atomically swap in the release; prune old releases.

    The manifest records the inputs' fingerprints and the plan (what was rebuilt and why), and
    the run's work database is kept for the next partial refresh.
    """
    if plan is None:
        plan = incremental.plan_refresh(settings, None, full=True)
    exported = export_release(run.work_db, run.release_dir)
    manifest = {
        "run_id": run.run_id,
        # The order of publication: what pruning goes by (names and clocks can go backwards).
        "publish_sequence": next_publish_sequence(settings),
        "files": describe_files(run.release_dir),
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_version": __version__,
        "duckdb_version": duckdb.__version__,
        "config_sha256": config_hash(settings),
        "marts": exported,
        "plan": plan.summary(),
        "fingerprints": plan.fingerprints,
        **run_summary,
    }
    write_manifest(run.release_dir, manifest)
    pause_point("publish")
    release = swap_in(settings, run.release_dir, run.run_id)
    pruned = prune_releases(settings)
    incremental.keep_cache(settings, run.work_db, run.run_id)
    shutil.rmtree(run.build_dir, ignore_errors=True)
    return {"release": str(release), "pruned_releases": pruned, "marts": exported}


@contextmanager
def timed(seconds: dict[str, float], stage: str) -> Iterator[None]:
    """Record the wall-clock seconds a stage takes into `seconds[stage]`."""
    start = time.perf_counter()
    progress["stage"] = stage
    try:
        yield
    finally:
        seconds[stage] = round(time.perf_counter() - start, 3)
