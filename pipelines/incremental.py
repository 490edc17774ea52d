"""Incremental refreshes: decide what a refresh must rebuild, and why, before it starts.

Every table the refresh makes gets a fingerprint: a hash of what it is made from.  A raw table's
is its file's sha256; a seed's, its file's; a SQL model's, its SQL text, the shared macros, the
code version and its dependencies' fingerprints; the indices' (py_*) tables', the indices
configuration, the code and every mart they can read.  Because a model's fingerprint includes
its inputs', a change anywhere upstream changes everything downstream of it and nothing else.

The published manifest records the fingerprints of its release, and the refresh keeps that
release's work database in marts/.cache/.  The next refresh compares:

    nothing differs                 -> no-op: nothing is built or published (decided in
                                       milliseconds, before Prefect or Great Expectations load)
    only the reports' inputs differ -> re-render the reports from the published marts
    some tables differ              -> partial: start from the cached database and rebuild only
                                       those tables, then gate and publish as usual
    no usable cache, or the code    -> full rebuild
    or the set of models changed

The plan, with a reason for each rebuilt table, goes into the new release's manifest; every
decision (no-ops included) is appended to marts/refresh-log.jsonl.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipelines import models
from pipelines.raw_manifest import read_manifest
from pipelines.settings import PROJECT_ROOT, Settings
from pipelines.sources import ADAPTERS

NOOP, REPORTS, PARTIAL, FULL = "noop", "reports", "partial", "full"
COVERAGE_TABLE = "raw_sources__coverage"
REPORTS_KEY = "reports"
CACHE_DB_NAME = "work.duckdb"
CACHE_META_NAME = "cache.json"
LOG_NAME = "refresh-log.jsonl"
# Tables of raw files no source adapter claims (an analysts' register, say): one shared
# fingerprint over every unclaimed file, so any change there rebuilds what reads them.
UNCLAIMED_RAW = "raw/*"


def _sha256_bytes(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _tree_hash(paths: list[Path], base: Path) -> str:
    parts: list[bytes] = []
    for path in sorted(paths):
        parts += [str(path.relative_to(base)).encode(), path.read_bytes()]
    return _sha256_bytes(*parts)


def code_fingerprint() -> str:
    """The coop package itself: any code, template or asset change rebuilds everything."""
    package = PROJECT_ROOT / "pipelines"
    files = [
        path
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith(".")
    ]
    return _tree_hash(files, package)


CODE_KEY, MACROS_KEY = "coop code", "sql/macros"
INDICES_CONFIG_KEY, REPORTS_CONFIG_KEY = "indices.toml", "reports.toml"
# The indices stage's output tables share one fingerprint, made from the marts it reads
# (tests/test_incremental.py checks this list against pipelines/indices/stage.py).
_PY = "py_*"
INDICES_READ = ("mart_country_year", "mart_dyad_year", "mart_source_coverage")


def read_inputs(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """Fingerprints of everything besides the SQL models a refresh reads, and their origins.

    Keys: raw_*/seed_* tables, the coverage table, the code, the macros and the two configs.
    """
    external: dict[str, str] = {}
    origin: dict[str, str] = {}
    claimed: set[Path] = {settings.sources_manifest.resolve()}
    sources = read_manifest(settings.sources_manifest)
    for source_id, adapter in ADAPTERS.items():
        source = sources.get(source_id)
        for spec in adapter.FILES:
            raw_file = source.file(spec.file_name) if source else None
            if raw_file is not None and raw_file.path.exists():
                external[spec.table] = _sha256_file(raw_file.path)
                claimed.add(raw_file.path.resolve())
                origin[spec.table] = f"raw/{raw_file.path.relative_to(settings.raw_dir)}"
            else:
                external[spec.table] = "missing"
                origin[spec.table] = f"raw file {source_id}/{spec.file_name} (missing)"
    coverage = [
        [s.source_id, s.dataset, s.version, s.citation, s.role, s.first_year, s.last_year]
        for s in sorted(sources.values(), key=lambda s: s.source_id)
    ]
    external[COVERAGE_TABLE] = _sha256_bytes(json.dumps(coverage, default=str).encode())
    origin[COVERAGE_TABLE] = "the coverage or citations in raw/sources.toml"
    unclaimed = [
        path
        for path in settings.raw_dir.rglob("*")
        if path.is_file() and path.resolve() not in claimed
    ]
    external[UNCLAIMED_RAW] = _tree_hash(unclaimed, settings.raw_dir)
    origin[UNCLAIMED_RAW] = "raw files outside raw/sources.toml (raw/register/)"
    for path in sorted(settings.seeds_dir.glob("*.csv")):
        external[f"seed_{path.stem}"] = _sha256_file(path)
        origin[f"seed_{path.stem}"] = f"seeds/{path.name}"
    external[CODE_KEY] = code_fingerprint()
    origin[CODE_KEY] = "coop's code (pipelines/)"
    external[MACROS_KEY] = _tree_hash(
        sorted((settings.sql_dir / "macros").glob("*.sql")), settings.sql_dir
    )
    origin[MACROS_KEY] = "the SQL macros (sql/macros/)"
    external[INDICES_CONFIG_KEY] = _sha256_file(settings.indices_file)
    origin[INDICES_CONFIG_KEY] = "indices.toml"
    # The marts' metadata files feed the data dictionary: a reworded meaning re-renders it.
    report_inputs = (
        [settings.reports_file] if settings.reports_file.exists() else []
    ) + sorted((settings.sql_dir / "reports").glob("*.sql")) + sorted(
        (settings.sql_dir / "marts").glob("*.toml")
    )
    external[REPORTS_CONFIG_KEY] = _sha256_bytes(
        *(part for path in report_inputs for part in (path.name.encode(), path.read_bytes()))
    )
    origin[REPORTS_CONFIG_KEY] = "the reports' configuration or queries"
    return external, origin


def fingerprints(external: dict[str, str], all_models: dict[str, models.Model]) -> dict[str, str]:
    """Fingerprint of every table a refresh makes, and of the reports, from its inputs'
    fingerprints (read_inputs)."""
    result = dict(external)
    shared = (external[CODE_KEY].encode(), external[MACROS_KEY].encode())

    def model_fingerprint(model: models.Model) -> str:
        deps = []
        for dep in sorted(model.depends_on):
            if dep.startswith(models.PYTHON_TABLE_PREFIX):
                dep = _PY
            deps.append(f"{dep}={result.get(dep, result[UNCLAIMED_RAW])}".encode())
        return _sha256_bytes(model.fingerprint_text.encode(), *shared, *deps)

    after_python = models.downstream_of_python(all_models)
    order = models.build_order(all_models)
    for name in order:  # the models the indices read
        if name not in after_python:
            result[name] = model_fingerprint(all_models[name])
    result[_PY] = _sha256_bytes(
        *shared,
        external[INDICES_CONFIG_KEY].encode(),
        *(f"{name}={result[name]}".encode() for name in INDICES_READ),
        *(f"{key}={value}".encode() for key, value in sorted(external.items())
          if key.startswith("seed_")),
    )
    for name in order:
        if name in after_python:
            result[name] = model_fingerprint(all_models[name])
    marts = sorted(name for name, model in all_models.items() if model.layer == "marts")
    result[REPORTS_KEY] = _sha256_bytes(
        external[CODE_KEY].encode(),
        external[REPORTS_CONFIG_KEY].encode(),
        *(f"{name}={result[name]}".encode() for name in marts),
    )
    return result


@dataclass(frozen=True)
class Plan:
    mode: str
    reasons: tuple[str, ...]
    fingerprints: dict[str, str]
    rebuild: frozenset[str] = frozenset()  # tables whose fingerprint changed
    reuse_from: Path | None = None  # the cached work database a partial run starts from
    previous_run_id: str | None = None

    @property
    def compute_indices(self) -> bool:
        return self.mode == FULL or _PY in self.rebuild

    def builds(self, name: str) -> bool:
        return self.mode == FULL or name in self.rebuild

    def summary(self) -> dict:
        """What goes into the release manifest and the refresh log."""
        return {
            "mode": self.mode,
            "reasons": list(self.reasons),
            "previous_run_id": self.previous_run_id,
            "rebuilt": sorted(self.rebuild) if self.mode == PARTIAL else "all",
        }


def cache_dir(settings: Settings) -> Path:
    return settings.marts_dir / ".cache"


def _cached_run_id(settings: Settings) -> str | None:
    meta = cache_dir(settings) / CACHE_META_NAME
    if not meta.exists() or not (cache_dir(settings) / CACHE_DB_NAME).exists():
        return None
    return json.loads(meta.read_text(encoding="utf-8")).get("run_id")


def plan_refresh(settings: Settings, published: dict | None, full: bool = False) -> Plan:
    """Compare this checkout's inputs with the published release's; say what to rebuild."""
    all_models = models.discover_models(settings.sql_dir)
    external, origin = read_inputs(settings)
    now = fingerprints(external, all_models)
    if full:
        return Plan(FULL, ("a full rebuild was requested (--full)",), now)
    if published is None:
        return Plan(FULL, ("nothing is published yet",), now)
    before = published.get("fingerprints") or {}
    run_id = published.get("run_id")
    if not before:
        return Plan(
            FULL, ("the published release records no fingerprints",), now, previous_run_id=run_id
        )
    changed = frozenset(key for key, value in now.items() if before.get(key) != value)
    if not changed:
        reason = f"no input changed since release {run_id}"
        return Plan(NOOP, (reason,), now, previous_run_id=run_id)
    reasons = [f"{origin[key]} changed" for key in sorted(changed & set(origin))]
    # A model that changed while none of its inputs did: its own SQL changed.
    reasons += [
        f"{all_models[name].path.relative_to(settings.sql_dir.parent)} changed"
        for name in models.build_order(all_models)
        if name in changed and not any(
            dep in changed or (dep.startswith(models.PYTHON_TABLE_PREFIX) and _PY in changed)
            for dep in all_models[name].depends_on
        ) and not changed & {CODE_KEY, MACROS_KEY}
    ]

    def plan(mode: str, *extra: str) -> Plan:
        return Plan(mode, (*reasons, *extra), now, changed, previous_run_id=run_id)

    if changed <= {REPORTS_KEY, REPORTS_CONFIG_KEY}:
        return plan(REPORTS)
    if changed & {CODE_KEY, MACROS_KEY}:
        return plan(FULL)
    removed = sorted(set(before) - set(now))
    if removed:
        return plan(FULL, f"no longer made: {', '.join(removed)}")
    if _cached_run_id(settings) != run_id:
        return plan(FULL, f"no reusable build of release {run_id} in {cache_dir(settings)}")
    return Plan(
        PARTIAL, tuple(reasons), now, changed, cache_dir(settings) / CACHE_DB_NAME, run_id
    )


def keep_cache(settings: Settings, work_db: Path, run_id: str) -> None:
    """Keep the published run's work database: the next partial refresh starts from it."""
    target_dir = cache_dir(settings)
    target_dir.mkdir(parents=True, exist_ok=True)
    meta = target_dir / CACHE_META_NAME
    meta.unlink(missing_ok=True)  # invalid while the database is being replaced
    os.replace(work_db, target_dir / CACHE_DB_NAME)
    wal = work_db.with_name(work_db.name + ".wal")
    if wal.exists():
        os.replace(wal, target_dir / (CACHE_DB_NAME + ".wal"))
    temporary = meta.with_name(f".{meta.name}.tmp-{os.getpid()}")
    temporary.write_text(json.dumps({"run_id": run_id}) + "\n", encoding="utf-8")
    os.replace(temporary, meta)


def seed_work_db(plan: Plan, work_db: Path) -> None:
    """Start a partial run from a copy of the cached database (the cache stays intact)."""
    if plan.mode != PARTIAL or plan.reuse_from is None:
        return
    shutil.copyfile(plan.reuse_from, work_db)
    wal = plan.reuse_from.with_name(plan.reuse_from.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, work_db.with_name(work_db.name + ".wal"))


def append_log(settings: Settings, entry: dict) -> None:
    """One JSON line per refresh decision (no-ops and failures included), newest last."""
    settings.marts_dir.mkdir(parents=True, exist_ok=True)
    line = {"at": datetime.now(UTC).isoformat(timespec="seconds"), **entry}
    with (settings.marts_dir / LOG_NAME).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, sort_keys=True, default=str) + "\n")


def read_log(settings: Settings, last: int = 5) -> list[dict]:
    path = settings.marts_dir / LOG_NAME
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()[-last:]
    return [json.loads(line) for line in lines if line.strip()]
