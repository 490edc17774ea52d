"""The SQL model runner: discovery, dependency order, declared checks; and SQL lint."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from pipelines import models
from pipelines.errors import CoopError, ModelCheckError
from pipelines.settings import PROJECT_ROOT


def write_model(sql_dir, layer, name, sql):
    path = sql_dir / layer / f"{name}.sql"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sql)


def test_order_is_derived_from_references_not_file_names(tmp_path):
    write_model(tmp_path, "staging", "stg_a__x", "select * from raw_a")
    write_model(tmp_path, "intermediate", "int_x_joined", "select * from stg_a__x")
    # A mart whose name sorts first still builds last.
    write_model(tmp_path, "marts", "mart_a",
                "-- grain: one row per x\n-- key: x\nselect * from int_x_joined")
    found = models.discover_models(tmp_path)
    assert found["mart_a"].depends_on == {"int_x_joined"}
    assert found["stg_a__x"].depends_on == {"raw_a"}
    assert models.build_order(found) == ["stg_a__x", "int_x_joined", "mart_a"]


def test_a_comment_mentioning_a_model_is_not_a_dependency(tmp_path):
    write_model(tmp_path, "staging", "stg_a__x", "-- unlike int_y_made\nselect 1 as x")
    write_model(tmp_path, "intermediate", "int_y_made", "select * from stg_a__x")
    assert models.discover_models(tmp_path)["stg_a__x"].depends_on == frozenset()


def test_cycles_are_refused(tmp_path):
    write_model(tmp_path, "intermediate", "int_a_x", "select * from int_b_x")
    write_model(tmp_path, "intermediate", "int_b_x", "select * from int_a_x")
    with pytest.raises(CoopError, match="cycle"):
        models.build_order(models.discover_models(tmp_path))


def test_a_mart_must_declare_grain_and_key(tmp_path):
    write_model(tmp_path, "marts", "mart_x", "select 1 as x")
    with pytest.raises(CoopError, match="grain and key"):
        models.discover_models(tmp_path)


def test_declared_checks_catch_duplicates_nulls_and_bad_values(tmp_path):
    write_model(tmp_path, "marts", "mart_x",
                "-- grain: one row per k\n-- key: k\n-- not_null: name\n"
                "-- accepted_values: flag = 0, 1\n"
                "select * from (values (1, 'a', 0), (1, null, 2)) as t(k, name, flag)")
    found = models.discover_models(tmp_path)
    con = duckdb.connect()
    models.build_models(con, found)
    with pytest.raises(ModelCheckError) as error:
        models.run_checks(con, found)
    message = str(error.value)
    assert "mart_x: unique key: 1 violation" in message
    assert "mart_x: not null name: 1 violation" in message
    assert "mart_x: accepted values flag: 1 violation" in message


def test_every_shipped_mart_declares_grain_and_key():
    found = models.discover_models(PROJECT_ROOT / "sql")
    marts = {name: model for name, model in found.items() if model.layer == "marts"}
    assert {"mart_country_year", "mart_dyad_year", "mart_quarantine"} <= set(marts)
    assert found["mart_dyad_year"].key == ("ccode1", "ccode2", "year")
    assert found["mart_country_year"].key == ("ccode", "year")


def test_sql_is_linted():
    result = subprocess.run(
        [sys.executable, "-m", "sqlfluff", "lint", "sql", "--nofail", "--format", "json"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
    )
    import json

    violations = [
        f"{entry['filepath']}:{item['start_line_no']} {item['code']} {item['description']}"
        for entry in json.loads(result.stdout) for item in entry["violations"]
    ]
    assert violations == []


def test_python_is_linted():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "pipelines", "tests"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
