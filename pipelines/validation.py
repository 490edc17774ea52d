"""The Great Expectations gate: suites for every source's accepted rows and every mart.

GX is imported lazily (it costs about 5 s) and runs in an ephemeral context built for one
run: the suites are defined here in code, nothing is stored in a gx/ folder.  Every suite
whose expectations have a translation is checked inside DuckDB with GX's semantics
(pipelines/gate_sql.py; `Settings.gate_sql_rows`) and its outcome recorded in the GX context,
so GX's Data Docs show it; GX's own run per suite cost 0.2-1.4 s of overhead for the same
verdicts.  Any other suite is fetched from DuckDB as a pandas DataFrame for GX (GX's SQL
datasource on DuckDB fails its metric computations: great_expectations#10738).
Each source's suite is declared by its adapter (pipelines/sources/<source>.py,
`accepted_suite`); each mart's is derived from its metadata file (sql/marts/<mart>.toml), as
is its column contract (names and DuckDB types, compared exactly).  Row counts must stay
within a tolerance of the last good (published) run.

The row-level rules of the SQL staging models quarantine bad rows first; these suites then
check what was accepted, independently, so a missing or broken rule stops the run instead of
letting a bad row reach the marts.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipelines import gate_reuse, gate_sql
from pipelines.errors import CoopError
from pipelines.mart_metadata import MartMeta, read_marts, type_problems
from pipelines.settings import Settings

# Row counts may move this much (as a share) from the last good run before the gate stops:
# a new source release legitimately adds rows, a truncated file does not halve them.
DEFAULT_ROW_COUNT_TOLERANCE = 0.2


class ValidationError(CoopError):
    """Accepted rows or built marts fail their expectations; nothing is published."""


@dataclass
class Suite:
    """One expectation suite over the rows a query returns."""

    name: str
    query: str
    expectations: list[Any]
    last_good_rows: int | None = None


@dataclass
class GateResult:
    suites: dict[str, dict] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    docs_index: str = ""


def _gx():
    """Great Expectations, imported once, without its optional Spark support.

    GX probes for pyspark at import time.  The gate validates pandas frames only, and pyspark
    is installed (dev group) just for the event layer's parity tests: hiding it while GX
    imports saves about 2 s of every gate and pyspark's warnings.  It is importable again
    afterwards, so the event layer's Spark engine is unaffected.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import sys

    hide = "pyspark" not in sys.modules
    if hide:
        sys.modules["pyspark"] = None  # an ImportError for GX's probe
    try:
        import great_expectations as gx
    finally:
        if hide and sys.modules.get("pyspark", False) is None:
            del sys.modules["pyspark"]
    return gx


def _membership_flags(columns: list[str], table: str, year: str = "year") -> str:
    """SQL that adds, per ccode column, whether the state is a COW member that year.

    Deliberately independent of the models' own check: it reads the COW spells directly.
    """
    spells = (
        "select ccode, year(start_date) as first_year, "
        "case when is_ongoing then 9999 else year(end_date) end as last_year "
        "from stg_cow_states__state_spells"
    )
    flags = ", ".join(
        f"exists (select 1 from ({spells}) as s where s.ccode = t.{c} "
        f"and t.{year} between s.first_year and s.last_year) as {c}_is_member"
        for c in columns
    )
    return f"select t.*, {flags} from {table} as t"


def _coverage(con: duckdb.DuckDBPyConnection, source_id: str) -> tuple[int, int]:
    row = con.execute(
        "select first_year, last_year from stg_sources__coverage where source_id = $s",
        {"s": source_id},
    ).fetchall()
    if not row:
        raise ValidationError(f"no coverage recorded for source '{source_id}'")
    return row[0]


@dataclass
class SuiteKit:
    """What a source adapter's `accepted_suite(kit)` needs to declare its GX suite(s)."""

    con: duckdb.DuckDBPyConnection
    expectations: Any
    last: dict

    def coverage(self, source_id: str) -> tuple[int, int]:
        return _coverage(self.con, source_id)

    def member_flags(self, columns: list[str], table: str, year: str = "year") -> str:
        return _membership_flags(columns, table, year)

    @staticmethod
    def accepted(model: str) -> str:
        """A checked model's accepted rows, as a subquery."""
        return f"(select * from {model} where reject is null)"

    @staticmethod
    def suite(name: str, query: str, expectations: list[Any], last_rows: int | None) -> Suite:
        return Suite(name, query, expectations, last_rows)

    def last_rows(self, model: str) -> int | None:
        """Accepted rows of the model's file in the last good run (manifest `sources`)."""
        found = self.con.execute(
            f"select any_value(source_id), any_value(source_file) from {model}"
        ).fetchall()[0]
        return self.last.get("sources", {}).get(f"{found[0]}/{found[1]}", {}).get("loaded")


def source_suites(con: duckdb.DuckDBPyConnection, last: dict) -> list[Suite]:
    """Each source adapter's suite(s) over its accepted rows (pipelines/sources/*.py)."""
    from pipelines.sources import ALL_SOURCES

    kit = SuiteKit(con, _gx().expectations, last)
    suites: list[Suite] = []
    for adapter in ALL_SOURCES.values():
        declared = adapter.accepted_suite(kit)
        suites.extend(declared if isinstance(declared, list) else [declared])
    return suites


def mart_suite(con: duckdb.DuckDBPyConnection, meta: MartMeta, last: dict) -> Suite:
    """A mart's GX suite, derived from its metadata file (pipelines/mart_metadata.py).

    The key is unique; a `unique` column is unique; `min`, `max` and `range_query` bound a
    column; `values_query` lists its accepted values; `cow_member` checks a ccode against the
    COW spells in its year, independently of the models' own rule; each [conditions] entry
    must hold on every row; the row count must stay near the last good run's.  (not_null and
    literal `values` run as build checks, before the gate: pipelines/models.py.)
    """
    e = _gx().expectations
    expectations: list[Any] = [
        e.ExpectColumnValuesToBeUnique(column=meta.key[0])
        if len(meta.key) == 1
        else e.ExpectCompoundColumnsToBeUnique(column_list=list(meta.key))
    ]
    members: list[str] = []
    member_year = "year"
    for column in meta.columns.values():
        checks = column.checks
        if checks.get("unique"):
            expectations.append(e.ExpectColumnValuesToBeUnique(column=column.name))
        low, high = checks.get("min"), checks.get("max")
        if "range_query" in checks:
            low, high = con.execute(checks["range_query"]).fetchone()
        if low is not None or high is not None:
            expectations.append(
                e.ExpectColumnValuesToBeBetween(column=column.name, min_value=low, max_value=high)
            )
        if "values_query" in checks:
            allowed = [row[0] for row in con.execute(checks["values_query"]).fetchall()]
            expectations.append(
                e.ExpectColumnValuesToBeInSet(column=column.name, value_set=allowed)
            )
        if "cow_member" in checks:
            members.append(column.name)
            member_year = checks["cow_member"]
            expectations.append(
                e.ExpectColumnValuesToBeInSet(column=f"{column.name}_is_member", value_set=[True])
            )
    table = meta.name
    if members:
        table = f"({_membership_flags(members, meta.name, member_year)})"
    extra = "".join(f", ({condition}) as {name}" for name, condition in meta.conditions.items())
    for name in meta.conditions:
        expectations.append(e.ExpectColumnValuesToBeInSet(column=name, value_set=[True]))
    last_rows = last.get("marts", {}).get(meta.name, {}).get("rows") if meta.row_count else None
    return Suite(meta.name, f"select *{extra} from {table}", expectations, last_rows)


def mart_suites(
    con: duckdb.DuckDBPyConnection, last: dict, sql_dir: Path
) -> list[Suite]:
    """One suite per mart, each derived from its metadata file."""
    return [mart_suite(con, meta, last) for meta in read_marts(sql_dir).values()]


def same_source_files(settings: Settings, last: dict) -> bool:
    """Whether raw/sources.toml lists the same files as the last good run did.

    A mart's row count is held near the last good run's only then: a source added to or
    removed from the manifest changes the marts' rows by design (mart_source_coverage gains a
    row per source), which is not drift.  Register files (analysts' facts) do not count here.
    """
    from pipelines.raw_manifest import read_manifest

    before = {
        path for path in last.get("raw_checksums", {}) if not path.startswith("register/")
    }
    now = {
        str(raw_file.path.relative_to(settings.raw_dir))
        for source in read_manifest(settings.sources_manifest).values()
        for raw_file in source.files
    }
    return before == now


def row_count_tolerance() -> float:
    value = os.environ.get("COOP_ROW_COUNT_TOLERANCE", str(DEFAULT_ROW_COUNT_TOLERANCE))
    try:
        tolerance = float(value)
    except ValueError as exc:
        raise ValidationError(f"COOP_ROW_COUNT_TOLERANCE must be a number, got {value!r}") from exc
    if tolerance < 0:
        raise ValidationError("COOP_ROW_COUNT_TOLERANCE must not be negative")
    return tolerance


def check_contracts(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> list[str]:
    """Compare every built mart's columns and DuckDB types with its metadata file.

    The build already compared each mart's planned select before building it; this confirms
    the database about to be published (or the published one: `coop contracts`).
    """
    declared = {name: meta for name, meta in read_marts(sql_dir).items()}
    actual = describe_marts(con)
    problems = []
    for mart in sorted(set(declared) | set(actual)):
        if mart not in actual:
            problems.append(f"{mart}: declared in {mart}.toml but not built")
        elif mart not in declared:
            problems.append(f"{mart}: built but has no metadata file sql/marts/{mart}.toml")
        else:
            diff = type_problems(declared[mart].types, list(actual[mart].items()))
            if diff:
                problems.append(
                    f"{mart}: columns differ from {mart}.toml: {'; '.join(diff)}"
                )
    return problems


def write_contracts(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> list[str]:
    """Write the built marts' column types into their metadata files (after a reviewed
    change): `type` lines are updated, new columns added (to be documented), gone ones
    dropped.  Returns the files changed."""
    changed = []
    actual = describe_marts(con)
    for mart, meta in read_marts(sql_dir).items():
        if mart not in actual:
            continue
        text = rewrite_types(meta.path.read_text(encoding="utf-8"), actual[mart])
        if text != meta.path.read_text(encoding="utf-8"):
            meta.path.write_text(text, encoding="utf-8")
            changed.append(str(meta.path))
    return changed


_SECTION = re.compile(r"^\[columns\.([^\]]+)\]\s*$")


def rewrite_types(text: str, types: dict[str, str]) -> str:
    """A metadata file's text with its [columns.*] types set to `types`, in that order."""
    head, sections, current = [], {}, None
    for line in text.splitlines():
        match = _SECTION.match(line)
        if match:
            current = match.group(1)
            sections[current] = [line]
        elif current is None:
            head.append(line)
        else:
            sections[current].append(line)
    out = list(head)
    for column, data_type in types.items():
        lines = sections.get(column) or ["", f"[columns.{column}]", 'type = ""']
        lines = [f'type = "{data_type}"' if line.startswith("type = ") else line
                 for line in lines]
        while lines and not lines[-1].strip():
            lines.pop()
        if out and out[-1].strip():
            out.append("")
        out.extend(line for line in lines if line or out[-1] != "")
    return "\n".join(out) + "\n"


def describe_marts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_name like 'mart\\_%' escape '\\' order by table_name, ordinal_position"
    ).fetchall()
    described: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        described.setdefault(table, {})[column] = data_type
    return described


def _projected(suite: Suite) -> str:
    """The suite's query cut to the columns its expectations read: the lineage text and reject
    structs of the large source tables would otherwise be copied into pandas for nothing (most
    of the gate's memory, which grew past 14 GB at 100x the shipped volume)."""
    columns: list[str] = []
    for expectation in suite.expectations:
        for name in (getattr(expectation, "column", None),
                     *(getattr(expectation, "column_list", None) or ())):
            if name and name not in columns:
                columns.append(name)
    if not columns:
        return suite.query
    selected = ", ".join('"' + name.replace('"', '""') + '"' for name in columns)
    return f"select {selected} from ({suite.query})"


def _gx_context(gx, docs_dir: Path):
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = gx.data_context.types.base.ProgressBarsConfig(globally=False)
    context.add_data_docs_site(
        site_name="coop",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return context, context.data_sources.add_pandas("coop")


def run_suites(
    con: duckdb.DuckDBPyConnection, suites: list[Suite], docs_dir: Path, tolerance: float,
    published: dict[str, dict] | None = None, release: str | None = None,
    sql_rows: int | None = None,
) -> GateResult:
    """Validate each suite's rows with GX; write Data Docs; collect failures (no raising).

    A suite whose fingerprint (definition and data, pipelines/gate_reuse.py) equals the one
    `published` records as passed is carried over from `release` instead of run again.  A
    suite of more than `sql_rows` rows is evaluated inside DuckDB (pipelines/gate_sql.py)
    instead of being copied into pandas for GX, when every expectation has a translation.
    """
    gx = _gx()
    result = GateResult()
    published = published or {}
    context = data_source = None
    run_id = _run_identifier()
    run_started = time.perf_counter()
    fingerprint_seconds = 0.0
    for suite in suites:
        expectations = list(suite.expectations)
        if suite.last_good_rows is not None:
            expectations.append(
                gx.expectations.ExpectTableRowCountToBeBetween(
                    min_value=int(suite.last_good_rows * (1 - tolerance)),
                    max_value=int(suite.last_good_rows * (1 + tolerance)) + 1,
                )
            )
        projected = _projected(suite)
        started = time.perf_counter()
        fingerprint, rows = gate_reuse.fingerprint_and_rows(
            con, suite.name, projected, expectations, suite.last_good_rows, tolerance)
        fingerprint_seconds += time.perf_counter() - started
        previous = published.get(suite.name)
        if previous is not None and previous["fingerprint"] == fingerprint:
            result.suites[suite.name] = gate_reuse.carried_over(previous, release)
            continue
        if context is None:
            context, data_source = _gx_context(gx, docs_dir)
        if sql_rows is not None and rows > sql_rows and gate_sql.supported(expectations):
            _run_in_sql(con, suite.name, projected, expectations, fingerprint, result,
                        (gx, context, run_id))
            continue
        frame = con.execute(projected).df()
        gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name))
        for expectation in expectations:
            gx_suite.add_expectation(expectation)
        batch = data_source.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe(
            "all"
        )
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
        )
        outcome = definition.run(
            batch_parameters={"dataframe": frame},
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 3},
        )
        failed = [r for r in outcome.results if not r.success]
        result.suites[suite.name] = {
            "rows": len(frame),
            "expectations": len(outcome.results),
            "failed": len(failed),
            "fingerprint": fingerprint,
        }
        for item in failed:
            config = item.expectation_config
            described = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
            observed = item.result.get("observed_value", item.result.get("partial_unexpected_list"))
            count = item.result.get("unexpected_count")
            result.failures.append(
                f"{suite.name}: {config.type} {described}"
                + (
                    f": {count} unexpected row(s), e.g. {observed}"
                    if count
                    else f": observed {observed}"
                )
            )
    result.seconds["gx_validate"] = round(time.perf_counter() - run_started, 3)
    result.seconds["fingerprints"] = round(fingerprint_seconds, 3)
    docs_started = time.perf_counter()
    if context is not None:
        context.build_data_docs(site_names=["coop"])
    result.seconds["gx_data_docs"] = round(time.perf_counter() - docs_started, 3)
    result.docs_index = str(docs_dir / "index.html")
    return result


def _run_identifier():
    import datetime

    from great_expectations.core.run_identifier import RunIdentifier

    return RunIdentifier(run_time=datetime.datetime.now(datetime.UTC))


def _store_for_docs(gx, context, run_id, name: str, expectations: list[Any], rows: int,
                    outcomes: list[gate_sql.Outcome]) -> None:
    """Record a suite checked in DuckDB in the GX context as GX records its own runs (the
    suite, and a validation result in GX's SUMMARY terms), so the Data Docs show it too."""
    from great_expectations.core import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    # Constructed whole, then added once: adding expectations one by one to a stored suite
    # re-serialises it each time.
    context.suites.add(gx.ExpectationSuite(name=name, expectations=list(expectations)))
    results = []
    for expectation, outcome in zip(expectations, outcomes, strict=True):
        if outcome.unexpected_count is None:
            detail: dict[str, Any] = {"observed_value": outcome.observed}
        else:
            detail = {"element_count": rows, "unexpected_count": outcome.unexpected_count,
                      "unexpected_percent": (100 * outcome.unexpected_count / rows
                                             if rows else None),
                      "partial_unexpected_list": list(outcome.examples or [])}
        results.append(ExpectationValidationResult(
            success=outcome.success, expectation_config=expectation.configuration,
            result=detail))
    passed = sum(1 for outcome in outcomes if outcome.success)
    validation = ExpectationSuiteValidationResult(
        success=passed == len(outcomes), results=results, suite_name=name,
        statistics={"evaluated_expectations": len(outcomes), "successful_expectations": passed,
                    "unsuccessful_expectations": len(outcomes) - passed,
                    "success_percent": 100 * passed / len(outcomes) if outcomes else None},
        meta={"great_expectations_version": gx.__version__, "run_id": run_id,
              "validation_time": run_id.run_time,
              "batch_spec": {"engine": "duckdb (pipelines/gate_sql.py)", "rows": rows}})
    context.validation_results_store.set(ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=name), run_id=run_id,
        batch_identifier=f"coop-{name}"), validation)


def _run_in_sql(con: duckdb.DuckDBPyConnection, name: str, projected: str,
                expectations: list[Any], fingerprint: str, result: GateResult,
                docs: tuple | None = None) -> None:
    """A suite's expectations evaluated by DuckDB; recorded like a GX run's, and added to
    the Data Docs when `docs` (GX, its context, the run identifier) is given."""
    started = time.perf_counter()
    rows, outcomes = gate_sql.evaluate(con, projected, expectations)
    if docs is not None:
        _store_for_docs(*docs, name, expectations, rows, outcomes)
    failed = [o for o in outcomes if not o.success]
    result.suites[name] = {
        "rows": rows,
        "expectations": len(outcomes),
        "failed": len(failed),
        "fingerprint": fingerprint,
        "engine": "duckdb",
    }
    for item in failed:
        observed = item.observed if item.observed is not None else item.examples
        result.failures.append(
            f"{name}: {item.type} {item.kwargs}"
            + (f": {item.unexpected_count} unexpected row(s), e.g. {observed}"
               if item.unexpected_count else f": observed {observed}")
        )
    result.seconds["sql_validate"] = round(
        result.seconds.get("sql_validate", 0.0) + time.perf_counter() - started, 3)


def run_gate(
    con: duckdb.DuckDBPyConnection, settings: Settings, docs_dir: Path, last_good: dict | None
) -> GateResult:
    """All suites (sources, then marts) and the column contracts; raise if any fail."""
    last = last_good or {}
    import_started = time.perf_counter()
    _gx()
    import_seconds = round(time.perf_counter() - import_started, 3)
    suites = source_suites(con, last) + mart_suites(
        con, last if same_source_files(settings, last) else {}, settings.sql_dir
    )
    published = {} if gate_reuse.revalidate_everything() else gate_reuse.published_verdicts(last)
    release = last.get("run_id")
    if published:
        # Carried-over suites keep the validation pages of the run that validated them.
        gate_reuse.reuse_docs(settings.reports_dir, release, docs_dir)
    result = run_suites(con, suites, docs_dir, row_count_tolerance(), published, release,
                        settings.gate_sql_rows)
    result.seconds["gx_import"] = import_seconds
    result.failures.extend(check_contracts(con, settings.sql_dir))
    if result.failures:
        raise ValidationError(
            f"{len(result.failures)} expectation(s) failed; nothing was published "
            f"(validation results: {result.docs_index}):\n  "
            + "\n  ".join(result.failures)
            + "\nIf a column change is intended, run `coop contracts --write` and commit "
            "the marts' metadata files (sql/marts/<mart>.toml). If a row-count change against "
            "the last good run is intended (a new methodology, corrected data), run the "
            "refresh once with COOP_ROW_COUNT_TOLERANCE set wider (e.g. 5 for +-500 %)."
        )
    return result
