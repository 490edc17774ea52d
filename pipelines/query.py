"""Read-only access to the published marts for `coop sql`."""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from pipelines.db import connect_published
from pipelines.errors import CoopError

_READ_ONLY_HINT = (
    "the published marts are read-only: coop sql cannot change them (only `coop refresh` "
    "publishes). To keep results, use --csv/--json or COPY (...) TO a file."
)


def _execute(con: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], list[tuple]]:
    try:
        relation = con.execute(query)
        if relation.description is None:
            return [], []
        columns = [column[0] for column in relation.description]
        return columns, relation.fetchall()
    except duckdb.Error as exc:
        message = str(exc)
        if "read-only" in message or "read only" in message:
            raise CoopError(_READ_ONLY_HINT) from exc
        raise CoopError(f"query failed: {message}") from exc


def run_query(published_db: Path, query: str) -> tuple[list[str], list[tuple]]:
    con = connect_published(published_db)
    try:
        return _execute(con, query)
    finally:
        con.close()


def print_table(
    columns: list[str], rows: list[tuple], max_rows: int = 100, console: Console | None = None
) -> None:
    console = console or Console()
    table = Table(show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows[:max_rows]:
        table.add_row(*("NULL" if value is None else str(value) for value in row))
    console.print(table)
    hidden = len(rows) - max_rows
    suffix = f"; {hidden:,} not shown (use --max-rows, --csv or --json)" if hidden > 0 else ""
    console.print(f"{len(rows):,} row(s){suffix}", style="dim")


def interactive_shell(published_db: Path) -> None:
    """A small read-only SQL prompt: statements end with ';', `.tables` lists marts, `.quit`."""
    import readline  # noqa: F401  (line editing and history for input())

    con = connect_published(published_db)
    console = Console()
    console.print(
        f"coop sql: {published_db} (read-only). End statements with ';'. "
        ".tables lists tables, .quit exits.",
        style="dim",
    )
    buffer: list[str] = []
    try:
        while True:
            try:
                line = input("coop> " if not buffer else "  ...> ")
            except EOFError:
                break
            stripped = line.strip()
            if not buffer and stripped in (".quit", ".exit"):
                break
            if not buffer and stripped == ".tables":
                line = "show tables;"
            buffer.append(line)
            if not line.rstrip().endswith(";"):
                continue
            statement = "\n".join(buffer)
            buffer.clear()
            try:
                columns, rows = _execute(con, statement)
            except CoopError as exc:
                console.print(f"Error: {exc}", style="red")
                continue
            if columns:
                print_table(columns, rows, console=console)
    finally:
        con.close()
