"""Parity: every Spark-marked event model on DuckDB and on a real Spark Connect session
(`remote("local[2]")`), on the SYNTHETIC fixture and on the real samples. Keys and counts must
be equal exactly, floats within 1e-9 relative.

One Spark Connect session serves the whole test session. Without Java the tests skip, unless
COOP_REQUIRE_SPARK=1 (CI), when they fail: `make test` installs Java first (`make java`)."""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.events.engine import build_duckdb, build_spark, event_models, load_inputs
from pipelines.events.ingest import convert_samples
from pipelines.settings import get_settings
from tests.events_fixture import build_fixture_lake

REQUIRED = os.environ.get("COOP_REQUIRE_SPARK") == "1"


@pytest.fixture(scope="session")
def spark():
    reason = None
    if shutil.which("java") is None:
        reason = "Java is not installed (make java installs Debian's openjdk-17-jre-headless)"
    else:
        try:
            from pyspark.sql import SparkSession  # noqa: F401
        except ImportError:
            reason = "pyspark[connect] is not installed (uv sync --group dev)"
    if reason:
        if REQUIRED:
            pytest.fail(f"COOP_REQUIRE_SPARK=1 but {reason}")
        pytest.skip(reason)
    from pipelines.events.engine import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()


def _marts(con, models) -> dict[str, list[tuple]]:
    out = {}
    for name, model in models.items():
        if model.layer != "marts":
            continue
        columns = [c[0] for c in con.execute(f"describe {name}").fetchall()]
        order = ", ".join(model.key)
        out[name] = (columns, con.execute(
            f"select {', '.join(columns)} from {name} order by {order}").fetchall())
    return out


def _same(left, right) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        if left is None or right is None:
            return left is right
        return math.isclose(float(left), float(right), rel_tol=1e-9, abs_tol=1e-12)
    return left == right


def _assert_parity(lake: Path, tmp_path: Path, spark) -> dict[str, int]:
    settings = get_settings()
    models = event_models(settings)
    on_duckdb = duckdb.connect()
    load_inputs(on_duckdb, settings, lake)
    build_duckdb(on_duckdb, settings)
    on_spark = duckdb.connect()
    load_inputs(on_spark, settings, lake)
    build_spark(on_spark, settings, spark, tmp_path / "spark", lake)
    expected, got = _marts(on_duckdb, models), _marts(on_spark, models)
    counts = {}
    for name, (columns, rows) in expected.items():
        spark_columns, spark_rows = got[name]
        assert spark_columns == columns, name
        assert len(spark_rows) == len(rows), name
        for duck_row, spark_row in zip(rows, spark_rows, strict=True):
            assert all(_same(a, b) for a, b in zip(duck_row, spark_row, strict=True)), (
                name, duck_row, spark_row)
        counts[name] = len(rows)
    return counts


def test_fixture_marts_equal_on_duckdb_and_spark(spark, tmp_path):
    build_fixture_lake(tmp_path / "files", tmp_path / "lake")
    counts = _assert_parity(tmp_path / "lake", tmp_path, spark)
    assert counts["mart_event_quarantine"] == 2 and counts["mart_event_dyad_year"] == 10


def test_sample_marts_equal_on_duckdb_and_spark(spark, tmp_path):
    convert_samples(duckdb.connect(), get_settings().events_raw_dir, tmp_path / "lake")
    counts = _assert_parity(tmp_path / "lake", tmp_path, spark)
    assert counts["mart_event_dyad_year"] > 1000 and counts["mart_event_coverage"] == 2
