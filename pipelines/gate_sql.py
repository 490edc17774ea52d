"""The gate's expectations evaluated in DuckDB: first for suites too large to copy into pandas,
now (issue 15, third pass) for every suite with a translation, GX's per-suite overhead being
most of the gate's time at the shipped size; GX still builds the Data Docs from the outcomes.

Great Expectations validates pandas DataFrames here (its SQL datasource on DuckDB fails its
metric computations: great_expectations#10738), so a suite's rows are copied out of DuckDB
first.  At 100x the shipped event volume the accepted COW IGO rows alone are 68 million, and
that copy grew past 14 GB, beyond any cap DuckDB can enforce.  A suite whose rows exceed
``Settings.gate_sql_rows`` is therefore evaluated here instead, inside DuckDB (under its
``memory_limit``, spilling), with the same semantics as GX's pandas engine for the
expectation types the suites declare:

- map expectations skip NULLs (``ExpectColumnValuesToBeBetween``, ``...ToBeInSet``), as GX
  does; ``ExpectColumnValuesToNotBeNull`` counts them;
- ``ExpectColumnValuesToBeUnique`` counts every non-null row whose value occurs more than
  once; ``ExpectCompoundColumnsToBeUnique`` every row whose combination occurs more than once,
  ignoring rows whose columns are all NULL (GX's default ``ignore_row_if``);
- ``ExpectTableRowCountToBeBetween`` compares ``count(*)``.

An expectation of any other type, or with ``mostly``/``row_condition``/strict bounds set, is
not translated: ``supported`` says so and the suite goes through GX as before.  The map
expectations share one scan; each uniqueness check is one grouped query.  Failures are
reported in GX's words (expectation type and arguments, unexpected count, up to three
examples), so a bad value stops the run the same way whichever engine found it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

MAP_TYPES = {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_be_between",
}
GROUP_TYPES = {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
TABLE_TYPES = {"expect_table_row_count_to_be_between"}


@dataclass
class Outcome:
    """One expectation's verdict, in the terms GX reports it."""

    type: str
    kwargs: dict
    success: bool
    unexpected_count: int | None = None
    examples: list | None = None
    observed: Any = None


def _type(expectation: Any) -> str:
    return expectation.configuration.type


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def supported(expectations: list[Any]) -> bool:
    """Whether every expectation has an exact SQL translation here."""
    for expectation in expectations:
        kind = _type(expectation)
        if kind not in MAP_TYPES | GROUP_TYPES | TABLE_TYPES:
            return False
        if getattr(expectation, "row_condition", None):
            return False
        mostly = getattr(expectation, "mostly", 1)
        if mostly is not None and mostly != 1:
            return False
        if getattr(expectation, "strict_min", False) or getattr(expectation, "strict_max", False):
            return False
        if kind == "expect_compound_columns_to_be_unique" and (
            getattr(expectation, "ignore_row_if", "all_values_are_missing")
            != "all_values_are_missing"
        ):
            return False
    return True


def _map_condition(expectation: Any, index: int, params: dict) -> str:
    """SQL that is true on a row the expectation counts as unexpected (its parameters are
    added to `params`, named after the expectation's position)."""
    kind = _type(expectation)
    column = _ident(expectation.column)
    if kind == "expect_column_values_to_not_be_null":
        return f"{column} is null"
    if kind == "expect_column_values_to_be_in_set":
        params[f"set{index}"] = list(expectation.value_set)
        return f"{column} is not null and not list_contains($set{index}, {column})"
    parts = []
    if expectation.min_value is not None:
        params[f"min{index}"] = expectation.min_value
        parts.append(f"{column} < $min{index}")
    if expectation.max_value is not None:
        params[f"max{index}"] = expectation.max_value
        parts.append(f"{column} > $max{index}")
    return " or ".join(parts) if parts else "false"


def _kwargs(expectation: Any) -> dict:
    return {k: v for k, v in expectation.configuration.kwargs.items() if k != "batch_id"}


def evaluate(con: duckdb.DuckDBPyConnection, query: str, expectations: list[Any]) -> (
        tuple[int, list[Outcome]]):
    """The suite's row count and each expectation's outcome, computed by DuckDB."""
    maps = [(i, e) for i, e in enumerate(expectations) if _type(e) in MAP_TYPES]
    own_params: dict[int, dict] = {i: {} for i, _ in maps}
    conditions = {i: _map_condition(e, i, own_params[i]) for i, e in maps}
    params = {k: v for p in own_params.values() for k, v in p.items()}
    counts = "".join(f", count(*) filter (where {conditions[i]})" for i, _ in maps)
    row = con.execute(f"select count(*){counts} from ({query}) as suite_rows",
                      params).fetchone()
    rows, unexpected = row[0], dict(zip([i for i, _ in maps], row[1:], strict=True))
    outcomes: list[Outcome] = []
    for i, expectation in enumerate(expectations):
        kind = _type(expectation)
        if kind in MAP_TYPES:
            count = unexpected[i]
            examples = []
            if count:
                examples = [r[0] for r in con.execute(
                    f"select {_ident(expectation.column)} from ({query}) as suite_rows "
                    f"where {conditions[i]} limit 3", own_params[i]).fetchall()]
            outcomes.append(Outcome(kind, _kwargs(expectation), count == 0, count, examples))
        elif kind in GROUP_TYPES:
            columns = (list(expectation.column_list) if hasattr(expectation, "column_list")
                       else [expectation.column])
            keys = ", ".join(_ident(c) for c in columns)
            present = " or ".join(f"{_ident(c)} is not null" for c in columns)
            duplicated, examples = 0, []
            groups = con.execute(
                f"select count(*) as n, {keys} from ({query}) as suite_rows where {present} "
                f"group by all having count(*) > 1"
            )
            # The duplicated groups only, summed as they stream (at most a few on bad data).
            while batch := groups.fetchmany(10_000):
                for found in batch:
                    duplicated += found[0]
                    if len(examples) < 3:
                        examples.append(found[1] if len(columns) == 1 else dict(
                            zip(columns, found[1:], strict=True)))
            outcomes.append(Outcome(kind, _kwargs(expectation), duplicated == 0, duplicated,
                                    examples))
        else:
            low, high = expectation.min_value, expectation.max_value
            ok = (low is None or rows >= low) and (high is None or rows <= high)
            outcomes.append(Outcome(kind, _kwargs(expectation), ok, observed=rows))
    return rows, outcomes
