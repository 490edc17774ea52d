"""The data dictionary documents every published mart column, and only those.

Marts are published once from the synthetic fixture; their columns and DuckDB types are the
real marts' (the gate holds both to sql/marts/contracts.json). So a column added to a mart
without a line in sql/marts/columns.toml, or a line left for a column that is gone, fails here,
and so does a docs/data_dictionary.md that was not regenerated.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines import dictionary
from pipelines.cli import main
from pipelines.db import connect_published
from pipelines.settings import PROJECT_ROOT, Settings, get_settings
from tests.helpers import fixture_project, publish

SHIPPED_MANIFEST = PROJECT_ROOT / "raw" / "sources.toml"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Marts published once for the module from the synthetic fixture."""
    root = tmp_path_factory.mktemp("dictionary")
    with fixture_project(root) as settings:
        publish(settings)
        yield settings


def edited_project(tmp_path: Path, edit) -> Path:
    """A copy of the project's sql/ whose columns.toml went through `edit(text) -> text`, with
    the files the documentation may cite beside it; returns the sql directory."""
    sql_dir = tmp_path / "sql"
    shutil.copytree(PROJECT_ROOT / "sql", sql_dir)
    for entry in PROJECT_ROOT.iterdir():
        if entry.name != "sql":
            (tmp_path / entry.name).symlink_to(entry)
    path = dictionary.columns_file(sql_dir)
    path.write_text(edit(path.read_text("utf-8")), encoding="utf-8")
    return sql_dir


def problems(settings: Settings, sql_dir: Path) -> list[str]:
    con = connect_published(settings.published_db)
    try:
        sources = dictionary.sources_from_manifest(SHIPPED_MANIFEST)
        return dictionary.documentation_problems(con, sql_dir, sources)
    finally:
        con.close()


def test_every_published_column_is_documented(published: Settings):
    assert problems(published, PROJECT_ROOT / "sql") == []


def test_docs_data_dictionary_is_up_to_date(published: Settings):
    con = connect_published(published.published_db)
    try:
        expected = dictionary.markdown(
            dictionary.collect_marts(con, PROJECT_ROOT / "sql"),
            dictionary.sources_from_manifest(SHIPPED_MANIFEST),
        )
    finally:
        con.close()
    committed = PROJECT_ROOT / dictionary.MARKDOWN_FILE
    assert committed.read_text("utf-8") == expected, (
        "docs/data_dictionary.md is out of date: run `coop dictionary` and commit it"
    )


def test_markdown_lists_every_mart_and_column(published: Settings):
    text = (PROJECT_ROOT / dictionary.MARKDOWN_FILE).read_text("utf-8")
    con = connect_published(published.published_db)
    try:
        for mart in dictionary.mart_models(PROJECT_ROOT / "sql"):
            assert f"\n## {mart}\n" in text
            for column, data_type in dictionary.built_columns(con, mart):
                assert f"| `{column}` | {data_type} |" in text
    finally:
        con.close()


def _drop_entry(text: str, header: str) -> str:
    start = text.index(header)
    end = text.index("\n[", start + 1)
    return text[:start] + text[end + 1:]


def test_an_undocumented_column_is_named(published: Settings, tmp_path: Path):
    sql_dir = edited_project(tmp_path, lambda t: _drop_entry(t, "[mart_dyad_year.joint_exercises]"))
    assert problems(published, sql_dir) == [
        "columns.toml: mart_dyad_year.joint_exercises is not documented: "
        "add [mart_dyad_year.joint_exercises]."
    ]


def test_a_column_no_mart_has_is_named(published: Settings, tmp_path: Path):
    entry = '\n[mart_network.closeness]\nmeaning = "gone"\nunit = "x"\nsources = ["atop"]\n'
    sql_dir = edited_project(tmp_path, lambda t: t + entry)
    assert problems(published, sql_dir) == [
        "columns.toml: [mart_network.closeness] documents a column mart_network does not have."
    ]


def test_bad_entries_are_named(published: Settings, tmp_path: Path):
    def edit(text: str) -> str:
        text = text.replace('[mart_countries.n_spells]\nmeaning = "Number',
                            '[mart_countries.n_spells]\nmeening = "Number', 1)
        text = text.replace('[mart_network.n_nodes]\nmeaning = "Nodes of the graph: every '
                            'system member that year, isolates included."\nunit = "states"\n'
                            'sources = ["cow_states"]',
                            '[mart_network.n_nodes]\nmeaning = "Nodes."\nunit = "states"\n'
                            'sources = ["cow_statez"]', 1)
        return text + '\n[common.alliance_id]\nmeaning = "x"\nunit = "x"\nsources = ["atop"]\n' \
                      '\n[mart_gone.year]\nmeaning = "x"\nunit = "x"\nsources = ["atop"]\n'
    found = problems(published, edited_project(tmp_path, edit))
    assert "columns.toml: [mart_countries.n_spells]: lacks meaning." in found
    assert "columns.toml: [mart_countries.n_spells]: unknown field(s) meening." in found
    assert any(p.startswith("columns.toml: [mart_network.n_nodes]: source 'cow_statez' is "
                            "neither a source of raw/sources.toml") for p in found)
    assert "columns.toml: [common.alliance_id] is used by no mart: remove it." in found
    assert "columns.toml: [mart_gone.*] documents mart_gone, which is not a mart model." in found
    assert len(found) == 5, found


def test_a_new_mart_without_documentation_is_named(published: Settings, tmp_path: Path):
    sql_dir = edited_project(tmp_path, lambda text: text)
    (sql_dir / "marts" / "mart_extra.sql").write_text(
        "-- grain: one row per state\n-- key: ccode\nselect ccode from mart_countries\n",
        encoding="utf-8")
    assert problems(published, sql_dir) == [
        "columns.toml: [marts] has no description of mart_extra.",
        "columns.toml: mart_extra is not in the database: build or publish the marts first.",
    ]


def test_every_mart_has_a_description_and_every_entry_its_fields():
    docs = tomllib.loads(dictionary.columns_file(PROJECT_ROOT / "sql").read_text("utf-8"))
    assert set(docs["marts"]) == set(dictionary.mart_models(PROJECT_ROOT / "sql"))
    for section, entries in docs.items():
        if section == "marts":
            continue
        for column, entry in entries.items():
            assert entry["meaning"].strip() and entry["unit"].strip(), f"{section}.{column}"
            assert entry["sources"], f"{section}.{column}"


def test_html_dictionary(published: Settings):
    path = dictionary.render_dictionary(published)
    assert path == published.reports_dir / "data_dictionary.html"
    html = path.read_text("utf-8")
    con = connect_published(published.published_db)
    try:
        for mart in dictionary.mart_models(published.sql_dir):
            assert f'<section class="mart" id="{mart}">' in html
            for column, _type in dictionary.built_columns(con, mart):
                assert f"<td><code>{column}</code></td>" in html
    finally:
        con.close()
    assert "not documented" not in html
    # Years with values come from the data: the fixture's MME covers 1990-2010.
    exercises = html.split("<td><code>exercises</code></td>", 1)[1].split("</tr>", 1)[0]
    assert "<td>1990&ndash;2010</td>" in exercises
    assert "<code>mme</code> 1990&ndash;2010" in exercises
    assert not [p for p in published.reports_dir.iterdir() if ".tmp-" in p.name]


def test_html_marks_undocumented_columns_instead_of_failing(published: Settings, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch):
    sql_dir = edited_project(tmp_path, lambda t: _drop_entry(t, "[mart_dyad_year.joint_exercises]"))
    monkeypatch.setenv("COOP_SQL_DIR", str(sql_dir))
    html = dictionary.render_dictionary(get_settings()).read_text("utf-8")
    assert "1 column(s) of the published marts are not documented" in html
    row = html.split("<td><code>joint_exercises</code></td>")
    assert "<strong>not documented</strong>" in row[-1].split("</tr>", 1)[0]


def test_cli_writes_and_checks_the_dictionary(published: Settings):
    runner = CliRunner()
    stale = runner.invoke(main, ["dictionary", "--check"])
    assert stale.exit_code == 1
    assert "data_dictionary.md is out of date" in stale.output
    assert "Traceback" not in stale.output
    written = runner.invoke(main, ["dictionary"])
    assert written.exit_code == 0, written.output
    assert (published.root / "docs" / "data_dictionary.md").is_file()
    assert (published.reports_dir / "data_dictionary.html").is_file()
    fresh = runner.invoke(main, ["dictionary", "--check"])
    assert fresh.exit_code == 0, fresh.output
    assert "is up to date" in fresh.output


def test_cli_refuses_an_undocumented_column(published: Settings, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch):
    sql_dir = edited_project(tmp_path, lambda t: _drop_entry(t, "[mart_dyad_year.joint_exercises]"))
    monkeypatch.setenv("COOP_SQL_DIR", str(sql_dir))
    result = CliRunner().invoke(main, ["dictionary"])
    assert result.exit_code == 1
    assert "mart_dyad_year.joint_exercises is not documented" in result.output
    assert "Traceback" not in result.output
