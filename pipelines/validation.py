"""The Great Expectations gate: suites for every source's accepted rows and every mart.

GX is imported lazily (it costs about 5 s) and runs in an ephemeral context built for one
run: the suites are defined here in code, nothing is stored in a gx/ folder.  Data are
fetched from DuckDB as pandas DataFrames (GX's SQL datasource on DuckDB fails its metric
computations: great_expectations#10738).  The column contract of each mart (names and DuckDB
types) lives in sql/marts/contracts.json and is compared exactly.  Row counts must stay within
a tolerance of the last good (published) run.

The row-level rules of the SQL staging models quarantine bad rows first; these suites then
check what was accepted, independently, so a missing or broken rule stops the run instead of
letting a bad row reach the marts.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipelines.errors import CoopError
from pipelines.settings import Settings
from pipelines.sources.ipi import MAX_MONTHLY_PERSONNEL
from pipelines.sources.register import REGISTER_STATUSES

CONTRACTS_FILE = "contracts.json"
# Row counts may move this much (as a share) from the last good run before the gate stops:
# a new source release legitimately adds rows, a truncated file does not halve them.
DEFAULT_ROW_COUNT_TOLERANCE = 0.2
# Where a mart_country_year value the register may fill came from (its <column>_source).
FILLED_COLUMN_SOURCES = {
    "alliance_partners_total": "atop",
    "igo_full": "cow_igo",
    "exercises": "mme",
    "pko_personnel_peak": "ipi",
}


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
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx

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


def mart_suites(con: duckdb.DuckDBPyConnection, last: dict) -> list[Suite]:
    gx = _gx()
    e = gx.expectations
    marts = last.get("marts", {})

    def last_rows(mart: str) -> int | None:
        return marts.get(mart, {}).get("rows")

    def unique(*columns: str) -> Any:
        if len(columns) == 1:
            return e.ExpectColumnValuesToBeUnique(column=columns[0])
        return e.ExpectCompoundColumnsToBeUnique(column_list=list(columns))

    def between(column: str, low: float | None, high: float | None = None) -> Any:
        return e.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high)

    # The frame, plus the years after it that register facts add for some states.
    frame_first, frame_last = con.execute(
        "select min(year), max(year) from (select year from int_cow_states_years_expanded "
        "union all select year from int_register_years_extended)"
    ).fetchall()[0]
    country_counts = [
        "alliance_partners_defense",
        "alliance_partners_offense",
        "alliance_partners_neutrality",
        "alliance_partners_nonaggression",
        "alliance_partners_consultation",
        "alliance_partners_total",
        "igo_full",
        "igo_associate",
        "igo_observer",
        "igo_unknown_status",
        "security_igo_full",
        "exercises",
        "exercises_bilateral",
        "exercises_multilateral",
        "exercise_partners",
        "pko_months_contributing",
        "register_facts",
    ]
    dyad_flags = [
        "atop_defense",
        "atop_offense",
        "atop_neutral",
        "atop_nonagg",
        "atop_consul",
        "atop_any",
    ]
    rules = [
        row[0]
        for row in con.execute(
            "select rule from stg_seeds__quarantine_rules "
            "union all select rule from stg_seeds__register_rules"
        ).fetchall()
    ]
    return [
        Suite(
            "mart_country_year",
            _membership_flags(["ccode"], "mart_country_year"),
            [
                unique("ccode", "year"),
                *(e.ExpectColumnValuesToNotBeNull(column=c) for c in ("ccode", "year", "country")),
                e.ExpectColumnValuesToBeInSet(column="ccode_is_member", value_set=[True]),
                between("year", frame_first, frame_last),
                *(between(c, 0) for c in country_counts),
                between("pko_personnel_mean", 0, MAX_MONTHLY_PERSONNEL),
                between("pko_personnel_peak", 0, MAX_MONTHLY_PERSONNEL),
                between("pko_months_contributing", 0, 12),
                *(
                    e.ExpectColumnValuesToBeInSet(
                        column=f"{column}_source", value_set=[source, "register"]
                    )
                    for column, source in FILLED_COLUMN_SOURCES.items()
                ),
            ],
            last_rows("mart_country_year"),
        ),
        Suite(
            "mart_register_facts",
            "select * from mart_register_facts",
            [
                unique("register_file", "row_number"),
                *(
                    e.ExpectColumnValuesToNotBeNull(column=c)
                    for c in ("ccode", "country", "count", "source_citation", "status_note")
                ),
                e.ExpectColumnValuesToBeInSet(column="status", value_set=REGISTER_STATUSES),
                between("count", 0),
            ],
            None,
        ),
        Suite(
            "mart_dyad_year",
            "select *, ccode1 < ccode2 as is_ordered from mart_dyad_year",
            [
                unique("ccode1", "ccode2", "year"),
                e.ExpectColumnValuesToBeInSet(column="is_ordered", value_set=[True]),
                *(e.ExpectColumnValuesToBeInSet(column=c, value_set=[0, 1]) for c in dyad_flags),
                *(
                    between(c, 0)
                    for c in ("joint_igo_full", "joint_security_igo_full", "joint_exercises")
                ),
            ],
            last_rows("mart_dyad_year"),
        ),
        Suite(
            "mart_countries",
            "select * from mart_countries",
            [unique("ccode"), unique("iso3")],
            last_rows("mart_countries"),
        ),
        Suite(
            "mart_source_coverage",
            "select * from mart_source_coverage",
            [unique("source_id")],
            last_rows("mart_source_coverage"),
        ),
        Suite(
            "mart_non_state_participants",
            "select * from mart_non_state_participants",
            [unique("source_id", "row_number")],
            None,
        ),
        Suite(
            "mart_quarantine",
            "select * from mart_quarantine",
            [
                unique("source_file", "row_number"),
                e.ExpectColumnValuesToBeInSet(column="rule", value_set=rules),
                e.ExpectColumnValuesToNotBeNull(column="reason"),
            ],
            None,
        ),
        Suite(
            "mart_cooperation_index",
            "select * from mart_cooperation_index",
            [
                unique("ccode", "year"),
                *(between(c, 0, 100) for c in ("institutional", "operational", "composite")),
                between("symbolic_gap", -100, 100),
                between("rank", 1),
            ],
            last_rows("mart_cooperation_index"),
        ),
        Suite(
            "mart_partnership",
            "select * from mart_partnership",
            [
                unique("ccode1", "ccode2", "year"),
                *(
                    between(c, 0, 1)
                    for c in (
                        "comprehensiveness",
                        "reciprocity",
                        "igo_jaccard",
                        "partnership_score",
                    )
                ),
                between("alliance_s_score", -1, 1),
            ],
            last_rows("mart_partnership"),
        ),
        Suite(
            "mart_multivector",
            "select * from mart_multivector",
            [
                unique("ccode", "year"),
                between("hhi", 0, 1),
                between("largest_bloc_share", 0, 1),
                between("effective_blocs", 1),
            ],
            last_rows("mart_multivector"),
        ),
        Suite(
            "mart_network",
            "select * from mart_network",
            [
                unique("layer", "year", "ccode"),
                between("degree", 0),
                between("strength", 0),
                between("eigenvector", 0, 1),
            ],
            last_rows("mart_network"),
        ),
        Suite(
            "mart_index_uncertainty",
            "select *, rank_p05 <= median_rank and median_rank <= rank_p95 as is_ordered "
            "from mart_index_uncertainty",
            [
                unique("ccode", "year"),
                e.ExpectColumnValuesToBeInSet(column="is_ordered", value_set=[True]),
                between("median_rank", 1),
            ],
            last_rows("mart_index_uncertainty"),
        ),
    ]


def row_count_tolerance() -> float:
    value = os.environ.get("COOP_ROW_COUNT_TOLERANCE", str(DEFAULT_ROW_COUNT_TOLERANCE))
    try:
        tolerance = float(value)
    except ValueError as exc:
        raise ValidationError(f"COOP_ROW_COUNT_TOLERANCE must be a number, got {value!r}") from exc
    if tolerance < 0:
        raise ValidationError("COOP_ROW_COUNT_TOLERANCE must not be negative")
    return tolerance


def check_contracts(con: duckdb.DuckDBPyConnection, contracts_path: Path) -> list[str]:
    """Compare every mart's columns and DuckDB types with sql/marts/contracts.json."""
    if not contracts_path.is_file():
        return [f"{contracts_path}: missing; write it with `coop contracts --write`"]
    contracts = json.loads(contracts_path.read_text(encoding="utf-8"))
    problems = []
    actual = describe_marts(con)
    for mart in sorted(set(contracts) | set(actual)):
        if mart not in actual:
            problems.append(f"{mart}: in the contract but not built")
        elif mart not in contracts:
            problems.append(f"{mart}: built but has no contract in {contracts_path.name}")
        elif actual[mart] != contracts[mart]:
            expected, got = contracts[mart], actual[mart]
            diff = [
                f"{c} {expected.get(c, 'absent')} -> {got.get(c, 'absent')}"
                for c in dict.fromkeys([*expected, *got])
                if expected.get(c) != got.get(c)
            ]
            if not diff:
                diff = ["column order changed"]
            problems.append(f"{mart}: columns differ from the contract: {'; '.join(diff)}")
    return problems


def write_contracts(con: duckdb.DuckDBPyConnection, contracts_path: Path) -> dict:
    """Record the marts' current columns and types as their contract (after a reviewed change)."""
    described = describe_marts(con)
    contracts_path.write_text(json.dumps(described, indent=2) + "\n", encoding="utf-8")
    return described


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


def run_suites(
    con: duckdb.DuckDBPyConnection, suites: list[Suite], docs_dir: Path, tolerance: float
) -> GateResult:
    """Validate each suite's rows with GX; write Data Docs; collect failures (no raising)."""
    gx = _gx()
    result = GateResult()
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
    data_source = context.data_sources.add_pandas("coop")
    run_started = time.perf_counter()
    for suite in suites:
        frame = con.execute(_projected(suite)).df()
        expectations = list(suite.expectations)
        if suite.last_good_rows is not None:
            expectations.append(
                gx.expectations.ExpectTableRowCountToBeBetween(
                    min_value=int(suite.last_good_rows * (1 - tolerance)),
                    max_value=int(suite.last_good_rows * (1 + tolerance)) + 1,
                )
            )
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
    docs_started = time.perf_counter()
    context.build_data_docs(site_names=["coop"])
    result.seconds["gx_data_docs"] = round(time.perf_counter() - docs_started, 3)
    result.docs_index = str(docs_dir / "index.html")
    return result


def run_gate(
    con: duckdb.DuckDBPyConnection, settings: Settings, docs_dir: Path, last_good: dict | None
) -> GateResult:
    """All suites (sources, then marts) and the column contracts; raise if any fail."""
    last = last_good or {}
    import_started = time.perf_counter()
    _gx()
    import_seconds = round(time.perf_counter() - import_started, 3)
    suites = source_suites(con, last) + mart_suites(con, last)
    result = run_suites(con, suites, docs_dir, row_count_tolerance())
    result.seconds["gx_import"] = import_seconds
    result.failures.extend(check_contracts(con, settings.sql_dir / "marts" / CONTRACTS_FILE))
    if result.failures:
        raise ValidationError(
            f"{len(result.failures)} expectation(s) failed; nothing was published "
            f"(validation results: {result.docs_index}):\n  "
            + "\n  ".join(result.failures)
            + "\nIf a column change is intended, run `coop contracts --write` and commit "
            "sql/marts/contracts.json."
        )
    return result
