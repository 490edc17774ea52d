"""Read-only access to the published marts for `coop sql`.

Read-only means more than DuckDB's `read_only`: the analyst's SQL runs with DuckDB's file-system
access switched off (`enable_external_access = false`, then `lock_configuration = true` so no
`set` can switch it back).  So no COPY ... TO, EXPORT DATABASE, ATTACH, INSTALL/LOAD or
read_csv(...) can reach any file, and in particular none can replace a published file in marts/
or a page in reports/.  Results leave through --csv/--json on standard output.
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from pipelines.db import connect_published
from pipelines.errors import CoopError

_READ_ONLY_HINT = (
    "the published marts are read-only: coop sql cannot change them (only `coop refresh` "
    "publishes). To keep results, use --csv or --json and redirect the output to a file."
)
_NO_FILES_HINT = (
    "coop sql reads only the published marts and cannot read or write other files "
    "(COPY ... TO, EXPORT, ATTACH, INSTALL/LOAD and file functions are off, so nothing can "
    "overwrite the published release). To keep results, use --csv or --json and redirect the "
    "output to a file, e.g. coop sql --csv \"select ...\" > result.csv"
)
_LOCKED_HINT = (
    "coop sql's settings are locked (file-system access stays off): `set` cannot change them."
)


class QueryInterrupted(CoopError):
    """The analyst interrupted a query (Ctrl-C)."""


def connect_sandboxed(published_db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published marts with file-system access off and locked."""
    con = connect_published(published_db)
    try:
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def _execute(con: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], list[tuple]]:
    """Run `query`; Ctrl-C stops it (QueryInterrupted) instead of waiting for it to end.

    The query runs in a worker thread while this (main) thread waits in short joins: Python
    handles SIGINT only between bytecodes of the main thread, never inside DuckDB's execute.
    """
    outcome: dict = {}

    def work() -> None:
        try:
            relation = con.execute(query)
            if relation.description is None:
                outcome["value"] = [], []
            else:
                columns = [column[0] for column in relation.description]
                outcome["value"] = columns, relation.fetchall()
        except BaseException as exc:  # handed to the main thread below
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="coop-sql-query", daemon=True)
    try:
        # Started inside the try: a Ctrl-C arriving as the worker starts still stops it before
        # the connection is closed (closing it under a running query is refused).
        worker.start()
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt as exc:
        while worker.is_alive():  # until it stops (a query just starting misses one interrupt)
            # the worker may be entering its call: then try again in a moment
            with contextlib.suppress(duckdb.Error):
                con.interrupt()
            worker.join(0.1)
        raise QueryInterrupted("query interrupted (Ctrl-C); nothing was changed.") from exc
    if "value" in outcome:
        return outcome["value"]
    error = outcome["error"]
    if isinstance(error, duckdb.PermissionException):
        raise CoopError(_NO_FILES_HINT) from error
    if isinstance(error, duckdb.Error):
        message = str(error)
        if "read-only" in message or "read only" in message:
            raise CoopError(_READ_ONLY_HINT) from error
        if "configuration has been locked" in message:
            raise CoopError(_LOCKED_HINT) from error
        raise CoopError(f"query failed: {message}") from error
    if isinstance(error, RuntimeError) and "interrupted" in str(error).lower():
        raise QueryInterrupted("query interrupted; nothing was changed.") from error
    raise error


def _close(con: duckdb.DuckDBPyConnection, wait_seconds: float = 10.0) -> None:
    """Close `con`, waiting while DuckDB still reports it busy.

    After an interrupted query DuckDB can report the connection busy for a moment after the
    worker thread's call has returned (ResourceInUseException: DuckDB 2 refuses a second call
    instead of waiting); closing then must wait, not turn a Ctrl-C into a traceback.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con.close()
            return
        except duckdb.ResourceInUseException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def run_query(published_db: Path, query: str) -> tuple[list[str], list[tuple]]:
    try:
        con = connect_sandboxed(published_db)
        try:
            return _execute(con, query)
        finally:
            _close(con)
    except KeyboardInterrupt as exc:
        raise QueryInterrupted("query interrupted (Ctrl-C); nothing was changed.") from exc


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

    con = connect_sandboxed(published_db)
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
            except KeyboardInterrupt:  # Ctrl-C at the prompt drops the statement being typed
                console.print("")
                buffer.clear()
                continue
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
            except CoopError as exc:  # an interrupted query included: the shell goes on
                console.print(f"Error: {exc}", style="red")
                continue
            if columns:
                print_table(columns, rows, console=console)
    finally:
        con.close()
