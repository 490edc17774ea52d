"""The data dictionary: every mart's grain and key, and each column's type, meaning, unit,
sources and years.

Nothing is written twice. Grain, key and checks come from the models' headers
(sql/marts/*.sql), column types from the built marts, meaning, unit and sources from
sql/marts/columns.toml (kept beside the models, like dbt's schema.yml), and each source's
years from raw/sources.toml or the published mart_source_coverage. `coop dictionary` writes
docs/data_dictionary.md from them; every refresh renders reports/data_dictionary.html, which
also shows each mart's rows and the years in which each column actually has values.
`documentation_problems` lists the columns the file fails to document, or documents but no
mart has; the tests run it so the dictionary cannot drift from the marts.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.db import connect_published
from pipelines.errors import CoopError
from pipelines.models import Model, discover_models
from pipelines.raw_manifest import read_manifest
from pipelines.reports.output import environment, write_atomically
from pipelines.settings import Settings

COLUMNS_FILE = "columns.toml"
MARKDOWN_FILE = Path("docs") / "data_dictionary.md"
HTML_FILE = "data_dictionary.html"
_MART_DESCRIPTIONS = "marts"
_COMMON = "common"
_REQUIRED_FIELDS = ("meaning", "unit", "sources")
_OPTIONAL_FIELDS = ("years",)
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


def columns_file(sql_dir: Path) -> Path:
    return sql_dir / "marts" / COLUMNS_FILE


def read_column_docs(path: Path) -> dict:
    """The parsed documentation file; a clear error naming it when it is missing or invalid."""
    if not path.is_file():
        raise CoopError(f"{path}: the mart column documentation is missing.")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CoopError(f"{path}: not valid TOML ({exc}).") from exc


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


def _entry(docs: dict, mart: str, column: str) -> dict | None:
    own = docs.get(mart, {})
    if column.lower() in own:
        return own[column.lower()]
    return docs.get(_COMMON, {}).get(column.lower())


def _entry_problems(where: str, entry: object, sources: Mapping[str, SourceYears],
                    project_root: Path) -> list[str]:
    if not isinstance(entry, dict):
        return [f"{where}: must be a table with {', '.join(_REQUIRED_FIELDS)}."]
    problems = [f"{where}: lacks {field}." for field in _REQUIRED_FIELDS if not entry.get(field)]
    unknown = sorted(set(entry) - set(_REQUIRED_FIELDS) - set(_OPTIONAL_FIELDS))
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)}.")
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
    """Every way sql/marts/columns.toml fails to describe the built marts (empty = complete)."""
    path = columns_file(sql_dir)
    docs = read_column_docs(path)
    project_root = sql_dir.parent
    models = mart_models(sql_dir)
    problems = []
    descriptions = docs.get(_MART_DESCRIPTIONS, {})
    for name in models:
        if not isinstance(descriptions.get(name), str) or not descriptions[name].strip():
            problems.append(f"[{_MART_DESCRIPTIONS}] has no description of {name}.")
    for name in sorted(set(descriptions) - set(models)):
        problems.append(f"[{_MART_DESCRIPTIONS}] describes {name}, which is not a mart model.")
    for name in sorted(set(docs) - set(models) - {_MART_DESCRIPTIONS, _COMMON}):
        problems.append(f"[{name}.*] documents {name}, which is not a mart model.")
    common_used: set[str] = set()
    for name in models:
        columns = {column.lower() for column, _type in built_columns(con, name)}
        if not columns:
            problems.append(f"{name} is not in the database: build or publish the marts first.")
            continue
        own = docs.get(name, {})
        for column in sorted(columns):
            if column in own:
                continue
            if column in docs.get(_COMMON, {}):
                common_used.add(column)
            else:
                problems.append(f"{name}.{column} is not documented: add [{name}.{column}].")
        for column in sorted(set(own) - columns):
            problems.append(f"[{name}.{column}] documents a column {name} does not have.")
        for column, entry in sorted(own.items()):
            problems.extend(_entry_problems(f"[{name}.{column}]", entry, sources, project_root))
    for column, entry in sorted(docs.get(_COMMON, {}).items()):
        if column not in common_used:
            problems.append(f"[{_COMMON}.{column}] is used by no mart: remove it.")
        problems.extend(_entry_problems(f"[{_COMMON}.{column}]", entry, sources, project_root))
    return [f"{path.name}: {problem}" for problem in problems]


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
    """Every mart model with its built columns and their documentation.

    observed=True also counts each mart's rows and the years each column has values in.
    """
    docs = read_column_docs(columns_file(sql_dir))
    descriptions = docs.get(_MART_DESCRIPTIONS, {})
    marts = []
    for name, model in mart_models(sql_dir).items():
        built = built_columns(con, name)
        rows, years = (
            _observed_years(con, name, [column for column, _type in built])
            if observed and built
            else (None, {})
        )
        columns = []
        for column, data_type in built:
            entry = _entry(docs, name, column)
            first, last = years.get(column, (None, None))
            fields = {}
            if isinstance(entry, dict):
                fields = {
                    "meaning": str(entry.get("meaning", "")),
                    "unit": str(entry.get("unit", "")),
                    "sources": tuple(str(s) for s in entry.get("sources", [])),
                    "years": str(entry.get("years", "")),
                }
            columns.append(
                Column(
                    name=column,
                    data_type=data_type,
                    documented=bool(fields.get("meaning")),
                    checks=_column_checks(model, column.lower()),
                    observed=(first, last) if first is not None else None,
                    observed_none=column in years and first is None,
                    **fields,
                )
            )
        marts.append(
            Mart(
                name=name,
                description=str(descriptions.get(name, "")),
                grain=model.grain,
                key=model.key,
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
        "<!-- Generated by `coop dictionary`: do not edit. Edit sql/marts/columns.toml or the",
        "     models' headers, then run `coop dictionary`. -->",
        "",
        "Every published mart (`marts/coop.duckdb`, `marts/<mart>.parquet`): its grain and key",
        "from the model's header (`sql/marts/<mart>.sql`), and each column's DuckDB type, meaning,",
        "unit, sources and the years those sources cover. Meanings, units and sources are kept",
        "in `sql/marts/columns.toml`; the method behind the index marts is in",
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
                + f"\nEdit {columns_file(settings.sql_dir)} and run `coop dictionary` again."
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
            f"{path} is out of date with the models, {COLUMNS_FILE} or the published marts: "
            "run `coop dictionary` and commit the result."
        )
    return path
