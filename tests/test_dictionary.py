"""The data dictionary documents every published mart column, and only those.

Marts are published once from the synthetic fixture; their columns and DuckDB types are the
real marts' (the build holds both to each mart's sql/marts/<mart>.toml). So a column added to
a mart without documentation in its metadata file, or an entry left for a column that is gone,
fails here, and so does a docs/data_dictionary.md that was not regenerated.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines import dictionary
from pipelines.cli import main
from pipelines.db import connect_published
from pipelines.errors import CoopError
from pipelines.mart_metadata import read_common, read_marts
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


def edited_project(tmp_path: Path, edits: dict) -> Path:
    """A copy of the project's sql/ whose sql/marts/<file> went through `edits[file](text)`,
    with the files the documentation may cite beside it; returns the sql directory."""
    sql_dir = tmp_path / "sql"
    shutil.copytree(PROJECT_ROOT / "sql", sql_dir)
    for entry in PROJECT_ROOT.iterdir():
        if entry.name != "sql":
            (tmp_path / entry.name).symlink_to(entry)
    for name, edit in edits.items():
        path = sql_dir / "marts" / name
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


def _drop_docs(text: str, header: str) -> str:
    """The file without the meaning, unit and sources of one [columns.<c>] entry."""
    start = text.index(header)
    end = text.find("\n[", start + 1)
    end = len(text) if end == -1 else end
    kept = [line for line in text[start:end].splitlines()
            if not line.startswith(("meaning =", "unit =", "sources ="))]
    return text[:start] + "\n".join(kept) + "\n" + text[end:]


DROP_JOINT_EXERCISES = {
    "mart_dyad_year.toml": lambda t: _drop_docs(t, "[columns.joint_exercises]")
}


def test_an_undocumented_column_is_named(published: Settings, tmp_path: Path):
    sql_dir = edited_project(tmp_path, DROP_JOINT_EXERCISES)
    assert problems(published, sql_dir) == [
        "mart_dyad_year.toml: mart_dyad_year.joint_exercises is not documented: give "
        "[columns.joint_exercises] a meaning, unit and sources (or add [joint_exercises] to "
        "common_columns.toml)."
    ]


def test_a_column_the_mart_does_not_have_is_named(published: Settings, tmp_path: Path):
    entry = ('\n[columns.closeness]\ntype = "DOUBLE"\nmeaning = "gone"\nunit = "x"\n'
             'sources = ["atop"]\n')
    sql_dir = edited_project(tmp_path, {"mart_network.toml": lambda t: t + entry})
    assert problems(published, sql_dir) == [
        "mart_network.toml: [columns.closeness] declares a column mart_network does not have."
    ]


def test_bad_entries_are_named(published: Settings, tmp_path: Path):
    def countries(text: str) -> str:
        return text.replace('[columns.n_spells]\ntype = "BIGINT"\nmeaning = "Number',
                            '[columns.n_spells]\ntype = "BIGINT"\nmeening = "N', 1)

    def network(text: str) -> str:
        return text.replace('[columns.n_nodes]\ntype = "INTEGER"\nmeaning = "Nodes of the graph: '
                            'every system member that year, isolates included."\nunit = "states"\n'
                            'sources = ["cow_states"]',
                            '[columns.n_nodes]\ntype = "INTEGER"\nmeaning = "Nodes."\n'
                            'unit = "states"\nsources = ["cow_statez"]', 1)

    def common(text: str) -> str:
        return text + '\n[alliance_id]\nmeaning = "x"\nunit = "x"\nsources = ["atop"]\n'

    found = problems(published, edited_project(tmp_path, {
        "mart_network.toml": network, "common_columns.toml": common}))
    assert any(p.startswith("mart_network.toml: [columns.n_nodes]: source 'cow_statez' is "
                            "neither a source of raw/sources.toml") for p in found)
    assert "common_columns.toml: [alliance_id] is used by no mart: remove it." in found
    assert len(found) == 2, found
    # An unknown field is refused when the file is read, naming the file and the field.
    sql_dir = edited_project(tmp_path / "unknown", {"mart_countries.toml": countries})
    with pytest.raises(CoopError, match=r"mart_countries\.toml: \[columns\.n_spells\] unknown "
                                        r"field\(s\) meening"):
        problems(published, sql_dir)


def test_a_new_mart_without_metadata_is_refused_by_name(published: Settings, tmp_path: Path):
    sql_dir = edited_project(tmp_path, {})
    (sql_dir / "marts" / "mart_extra.sql").write_text(
        "select ccode from mart_countries\n", encoding="utf-8")
    with pytest.raises(CoopError, match=r"mart_extra\.sql: a mart needs its metadata file "
                                        r"mart_extra\.toml beside it"):
        problems(published, sql_dir)


def test_a_new_mart_not_built_yet_is_named(published: Settings, tmp_path: Path):
    sql_dir = edited_project(tmp_path, {})
    (sql_dir / "marts" / "mart_extra.sql").write_text(
        "select ccode from mart_countries\n", encoding="utf-8")
    (sql_dir / "marts" / "mart_extra.toml").write_text(
        'description = "x"\ngrain = "one row per state"\nkey = ["ccode"]\n'
        '[columns.ccode]\ntype = "INTEGER"\n', encoding="utf-8")
    assert problems(published, sql_dir) == [
        "mart_extra.toml: mart_extra is not in the database: build or publish the marts first.",
    ]


def test_every_mart_has_a_description_and_every_column_its_docs():
    marts = read_marts(PROJECT_ROOT / "sql")
    assert set(marts) == set(dictionary.mart_models(PROJECT_ROOT / "sql"))
    for name, meta in marts.items():
        assert meta.description.strip() and meta.grain.strip() and meta.key, name
        for column in meta.columns.values():
            assert column.meaning.strip() and column.unit.strip(), f"{name}.{column.name}"
            assert column.sources, f"{name}.{column.name}"
    for column, entry in read_common(PROJECT_ROOT / "sql").items():
        assert entry["meaning"].strip() and entry["unit"].strip() and entry["sources"], column


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
    sql_dir = edited_project(tmp_path, DROP_JOINT_EXERCISES)
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
    sql_dir = edited_project(tmp_path, DROP_JOINT_EXERCISES)
    monkeypatch.setenv("COOP_SQL_DIR", str(sql_dir))
    result = CliRunner().invoke(main, ["dictionary"])
    assert result.exit_code == 1
    assert "mart_dyad_year.joint_exercises is not documented" in result.output
    assert "Traceback" not in result.output
