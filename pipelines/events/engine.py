"""Run the event models (sql/events/) on DuckDB or on Spark Connect, from the same SQL files.

Both engines read the same inputs: the Parquet lake (raw_gdelt__events, raw_icews__events,
raw_events__coverage), the seeds and the COW state list. DuckDB builds every model in the run's
database. Spark runs the transpiled models (pipelines.events.spark_sql) as temporary views and
writes each mart as Parquet to a run-specific directory, which DuckDB then reads back into the
same database, so the checks and the publish that follow do not know which engine ran.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.errors import CoopError
from pipelines.events.formats import GDELT, ICEWS
from pipelines.events.ingest import COVERAGE_DIR, LINEAGE
from pipelines.events.spark_sql import is_spark_model, read_macros, to_spark
from pipelines.loading import load_seeds
from pipelines.models import Model, build_models, build_order, create_macros, discover_models
from pipelines.raw_manifest import read_manifest
from pipelines.settings import Settings
from pipelines.sources import cow_states
from pipelines.sources.base import load_csv

ENGINES = ("duckdb", "spark")
LAKE_TABLES = {GDELT.lake_table: GDELT, ICEWS.lake_table: ICEWS}
COVERAGE_TABLE = "raw_events__coverage"
_COVERAGE_COLUMNS = {
    "source_id": "varchar", "source_file": "varchar", "file_sha256": "varchar",
    "year": "integer", "covered_from": "timestamp", "covered_to": "timestamp",
    "covered_seconds": "bigint", "file_rows": "bigint",
}
# The small reference tables the models read besides the lake (copied to Spark as they are).
REFERENCE_PREFIXES = ("seed_", "raw_cow_states__")


class EventEngineError(CoopError):
    """The event models could not run on the chosen engine."""


@dataclass
class BuildResult:
    engine: str
    models: list[str]
    marts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def event_models(settings: Settings) -> dict[str, Model]:
    models = discover_models(settings.sql_dir / "events", mart_metadata=False)
    unmarked = [m.name for m in models.values() if not is_spark_model(m.sql)]
    if unmarked:
        raise EventEngineError(
            f"event model(s) {', '.join(unmarked)} lack the header line `-- engines: duckdb, "
            f"spark`: every event model must run on both engines."
        )
    return models


def load_inputs(con: duckdb.DuckDBPyConnection, settings: Settings, lake_dir: Path) -> None:
    """Lake views, seeds, macros and the COW state list in the run's DuckDB database."""
    create_macros(con, settings.sql_dir)
    load_seeds(con, settings.seeds_dir)
    states = read_manifest(settings.sources_manifest)[cow_states.SOURCE_ID]
    for spec in cow_states.FILES:
        load_csv(con, states.file(spec.file_name), spec)
    for table, fmt in LAKE_TABLES.items():
        files = sorted((lake_dir / fmt.source_id).glob("date=*/*.parquet"))
        if files:
            # A view cannot take parameters: the file list is written as a list literal.
            listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
            con.execute(
                f"create or replace view {table} as select "
                + ", ".join(LINEAGE + fmt.columns)
                + f" from read_parquet([{listed}])"
            )
        else:  # no file yet: an empty table of the same columns
            columns = ", ".join(
                [f"{c} {'bigint' if c == '_row_number' else 'varchar'}" for c in LINEAGE]
                + [f"{c} varchar" for c in fmt.columns]
            )
            con.execute(f"create or replace table {table} ({columns})")
    coverage = sorted((lake_dir / COVERAGE_DIR).glob("*.parquet"))
    columns = ", ".join(f"{c} {t}" for c, t in _COVERAGE_COLUMNS.items())
    con.execute(f"create or replace table {COVERAGE_TABLE} ({columns})")
    if coverage:
        con.execute(
            f"insert into {COVERAGE_TABLE} select {', '.join(_COVERAGE_COLUMNS)} "
            f"from read_parquet($files)", {"files": [str(f) for f in coverage]},
        )


def build_duckdb(con: duckdb.DuckDBPyConnection, settings: Settings,
                 memory_limit: str | None = None) -> BuildResult:
    started = time.perf_counter()
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit}'")
    # No model relies on table row order (marts are keyed), so DuckDB need not buffer to keep
    # it: lower memory for the large aggregations under the cap.
    con.execute("set preserve_insertion_order = false")
    models = event_models(settings)
    built = build_models(con, models)
    result = BuildResult("duckdb", built, seconds=time.perf_counter() - started)
    result.marts = _mart_rows(con, models)
    return result


def spark_session(remote: str):
    """A Spark Connect session: `local[N]` starts a local Connect server (needs Java);
    `sc://host:port` talks to a running one (Kubernetes, EMR, Dataproc, ...)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise EventEngineError(
            "The spark engine needs pyspark[connect] (`uv sync --group dev`, or pip install "
            "'pyspark[connect]==4.3.0'); the duckdb engine needs nothing more."
        ) from exc
    try:
        return SparkSession.builder.remote(remote).getOrCreate()
    except Exception as exc:  # Java missing, server unreachable: say what to do
        raise EventEngineError(
            f"Could not start or reach Spark Connect at {remote!r} ({exc}). For local[N] Java "
            f"17 must be installed (make java); for sc://... the server must be running."
        ) from exc


def build_spark(con: duckdb.DuckDBPyConnection, settings: Settings, spark, out_dir: Path,
                lake_dir: Path, *, say: Callable[[str], None] = lambda _: None,
                shuffle_partitions: int = 8) -> BuildResult:
    """Run every event model on Spark; write the marts to out_dir; read them back into con."""
    started = time.perf_counter()
    models = event_models(settings)
    macros = read_macros(settings.sql_dir)
    _register_spark_inputs(con, spark, lake_dir)
    spark.conf.set("spark.sql.shuffle.partitions", str(shuffle_partitions))
    out_dir.mkdir(parents=True, exist_ok=True)
    built = []
    for name in build_order(models):
        model = models[name]
        needs_schema = "exclude" in model.sql.lower()
        schema = ({t.name: list(spark.table(t.name).columns) for t in spark.catalog.listTables()}
                  if needs_schema else None)
        sql = to_spark(model.sql, macros=macros, schema=schema, model=str(model.path))
        frame = spark.sql(sql)
        if model.layer == "marts":
            target = out_dir / name
            frame.write.mode("overwrite").parquet(str(target))
            con.execute(
                f"create or replace table {name} as select * from read_parquet($path)",
                {"path": str(target / "*.parquet")},
            )
            say(f"  spark: {name}")
        elif model.layer == "intermediate":
            # Materialised once (as DuckDB's tables are), not recomputed by every mart.
            frame = frame.localCheckpoint()
        frame.createOrReplaceTempView(name)
        built.append(name)
    result = BuildResult("spark", built, seconds=time.perf_counter() - started)
    result.marts = _mart_rows(con, models)
    return result


def _register_spark_inputs(con: duckdb.DuckDBPyConnection, spark, lake_dir: Path) -> None:
    for table, fmt in LAKE_TABLES.items():
        path = lake_dir / fmt.source_id
        if any(path.glob("date=*/*.parquet")):
            frame = spark.read.parquet(str(path)).select(*LINEAGE, *fmt.columns)
        else:
            frame = spark.createDataFrame(con.table(table).df())
        frame.createOrReplaceTempView(table)
    tables = [row[0] for row in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
    ).fetchall()]
    for table in tables:
        if table.startswith(REFERENCE_PREFIXES) or table == COVERAGE_TABLE:
            rows = con.table(table).arrow().read_all()
            # Spark cannot infer a schema from no rows (e.g. an empty seed such as
            # seeds/state_spells_added.csv): give it the table's own.
            frame = (spark.createDataFrame(rows) if rows.num_rows
                     else spark.createDataFrame([], schema=_spark_schema(con, table)))
            frame.createOrReplaceTempView(table)


_SPARK_TYPES = {"VARCHAR": "string", "INTEGER": "int", "BIGINT": "bigint", "SMALLINT": "smallint",
                "TINYINT": "tinyint", "DOUBLE": "double", "FLOAT": "float", "BOOLEAN": "boolean",
                "DATE": "date", "TIMESTAMP": "timestamp", "HUGEINT": "decimal(38,0)"}


def _spark_schema(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """A Spark DDL schema for a DuckDB table (its column names and types)."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'main' and table_name = $table order by ordinal_position",
        {"table": table},
    ).fetchall()
    def spark_type(kind: str) -> str:
        return _SPARK_TYPES.get(kind, kind.lower() if kind.startswith("DECIMAL") else "string")

    return ", ".join(f"`{name}` {spark_type(kind)}" for name, kind in columns)


def _mart_rows(con: duckdb.DuckDBPyConnection, models: dict[str, Model]) -> dict[str, int]:
    return {name: con.execute(f"select count(*) from {name}").fetchall()[0][0]
            for name, model in models.items() if model.layer == "marts"}
