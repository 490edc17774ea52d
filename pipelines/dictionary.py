"""The data dictionary: every mart's grain and key, and each column's type, meaning, unit,
sources and years.

Nothing is written twice. Description, grain, key, and each column's type, meaning, unit,
sources and checks come from the mart's metadata file beside it (sql/marts/<mart>.toml, like
dbt's schema.yml; shared meanings from sql/marts/common_columns.toml), notes from the model's
header, and each source's years from raw/sources.toml or the published mart_source_coverage.
`coop dictionary` writes docs/data_dictionary.md from them; every refresh renders
reports/data_dictionary.html, which also shows each mart's rows and the years in which each
column actually has values. `documentation_problems` lists the built columns the files fail
to document, or document but the mart does not have; the tests run it so the dictionary
cannot drift from the marts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.db import connect_published
from pipelines.errors import CoopError
from pipelines.mart_metadata import COMMON_FILE, DOC_FIELDS, REQUIRED_DOC_FIELDS, read_common
from pipelines.models import Model, discover_models
from pipelines.raw_manifest import read_manifest
from pipelines.reports.output import environment, write_atomically
from pipelines.settings import Settings

MARKDOWN_FILE = Path("docs") / "data_dictionary.md"
HTML_FILE = "data_dictionary.html"
@dataclass(frozen=True)
class SourceYears:
    source_id: str
    dataset: str
    version: str
    first_year: int
    last_year: int
    citation: str


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    documented: bool
    meaning: str = ""
    unit: str = ""
    sources: tuple[str, ...] = ()
    years: str = ""
    checks: tuple[str, ...] = ()
    # Years in which the column has a value in the described marts (None: no year column).
    observed: tuple[int, int] | None = None
    observed_none: bool = False


@dataclass(frozen=True)
class Mart:
    name: str
    description: str
    grain: str
    key: tuple[str, ...]
    notes: str
    columns: tuple[Column, ...]
    rows: int | None = None


def sources_from_manifest(manifest: Path) -> dict[str, SourceYears]:
    return {
        source_id: SourceYears(
            source_id, source.dataset, source.version, source.first_year, source.last_year,
            source.citation,
        )
        for source_id, source in sorted(read_manifest(manifest).items())
    }


def sources_from_marts(con: duckdb.DuckDBPyConnection) -> dict[str, SourceYears]:
    rows = con.execute(
        "select source_id, dataset, version, first_year, last_year, citation "
        "from mart_source_coverage order by source_id"
    ).fetchall()
    return {row[0]: SourceYears(*row) for row in rows}


def mart_models(sql_dir: Path) -> dict[str, Model]:
    return {
        name: model
        for name, model in sorted(discover_models(sql_dir).items())
        if model.layer == "marts"
    }


def built_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) of a built table in column order; empty when it does not exist."""
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_name = $table order by ordinal_position",
        {"table": table},
    ).fetchall()


def _column_checks(model: Model, column: str) -> tuple[str, ...]:
    checks = []
    if column in model.key:
        checks.append("key")
    if column in model.not_null or column in model.key:
        checks.append("not null")
    if column in model.accepted_values:
        checks.append("values: " + ", ".join(model.accepted_values[column]))
    return tuple(checks)


def _entry_problems(where: str, entry: dict, sources: Mapping[str, SourceYears],
                    project_root: Path) -> list[str]:
    problems = [f"{where}: lacks {field}." for field in REQUIRED_DOC_FIELDS if not entry.get(field)]
    for field in ("meaning", "unit", "years"):
        if field in entry and not isinstance(entry[field], str):
            problems.append(f"{where}: {field} must be text.")
    listed = entry.get("sources", [])
    if not isinstance(listed, list):
        return [*problems, f"{where}: sources must be a list."]
    for source in listed:
        if source not in sources and not (project_root / str(source)).is_file():
            problems.append(
                f"{where}: source '{source}' is neither a source of raw/sources.toml "
                f"({', '.join(sources)}) nor a file of the project."
            )
    return problems


def documentation_problems(
    con: duckdb.DuckDBPyConnection, sql_dir: Path, sources: Mapping[str, SourceYears]
) -> list[str]:
    """Every way the marts' metadata files fail to describe the built marts (empty = complete)."""
    project_root = sql_dir.parent
    common = read_common(sql_dir)
    problems = []
    common_used: set[str] = set()
    for name, model in mart_models(sql_dir).items():
        meta = model.metadata
        file = meta.path.name
        built = {column.lower() for column, _type in built_columns(con, name)}
        if not built:
            problems.append(
                f"{file}: {name} is not in the database: build or publish the marts first."
            )
            continue
        declared = {column.lower(): column for column in meta.columns}
        for column in sorted(built - set(declared)):
            problems.append(f"{file}: {name}.{column} is not declared: add [columns.{column}].")
        for column in sorted(set(declared) - built):
            problems.append(f"{file}: [columns.{column}] declares a column {name} does not have.")
        document = meta.columns
        for lower, column in sorted(declared.items()):
            if lower not in built:
                continue
            entry = document[column]
            if entry.common:
                common_used.add(lower)
            elif not entry.meaning:
                problems.append(
                    f"{file}: {name}.{column} is not documented: give [columns.{column}] a "
                    f"meaning, unit and sources (or add [{column}] to {COMMON_FILE})."
                )
            else:
                fields = {f: getattr(entry, f) for f in DOC_FIELDS if getattr(entry, f)}
                fields["sources"] = list(entry.sources)
                problems.extend(
                    _entry_problems(f"{file}: [columns.{column}]", fields, sources, project_root)
                )
    for column, entry in sorted(common.items()):
        if column not in common_used:
            problems.append(f"{COMMON_FILE}: [{column}] is used by no mart: remove it.")
        if not isinstance(entry, dict):
            problems.append(f"{COMMON_FILE}: [{column}] must be a table.")
            continue
        unknown = sorted(set(entry) - set(DOC_FIELDS))
        if unknown:
            problems.append(f"{COMMON_FILE}: [{column}]: unknown field(s) {', '.join(unknown)}.")
        problems.extend(_entry_problems(f"{COMMON_FILE}: [{column}]", entry, sources, project_root))
    return problems


def _observed_years(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str]
) -> tuple[int, dict[str, tuple[int | None, int | None]]]:
    """Rows of the table and, when it has a year column, each column's first and last year
    with a value."""
    quoted = {column: '"' + column.replace('"', '""') + '"' for column in columns}
    has_year = "year" in (column.lower() for column in columns)
    parts = ["count(*)"]
    if has_year:
        for column in columns:
            parts.append(f"min(year) filter (where {quoted[column]} is not null)")
            parts.append(f"max(year) filter (where {quoted[column]} is not null)")
    row = con.execute(f"select {', '.join(parts)} from \"{table}\"").fetchone()
    years = {}
    if has_year:
        for index, column in enumerate(columns):
            years[column] = (row[1 + 2 * index], row[2 + 2 * index])
    return int(row[0]), years


def collect_marts(
    con: duckdb.DuckDBPyConnection, sql_dir: Path, observed: bool = False
) -> list[Mart]:
    """Every mart with its declared columns and their documentation.

    observed=True also counts each built mart's rows and the years each column has values in.
    """
    marts = []
    for name, model in mart_models(sql_dir).items():
        meta = model.metadata
        built = [column for column, _type in built_columns(con, name)] if observed else []
        rows, years = _observed_years(con, name, built) if built else (None, {})
        columns = []
        for column in meta.columns.values():
            first, last = years.get(column.name, (None, None))
            columns.append(
                Column(
                    name=column.name,
                    data_type=column.type,
                    documented=bool(column.meaning),
                    meaning=column.meaning,
                    unit=column.unit,
                    sources=column.sources,
                    years=column.years,
                    checks=_column_checks(model, column.name.lower()),
                    observed=(first, last) if first is not None else None,
                    observed_none=column.name in years and first is None,
                )
            )
        marts.append(
            Mart(
                name=name,
                description=meta.description,
                grain=meta.grain,
                key=meta.key,
                notes=model.notes,
                columns=tuple(columns),
                rows=rows,
            )
        )
    return marts


def _text(text: str) -> str:
    """Plain text for Markdown: `<bloc>` must not read as an HTML tag."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    return _text(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _source_cell(column: Column, sources: Mapping[str, SourceYears]) -> str:
    parts = []
    for source in column.sources:
        known = sources.get(source)
        years = f" {known.first_year}–{known.last_year}" if known else ""
        parts.append(f"`{source}`{years}")
    if column.years:
        parts.append(f"values: {column.years}")
    return _cell("<br>".join(parts))


def markdown(marts: list[Mart], sources: Mapping[str, SourceYears]) -> str:
    """docs/data_dictionary.md: only what the models, columns.toml, the types and the source
    manifest say, so it changes exactly when one of them does."""
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated by `coop dictionary`: do not edit. Edit sql/marts/<mart>.toml, then",
        "     run `coop dictionary`. -->",
        "",
        "Every published mart (`marts/coop.duckdb`, `marts/<mart>.parquet`): its grain and key,",
        "and each column's DuckDB type, meaning, unit, sources, the years those sources cover",
        "and its checks, all from the mart's metadata file `sql/marts/<mart>.toml` (shared",
        "meanings: `sql/marts/common_columns.toml`); the method behind the index marts is in",
        "`docs/methodology.md`. `reports/data_dictionary.html`, rendered at every refresh, also",
        "shows how many rows each mart has and the years in which each column has values.",
        "",
        "**Missing is not zero.** A source's columns are NULL outside the years it covers and 0",
        "inside them when a state has no record. A value that cannot be computed is NULL.",
        "Checks (key, not null, accepted values) are run on every build; a failure stops the",
        "refresh before anything is published.",
        "",
        "## Sources",
        "",
        "| source | dataset | version | years |",
        "|---|---|---|---|",
    ]
    for source in sources.values():
        lines.append(
            f"| `{source.source_id}` | {_cell(source.dataset)} | {_cell(source.version)} | "
            f"{source.first_year}–{source.last_year} |"
        )
    lines += ["", "Cite them as:", ""]
    lines += [f"- `{source.source_id}`: {_text(source.citation)}" for source in sources.values()]
    lines += ["", "## Marts", "", "| mart | grain | key |", "|---|---|---|"]
    for mart in marts:
        lines.append(
            f"| [`{mart.name}`](#{mart.name}) | {_cell(mart.grain)} | `{', '.join(mart.key)}` |"
        )
    for mart in marts:
        lines += ["", f"## {mart.name}", ""]
        if mart.description:
            lines += [_text(mart.description), ""]
        lines += [f"- **Grain:** {_text(mart.grain)}", f"- **Key:** `{', '.join(mart.key)}`"]
        if mart.notes:
            lines.append(f"- **Notes:** {_text(mart.notes)}")
        lines += [
            "",
            "| column | type | meaning | unit | sources: years | checks |",
            "|---|---|---|---|---|---|",
        ]
        for column in mart.columns:
            meaning = column.meaning if column.documented else "**not documented**"
            lines.append(
                f"| `{column.name}` | {column.data_type} | {_cell(meaning)} | "
                f"{_cell(column.unit)} | {_source_cell(column, sources)} | "
                f"{_cell('; '.join(column.checks))} |"
            )
    return "\n".join(lines) + "\n"


def _write(target: Path, text: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomically(target, text)


def render_dictionary(settings: Settings) -> Path:
    """Render reports/data_dictionary.html from the published marts (temp file + os.replace).

    Undocumented columns are shown as such rather than stopping the report: the tests and
    `coop dictionary` are what refuse them.
    """
    con = connect_published(settings.published_db)
    try:
        marts = collect_marts(con, settings.sql_dir, observed=True)
        sources = sources_from_marts(con)
    finally:
        con.close()
    html = environment().get_template("data_dictionary.html.j2").render(
        marts=marts,
        sources=sources,
        undocumented=sum(not c.documented for mart in marts for c in mart.columns),
        rendered_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    return _write(settings.reports_dir / HTML_FILE, html)


def _published_markdown(settings: Settings) -> str:
    """The Markdown dictionary of the published marts; raises if any column is undocumented."""
    sources = sources_from_manifest(settings.sources_manifest)
    con = connect_published(settings.published_db)
    try:
        problems = documentation_problems(con, settings.sql_dir, sources)
        if problems:
            raise CoopError(
                "the data dictionary is incomplete:\n  " + "\n  ".join(problems)
                + f"\nEdit the files in {settings.sql_dir / 'marts'} and run `coop dictionary` "
                "again."
            )
        return markdown(collect_marts(con, settings.sql_dir), sources)
    finally:
        con.close()


def write_dictionary(settings: Settings) -> tuple[Path, Path]:
    """Write docs/data_dictionary.md and reports/data_dictionary.html (`coop dictionary`)."""
    text = _published_markdown(settings)
    markdown_path = _write(settings.root / MARKDOWN_FILE, text)
    return markdown_path, render_dictionary(settings)


def check_dictionary(settings: Settings) -> Path:
    """Raise unless docs/data_dictionary.md is what `coop dictionary` would write now."""
    path = settings.root / MARKDOWN_FILE
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if current != _published_markdown(settings):
        raise CoopError(
            f"{path} is out of date with the marts' metadata files or the published marts: "
            "run `coop dictionary` and commit the result."
        )
    return path
