"""The coop command line, on marts published from the synthetic fixtures."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from tests.helpers import publish


@pytest.fixture
def published(project):
    publish(project)
    return project


def invoke(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def test_sql_prints_a_table(published):
    result = invoke("sql", "select country, year, igo_full from mart_country_year "
                           "where ccode = 704 and year = 2000")
    assert result.exit_code == 0, result.output
    assert "Uzbekistan" in result.output and "2000" in result.output
    assert "1 row(s)" in result.output


def test_sql_runs_a_query_file_with_variables(published, tmp_path):
    query_file = tmp_path / "uzbekistan.sql"
    query_file.write_text("-- a comment first, as in sql/examples/\n"
                          "set variable code = 704;\n"
                          "select year, exercises from mart_country_year\n"
                          "where ccode = getvariable('code') and year = 2000;\n")
    result = invoke("sql", "--csv", "-f", str(query_file))
    assert result.exit_code == 0, result.output
    assert result.output == "year,exercises\n2000,3\n"
    result = invoke("sql", "-f", str(query_file), "select 1")
    assert result.exit_code != 0 and "not both" in result.output


def test_sql_csv_and_json(published):
    query = "select ccode, year, exercises from mart_country_year where ccode = 704 " \
            "and year in (2000, 2012) order by year"
    result = invoke("sql", "--csv", query)
    assert result.exit_code == 0
    assert result.output == "ccode,year,exercises\n704,2000,3\n704,2012,\n"
    result = invoke("sql", "--json", query)
    assert json.loads(result.output) == [{"ccode": 704, "year": 2000, "exercises": 3},
                                         {"ccode": 704, "year": 2012, "exercises": None}]


@pytest.mark.parametrize("statement", [
    "create table mine as select 1",
    "delete from mart_country_year",
    "drop table mart_dyad_year",
])
def test_writes_are_refused_clearly(published, statement):
    result = invoke("sql", statement)
    assert result.exit_code == 1
    assert "read-only" in result.output
    assert "Traceback" not in result.output
    check = invoke("sql", "--csv", "select count(*) as n from mart_dyad_year")
    assert check.output.splitlines()[1] != "0"


def test_a_bad_query_is_an_error_not_a_traceback(published):
    result = invoke("sql", "select nope from mart_country_year")
    assert result.exit_code == 1
    assert "query failed" in result.output and "Traceback" not in result.output


def test_sql_before_any_refresh_says_what_to_do(project):
    result = invoke("sql", "select 1")
    assert result.exit_code == 1
    assert "coop refresh" in result.output


def test_interactive_shell_runs_statements_until_quit(published):
    result = invoke("sql", input="select 40 + 2\n  as answer;\ndelete from mart_countries;\n"
                                 ".tables\n.quit\n")
    assert result.exit_code == 0, result.output
    assert "42" in result.output
    assert "read-only" in result.output
    assert "mart_country_year" in result.output


def test_status_shows_the_published_release(published):
    result = invoke("status")
    assert result.exit_code == 0
    assert "mart_dyad_year" in result.output and "ipi/contributor_month.csv" in result.output


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help_with_an_example(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output and f"coop {command}" in result.output
