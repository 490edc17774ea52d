"""The DuckDB -> Spark transpiler: each known trap is rewritten, and the lint fails on a
Spark-marked model that would not run, or would run differently, on Spark."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot

from pipelines.events.spark_sql import (
    SQLGLOT_VERSION,
    SparkLintError,
    lint_models,
    read_macros,
    to_spark,
)
from pipelines.settings import PROJECT_ROOT

SQL = PROJECT_ROOT / "sql"


def test_sqlglot_is_the_exact_pinned_version():
    pin = re.search(r'"sqlglot==([^"]+)"', (PROJECT_ROOT / "pyproject.toml").read_text())
    assert pin and pin.group(1) == SQLGLOT_VERSION == sqlglot.__version__


def test_every_event_model_is_spark_marked_and_passes_the_lint():
    out = lint_models(SQL, SQL / "events")
    assert {"stg_gdelt__events", "mart_event_dyad_year", "mart_event_country_year"} <= set(out)


@pytest.mark.parametrize(("duckdb_sql", "spark_sql"), [
    # whole-string match, POSIX class -> Java class
    ("select regexp_full_match(x, '[[:digit:]]{2,4}') from t",
     r"SELECT x RLIKE '^(?:[\\p{Digit}]{2,4})$' FROM t"),
    ("select regexp_matches(x, '[[:space:]]') from t", r"SELECT x RLIKE '[\\p{Space}]' FROM t"),
    ("select try_strptime(x, '%Y-%m-%d') from t",
     "SELECT TRY_TO_TIMESTAMP(x, 'yyyy-MM-dd') FROM t"),
    ("select string_agg(x, ';' order by x) from t",
     "SELECT ARRAY_JOIN(ARRAY_SORT(COLLECT_LIST(x)), ';') FROM t"),
    ("select * exclude (b) from t", "SELECT a, c FROM t"),
])
def test_rewrite_rules(duckdb_sql, spark_sql):
    assert to_spark(duckdb_sql, schema={"t": ["a", "b", "c"]}) == spark_sql


def test_macros_are_inlined():
    spark = to_spark("select as_int(v) as n from t", macros=read_macros(SQL))
    assert "as_int" not in spark.lower()
    assert spark == ("SELECT CASE WHEN TRIM(v) RLIKE '^(?:[+-]?[0-9]+)$' "
                     "THEN TRY_CAST(TRIM(v) AS BIGINT) END AS n FROM t")


@pytest.mark.parametrize(("bad_sql", "message"), [
    ("select my_udf(x) from t", "my_udf() is unknown"),
    ("select as_int(x) from t", "as_int() is unknown"),  # a macro, but none given: not inlined
    ("select x from t qualify row_number() over (order by x) = 1", "QUALIFY"),
    ("select * exclude (a) from t", "`* EXCLUDE`"),
    ("select * replace (1 as a) from t", "`* REPLACE`"),
    ("select string_agg(x, ',' order by y) from t", "ordered by another expression"),
    ("select regexp_full_match(x, p) from t", "string literal"),
    ("select x like '[[:alpha:]]%' from t", "POSIX class"),
    ("select getvariable('v') from t", "getvariable"),
    ("select list_transform(l, v -> v + 1) from t", "differ"),
])
def test_lint_fails_on_constructs_spark_would_not_run_or_would_run_differently(bad_sql, message):
    with pytest.raises(SparkLintError, match=re.escape(message)):
        to_spark(bad_sql)


def test_lint_models_names_every_bad_model(tmp_path: Path):
    (tmp_path / "macros").mkdir()
    models = tmp_path / "events" / "staging"
    models.mkdir(parents=True)
    (models / "stg_good.sql").write_text("-- engines: duckdb, spark\nselect a from t\n")
    (models / "stg_bad.sql").write_text(
        "-- engines: duckdb, spark\nselect regexp_full_match(a, b) from t\n")
    (models / "stg_duckdb_only.sql").write_text("select my_udf(a) from t\n")  # not marked
    with pytest.raises(SparkLintError, match="stg_bad.sql") as error:
        lint_models(tmp_path, tmp_path / "events")
    assert "stg_good" not in str(error.value) and "stg_duckdb_only" not in str(error.value)
