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


def write_mart(sql_dir, name, sql, metadata):
    """A mart and its metadata file (sql/marts/<name>.toml)."""
    write_model(sql_dir, "marts", name, sql)
    (sql_dir / "marts" / f"{name}.toml").write_text(metadata)


X_META = (
    'description = "x"\ngrain = "one row per x"\nkey = ["x"]\n[columns.x]\ntype = "INTEGER"\n'
)


def test_order_is_derived_from_references_not_file_names(tmp_path):
    write_model(tmp_path, "staging", "stg_a__x", "select * from raw_a")
    write_model(tmp_path, "intermediate", "int_x_joined", "select * from stg_a__x")
    # A mart whose name sorts first still builds last.
    write_mart(tmp_path, "mart_a", "select * from int_x_joined", X_META)
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


def test_a_mart_needs_its_metadata_file(tmp_path):
    write_model(tmp_path, "marts", "mart_x", "select 1 as x")
    with pytest.raises(CoopError, match=r"mart_x\.sql: a mart needs its metadata file "
                                        r"mart_x\.toml"):
        models.discover_models(tmp_path)


def test_a_mart_must_declare_grain_and_key(tmp_path):
    write_mart(tmp_path, "mart_x", "select 1 as x",
               'description = "x"\n[columns.x]\ntype = "INTEGER"\n')
    with pytest.raises(CoopError, match=r"mart_x\.toml: lacks grain; lacks key"):
        models.discover_models(tmp_path)


def test_metadata_refuses_unknown_checks_and_fields(tmp_path):
    write_mart(tmp_path, "mart_x", "select 1 as x",
               X_META + 'checks = { not_nul = true }\nmeanning = "typo"\n')
    with pytest.raises(CoopError) as error:
        models.discover_models(tmp_path)
    assert "[columns.x] unknown field(s) meanning" in str(error.value)
    assert "[columns.x] unknown check not_nul" in str(error.value)


def test_types_are_checked_before_the_mart_is_built(tmp_path):
    """dbt-style contract: the planned select is compared with the declared columns and
    nothing is built when they differ."""
    write_mart(tmp_path, "mart_x", "select 1 as x, 'a' as extra",
               X_META.replace('type = "INTEGER"', 'type = "BIGINT"'))
    con = duckdb.connect()
    with pytest.raises(ModelCheckError) as error:
        models.build_models(con, models.discover_models(tmp_path))
    message = str(error.value)
    assert "its columns differ from mart_x.toml (nothing was built)" in message
    assert "x BIGINT -> INTEGER" in message
    assert "extra absent -> VARCHAR" in message
    assert con.execute("select count(*) from duckdb_tables() where table_name = 'mart_x'"
                       ).fetchone() == (0,)


def test_declared_checks_catch_duplicates_nulls_and_bad_values(tmp_path):
    write_mart(tmp_path, "mart_x",
               "select * from (values (1, 'a', 0), (1, null, 2)) as t(k, name, flag)",
               'description = "x"\ngrain = "one row per k"\nkey = ["k"]\n'
               '[columns.k]\ntype = "INTEGER"\n'
               '[columns.name]\ntype = "VARCHAR"\nchecks = { not_null = true }\n'
               '[columns.flag]\ntype = "INTEGER"\nchecks = { values = [0, 1] }\n')
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


def test_quarantine_reads_the_generated_union_of_every_checked_model(tmp_path):
    """A new source's *_checked model reaches mart_quarantine with no edit to the union."""
    shipped = models.discover_models(PROJECT_ROOT / "sql")
    checked = {name for name in shipped if name.endswith("_checked")}
    union = shipped[models.REJECTS_MODEL]
    assert union.depends_on == checked
    assert models.REJECTS_MODEL in shipped["mart_quarantine"].depends_on
    assert {"int_atop_dyad_years_checked", "int_register_facts_checked"} <= checked
    # A scratch project: two checked models, one of them new, both in the union.
    for name, rows in (("int_a_rows_checked", "(1, 'a.csv', null), (2, 'a.csv', 'bad')"),
                       ("int_new_rows_checked", "(7, 'new.csv', 'worse')")):
        write_model(tmp_path, "intermediate", name,
                    f"select 'src' as source_id, f as source_file, n as row_number, "
                    f"case when r is not null then struct_pack(rule := r) end as reject "
                    f"from (values {rows}) as t(n, f, r)")
    found = models.discover_models(tmp_path)
    con = duckdb.connect()
    models.build_models(con, found)
    assert con.execute(
        f"select source_file, row_number, reject.rule from {models.REJECTS_MODEL} order by all"
    ).fetchall() == [("a.csv", 2, "bad"), ("new.csv", 7, "worse")]


def test_a_macro_reading_a_model_is_created_after_it_and_orders_its_callers(tmp_path):
    write_model(tmp_path, "staging", "stg_a__codes", "select 1 as code")
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / "lookups.sql").write_text(
        "create or replace macro is_known(value) as "
        "exists (select 1 from stg_a__codes as c where c.code = value);\n")
    write_model(tmp_path, "intermediate", "int_a_flagged",
                "select i, is_known(i) as known from range(3) as t(i)")
    found = models.discover_models(tmp_path)
    assert found["int_a_flagged"].depends_on == {"stg_a__codes"}
    con = duckdb.connect()
    models.create_macros(con, tmp_path)  # not yet: the table it reads does not exist
    models.build_models(con, found)
    assert con.execute("select i, known from int_a_flagged order by i").fetchall() == [
        (0, False), (1, True), (2, False)]
