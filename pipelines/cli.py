"""The `coop` command line: refresh the marts, query them, see what is published."""

from __future__ import annotations

import csv
import json
import os
import sys
import time

import click

from pipelines.errors import CoopError
from pipelines.settings import get_settings

# Prefect reads these at import.  The console gets coop's own summary and errors (no
# tracebacks for bad input); Prefect's logs still reach its API and UI at their usual level.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


def _fail(message: str) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(1)


def _release_failure(exc: BaseException) -> None:
    """Drop what a failed refresh's tracebacks keep alive (DuckDB objects in the frames of the
    stopped stages, also held by Prefect's failed states), so the interpreter's exit is quiet
    instead of "nanobind: leaked instances" noise."""
    import gc
    import traceback

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if exc.__traceback__ is not None:
            traceback.clear_frames(exc.__traceback__)
        exc = exc.__cause__ or exc.__context__
    gc.collect()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="coop")
def main() -> None:
    """coop: international military cooperation indicators from public datasets.

    \b
    Examples:
      coop refresh
      coop sql "select * from mart_country_year where iso3 = 'UZB' and year = 2005"
      coop status
    """
    from pathlib import Path

    from pipelines.refresh import check_code_root

    try:  # a copied project's .venv would run (and publish into) the original
        check_code_root(get_settings(), sys.argv[0], Path.cwd())
    except CoopError as exc:
        _fail(str(exc))


@main.command()
@click.option("-v", "--verbose", is_flag=True, help="Show Prefect's task and flow logs.")
@click.option("--full", is_flag=True, help="Rebuild everything, even what has not changed.")
def refresh(verbose: bool, full: bool) -> None:
    """Refresh the marts and reports from raw/: load, validate, build, publish, report.

    Rebuilds only what depends on inputs that changed since the published release (raw files,
    seeds, SQL, configuration, code); with nothing changed it returns at once. Publishes
    marts/coop.duckdb and marts/<mart>.parquet atomically and renders reports/. Needs no
    Prefect server (a temporary one runs for the flow unless PREFECT_API_URL names one).

    \b
    Examples:
      coop refresh
      coop refresh --full --verbose
    """
    started = time.perf_counter()
    settings = get_settings()
    from pipelines.errors import RefreshTerminated
    from pipelines.lock import writer_lock

    # The lock comes first, before Prefect loads: a second refresh is refused at once. A
    # SIGTERM (or Ctrl-C) stops the refresh with a message, a log entry and no leftovers.
    previous = _raise_on_termination()
    try:
        with writer_lock(settings.lock_file):
            try:
                if not full and _nothing_changed(settings, started):
                    return
                os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL",
                                      "INFO" if verbose else "CRITICAL")
                from pipelines import orchestration

                # A temporary Prefect server (when neither PREFECT_API_URL nor `coop server
                # start` provides one) boots from here on, while the refresh imports its
                # libraries.
                api = orchestration.choose_api(settings)
                _preload_validation()
                from pipelines.flows import refresh_flow

                with api.active():
                    summary = refresh_flow(full=full)
            except (RefreshTerminated, KeyboardInterrupt) as exc:
                _release_failure(exc)
                if isinstance(exc, KeyboardInterrupt):
                    exc = RefreshTerminated("SIGINT (Ctrl-C)", 130)
                _stopped(settings, exc, full)
    except CoopError as exc:
        _release_failure(exc)
        _fail(str(exc))
    finally:
        _restore_signals(previous)
    seconds = ", ".join(f"{k} {v:.1f} s" for k, v in summary["seconds"].items())
    click.echo(
        f"Refresh ({summary['mode']}) finished in {time.perf_counter() - started:.1f} s"
        + (f" (stages: {seconds})." if seconds else ".")
    )
    for reason in summary["reasons"]:
        click.echo(f"  because {reason}")
    for mart, rows in summary.get("marts", {}).items():
        click.echo(f"  {mart:32s} {rows:>10,} rows")
    if summary.get("release"):
        click.echo(f"Marts:  {settings.published_db}  (and {settings.marts_dir}/<mart>.parquet)")
    if summary.get("report"):
        click.echo(f"Report: {summary['report']}")
    click.echo(api.describe())


def _raise_on_termination() -> dict:
    """Turn SIGTERM into a RefreshTerminated exception (and so a clean stop); return the
    handlers it replaced. Prefect swaps in its own handler while the flow runs and, on SIGTERM,
    re-sends the signal to this one once the flow has stopped."""
    import signal

    from pipelines.errors import RefreshTerminated

    def terminate(signum, frame):
        raise RefreshTerminated("SIGTERM", 128 + signum)

    return {signal.SIGTERM: signal.signal(signal.SIGTERM, terminate)}


def _restore_signals(previous: dict) -> None:
    import signal

    for signum, handler in previous.items():
        signal.signal(signum, handler)


def _stopped(settings, exc, full: bool) -> None:
    """After a signal: clear the stopped run's files (the lock is still held), stop Prefect's
    temporary server, log it and say so; exit 128 + the signal's number."""
    import signal

    from pipelines import incremental, refresh

    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the clean-up
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stage = refresh.progress.get("stage")
    removed = refresh.clear_leftovers(settings)
    _stop_temporary_prefect_server()
    where = f" during the {stage} stage" if stage else ""
    message = (f"refresh stopped by {exc.signal_name}{where}; nothing new was published "
               f"unless the log says so"
               + (f" (removed the unfinished build {', '.join(removed)})" if removed else ""))
    incremental.append_log(settings, {
        "mode": "full" if full else "refresh", "reasons": [], "outcome": "terminated",
        "error": message, "run_id": refresh.progress.get("run_id"), "stage": stage})
    from pipelines.publish import read_published_manifest

    manifest = read_published_manifest(settings)
    standing = f"release {manifest['run_id']} stands" if manifest else "nothing is published"
    click.secho(f"Error: {message}. The published {standing}; run `coop refresh` again to "
                f"finish.", fg="red", err=True)
    # Exit now: Prefect's worker threads would otherwise keep a stopped refresh alive.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exc.exit_code)


def _stop_temporary_prefect_server() -> None:
    """Stop the temporary Prefect API server this process started, if any (it would otherwise
    be left listening, about 200 MB), and any other child process of the refresh."""
    from contextlib import suppress

    import psutil

    server_module = sys.modules.get("prefect.server.api.server")
    if server_module is not None:
        for server in list(getattr(server_module.SubprocessASGIServer, "_instances",
                                   {}).values()):
            with suppress(Exception):  # best effort: the process is exiting anyway
                server.stop()
    # Whatever else this refresh started (the server's own workers included) goes too.
    children = psutil.Process().children(recursive=True)
    for child in children:
        with suppress(psutil.Error):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=5)
    for child in alive:
        with suppress(psutil.Error):
            child.kill()


def _preload_validation() -> None:
    """Import Great Expectations (5 s) in the background while Prefect starts its temporary
    server (a separate process this one only waits for), so the gate does not pay for it."""
    import threading

    def load() -> None:
        try:
            from pipelines.validation import _gx

            _gx()
        except Exception:  # the gate imports it again and reports any error properly
            pass

    threading.Thread(target=load, name="preload-great-expectations", daemon=True).start()


def _nothing_changed(settings, started: float) -> bool:
    """Decide a no-op before Prefect and Great Expectations load: that is what makes it fast."""
    from pipelines import incremental
    from pipelines.publish import read_published_manifest

    plan = incremental.plan_refresh(settings, read_published_manifest(settings))
    if plan.mode != incremental.NOOP:
        return False
    incremental.append_log(settings, {**plan.summary(), "outcome": "nothing to do"})
    click.echo(
        f"Nothing to refresh: {plan.reasons[0]}. Checked in "
        f"{time.perf_counter() - started:.2f} s; the published marts stand."
    )
    return True


@main.command()
@click.argument("query", required=False)
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV to standard output.")
@click.option("--json", "as_json", is_flag=True, help="Write a JSON array of objects.")
@click.option(
    "--max-rows",
    default=100,
    show_default=True,
    help="Rows shown in table output (CSV and JSON print all rows).",
)
@click.option(
    "-f", "--file", "query_file", type=click.File(encoding="utf-8"),
    help="Run the SQL in this file (e.g. one of sql/examples/) instead of QUERY.",
)
def sql(
    query: str | None, as_csv: bool, as_json: bool, max_rows: int, query_file
) -> None:
    """Query the published marts, read-only. With no QUERY, open an interactive shell.

    \b
    Examples:
      coop sql "select count(*) from mart_dyad_year"
      coop sql --csv "select * from mart_country_year where iso3 = 'KAZ'" > kaz.csv
      coop sql --json "select * from mart_source_coverage"
      coop sql -f sql/examples/top_partners.sql
      coop sql
    """
    from pipelines import query as query_module

    if as_csv and as_json:
        raise click.UsageError("choose one of --csv and --json")
    if query_file is not None:
        if query is not None:
            raise click.UsageError("give either QUERY or --file, not both")
        query = query_file.read()
    settings = get_settings()
    try:
        if query is None:
            query_module.interactive_shell(settings.published_db)
            return
        columns, rows = query_module.run_query(settings.published_db, query)
    except query_module.QueryInterrupted as exc:
        click.secho(f"Error: {exc}", fg="red", err=True)
        sys.exit(130)
    except CoopError as exc:
        _fail(str(exc))
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    elif as_json:
        click.echo(
            json.dumps(
                [dict(zip(columns, row, strict=True)) for row in rows], default=str, indent=1
            )
        )
    else:
        query_module.print_table(columns, rows, max_rows=max_rows)


@main.command()
def status() -> None:
    """Show what is published: release, time, rows per mart, quarantined rows per source.

    \b
    Example:
      coop status
    """
    from pipelines.publish import read_published_manifest, release_problems, reports_problem

    settings = get_settings()
    problems = release_problems(settings)
    manifest = read_published_manifest(settings)
    if manifest is None and not problems:
        _fail("nothing is published yet. Run `coop refresh` first.")
    if problems:
        click.secho("WARNING: the published release does not match its manifest, so what "
                    "follows may misstate it:", fg="red", err=True)
        for problem in problems:
            click.secho(f"  {problem}", fg="red", err=True)
        click.secho("Run `coop refresh` to rebuild it (it will rebuild it in full).",
                    fg="red", err=True)
    if manifest is None:
        sys.exit(1)
    click.echo(
        f"Release {manifest['run_id']} published {manifest['published_at']} "
        f"(coop {manifest['code_version']})."
        + ("" if problems else " Its files match the manifest (links, sizes, sha256).")
    )
    stale = reports_problem(settings, manifest["run_id"])
    if stale:
        click.secho(f"WARNING: {stale}. Run `coop refresh` (or `coop report`) to re-render "
                    f"them.", fg="yellow", err=True)
    for mart, info in manifest["marts"].items():
        click.echo(f"  {mart:32s} {info['rows']:>10,} rows  checksum {info['content_checksum']}")
    click.echo("Sources (rows loaded / quarantined):")
    for source, info in manifest.get("sources", {}).items():
        quarantined = sum(info["quarantined"].values())
        click.echo(f"  {source:48s} {info['loaded']:>9,} / {quarantined:,}")
    plan = manifest.get("plan")
    if plan:
        click.echo(f"This release was a {plan['mode']} rebuild: {'; '.join(plan['reasons'])}.")
    from pipelines.incremental import read_log

    entries = read_log(settings, last=5)
    if entries:
        click.echo("Last refreshes (marts/refresh-log.jsonl):")
    for entry in entries:
        detail = entry.get("error") or "; ".join(entry.get("reasons", []))
        click.echo(f"  {entry.get('at', '?')}  {entry.get('mode', '?'):8s} "
                   f"{entry.get('outcome', '?'):14s} {detail}")
    _echo_server_status()
    if problems:
        sys.exit(1)


def _echo_server_status() -> None:
    from pipelines.orchestration import server_status

    try:
        click.echo(server_status(get_settings()).describe())
    except CoopError as exc:
        click.echo(f"Prefect server: {exc}")


@main.group()
def server() -> None:
    """coop's local Prefect server: start it once, and refreshes skip starting their own.

    Without it each `coop refresh` starts a temporary Prefect server and stops it at the end
    (several seconds of every run). The kept server listens on 127.0.0.1 only, records its pid,
    port and log under <project>/.coop/, shows in `coop status`, serves the Prefect UI and
    schedules for `coop serve`, and runs until `coop server stop`.

    \b
    Examples:
      coop server start
      coop server status
      coop server stop
    """


@server.command("start")
@click.option("--port", type=click.IntRange(1, 65535),
              help="Loopback port (default: a free one).")
def server_start(port: int | None) -> None:
    """Start coop's Prefect server in the background (loopback only), or show the running one."""
    from pipelines.orchestration import start_server

    started = time.perf_counter()
    try:
        record, new = start_server(get_settings(), port)
    except CoopError as exc:
        _fail(str(exc))
    if new:
        click.echo(f"Started a Prefect server at {record.ui_url} (pid {record.pid}) in "
                   f"{time.perf_counter() - started:.1f} s; log {record.log}.")
    else:
        click.echo(f"A Prefect server of this project already runs at {record.ui_url} "
                   f"(pid {record.pid}, since {record.started_at}).")
    click.echo("Refreshes report to it; `coop server stop` stops it.")


@server.command("stop")
def server_stop() -> None:
    """Stop coop's Prefect server (its recorded runs stay in the Prefect database)."""
    from pipelines.orchestration import stop_server

    try:
        record = stop_server(get_settings())
    except CoopError as exc:
        _fail(str(exc))
    if record is None:
        click.echo("No Prefect server of this project is recorded: nothing to stop.")
    else:
        click.echo(f"Stopped the Prefect server at {record.ui_url} (pid {record.pid}).")


@server.command("status")
def server_status_command() -> None:
    """Say whether coop's Prefect server runs, where, and since when."""
    _echo_server_status()


@main.command()
@click.option(
    "--write", is_flag=True, help="Write the built marts' column types into their .toml files."
)
def contracts(write: bool) -> None:
    """Compare the marts' columns and types with their metadata files (sql/marts/<mart>.toml).

    The build refuses a mart whose planned columns differ from its file, before building it.
    After an intended change to a mart, run the refresh (it stops with the difference), or
    use `coop contracts --write`: it writes the column types of the last build, or of the
    published marts when no unpublished build is left, into the files (new columns are added
    for you to document). Review the diff in git and commit it.

    \b
    Examples:
      coop contracts
      coop contracts --write
    """
    from pipelines.db import connect_published
    from pipelines.validation import check_contracts, write_contracts

    settings = get_settings()
    builds = sorted(settings.build_dir.glob("*/work.duckdb"))
    try:
        con = connect_published(builds[-1] if builds else settings.published_db)
    except CoopError as exc:
        _fail(str(exc))
    try:
        if write:
            written = write_contracts(con, settings.sql_dir)
            source = builds[-1] if builds else settings.published_db
            click.echo(f"Wrote the types of {len(written)} mart file(s) (from {source}).")
            for path in written:
                click.echo(f"  {path}")
            return
        problems = check_contracts(con, settings.sql_dir)
    except CoopError as exc:
        _fail(str(exc))
    finally:
        con.close()
    if problems:
        _fail("\n  ".join(["published marts differ from their metadata files:", *problems]))
    click.echo(f"The published marts match their metadata files in {settings.sql_dir / 'marts'}.")


@main.command()
@click.argument("sources", nargs=-1)
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]),
              help="With `events`: first day of GDELT exports to fetch.")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]),
              help="With `events`: last day of GDELT exports to fetch.")
def fetch(sources: tuple[str, ...], date_from, date_to) -> None:
    """Download the source releases raw/sources.toml declares by url, verified by sha256.

    `coop fetch events --from DATE --to DATE` instead downloads GDELT 2.0 event exports into
    the event lake (docs/events.md).

    A file entry with a `url` (http, https or file) is downloaded when raw/ does not hold its
    pinned sha256 yet. The download must match that sha256 and pass the source's header and
    CSV checks before it replaces the old file; on any failure the old file stays in use.
    Downloads are logged in marts/fetch-log.jsonl. To take a new release, record its url,
    sha256 and version in raw/sources.toml, then fetch and refresh.

    \b
    Examples:
      coop fetch
      coop fetch atop cow_igo
      coop fetch events --from 2019-10-24 --to 2019-10-24
    """
    if sources[:1] == ("events",):
        from pipelines.events.cli import fetch_events_command

        fetch_events_command(sources[1:], date_from, date_to)
        return
    if date_from or date_to:
        _fail("--from and --to apply to `coop fetch events` only.")
    from pipelines.fetch import FetchStatus, fetch_sources

    try:
        report = fetch_sources(get_settings(), sources)
    except CoopError as exc:
        _fail(str(exc))
    for item in report.files:
        if item.status is FetchStatus.FAILED:
            continue
        detail = f"  {item.url}" if item.url else "  (shipped in raw/, no url declared)"
        fetched = item.status is FetchStatus.FETCHED
        size = f" {item.size:,} bytes in {item.seconds:.1f} s" if fetched else ""
        click.echo(f"  {item.status:10s} {item.file}{size}{detail}")
    if report.failures:
        _fail("\n".join(item.message for item in report.failures))
    fetched = sum(item.status is FetchStatus.FETCHED for item in report.files)
    if fetched:
        click.echo(f"{fetched} file(s) fetched. Run `coop refresh` to publish marts from them.")
    elif any(item.url for item in report.files):
        click.echo("raw/ holds every pinned release.")
    else:
        click.echo("No file in raw/sources.toml declares a url: nothing to fetch.")


@main.command()
@click.option("--cron", envvar="COOP_SCHEDULE_CRON", default="0 4 1 * *", show_default=True,
              help="When to refresh, as a cron expression (env COOP_SCHEDULE_CRON).")
@click.option("--timezone", envvar="COOP_SCHEDULE_TIMEZONE", default="UTC", show_default=True,
              help="IANA time zone of the cron expression (env COOP_SCHEDULE_TIMEZONE).")
@click.option("--name", default="coop-refresh", show_default=True,
              help="The deployment's name on the Prefect server.")
def serve(cron: str, timezone: str, name: str) -> None:
    """Refresh on a schedule: register a Prefect deployment and run it until stopped.

    Needs a Prefect server (`prefect server start`) named by PREFECT_API_URL. Each run fetches
    the releases declared by url (like `coop fetch`), then refreshes (like `coop refresh`).
    A failed run shows as Failed in the Prefect UI with the reason; the last good marts stay
    published. Stop with Ctrl-C (the schedule is paused until the next `coop serve`).

    \b
    Examples:
      export PREFECT_API_URL=http://127.0.0.1:4200/api
      coop serve
      coop serve --cron "0 4 * * 1" --timezone Europe/Berlin
      prefect deployment run scheduled-refresh/coop-refresh --watch
    """
    # The served runs' logs are this long-running command's output.
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "INFO")
    from pipelines.serve import serve_scheduled_refresh

    try:
        serve_scheduled_refresh(cron, timezone, name)
    except CoopError as exc:
        _fail(str(exc))


@main.group()
def register() -> None:
    """The analysts' register of cooperation facts (raw/register/, docs/register.md).

    \b
    Examples:
      coop register template raw/register/kazakhstan_2023.xlsx
      coop register check raw/register/kazakhstan_2023.xlsx
    """


@register.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
def register_check(file: str) -> None:
    """Validate a register file (.csv or .xlsx) before adding it to raw/register/.

    Applies the rules the refresh applies and lists every bad row with its reason
    (unknown country or family, missing source, count not a non-negative integer, date
    outside 1816 to today, duplicate of a fact already in the register, ...). Exits 1 if a
    row is bad. Row 1 is the first row after the header (sheet row 2 in a spreadsheet).

    \b
    Examples:
      coop register check raw/register/uzbekistan_kulliev.csv
      coop register check ~/drafts/kazakhstan_2023.xlsx
    """
    from pathlib import Path

    from pipelines.register.check import check_file, summarise_rules

    try:
        result = check_file(get_settings(), Path(file))
    except CoopError as exc:
        _fail(str(exc))
    compared = ", ".join(result.compared_with) or "no other register file"
    click.echo(f"{file}: {result.rows} row(s), {result.accepted} valid, "
               f"{len(result.problems)} bad (duplicates looked for in: {compared}).")
    for problem in result.problems:
        click.echo(f"  row {problem.row_number}: {problem.reason}")
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if result.statuses:
        click.echo("Valid rows in the refresh: " + ", ".join(
            f"{count} {status}" for status, count in sorted(result.statuses.items())))
    if not result.ok:
        rules = ", ".join(f"{n} {rule}" for rule, n in summarise_rules(result).most_common())
        _fail(f"{len(result.problems)} bad row(s) ({rules}); fix them before adding the file.")


@register.command("template")
@click.argument("file", type=click.Path(dir_okay=False))
def register_template(file: str) -> None:
    """Write an empty register file with the right header (.csv, or .xlsx with drop-downs).

    \b
    Examples:
      coop register template raw/register/kazakhstan_2023.xlsx
      coop register template my_facts.csv
    """
    from pathlib import Path

    from pipelines.publish import refuse_published_target
    from pipelines.register.template import write_template

    try:
        refuse_published_target(get_settings(), Path(file), "coop register template")
        written = write_template(Path(file), get_settings().seeds_dir)
    except CoopError as exc:
        _fail(str(exc))
    click.echo(f"Wrote {written}. Fill one row per fact, then `coop register check {written}`.")


@register.command("import-exercises")
@click.argument("destination", type=click.Path(dir_okay=False))
@click.option("--source", "source_csv", type=click.Path(exists=True, dir_okay=False),
              default=None, help="The supplementary exercises CSV (default: the pinned raw file).")
def register_import_exercises(destination: str, source_csv: str | None) -> None:
    """Write the supplementary Russia exercises (2009-2018) as a register batch file.

    One fact per (exercise, partner), citing the exercise's own page, confidence `low`: shown
    in mart_register_facts, never counted into the exercise panel (docs/register.md).

    \b
    Examples:
      coop register import-exercises raw/register/russia_exercises_2009_2018.csv
    """
    from pathlib import Path

    from pipelines import names
    from pipelines.register.exercises_import import write_batch

    settings = get_settings()
    source = Path(source_csv) if source_csv else (
        settings.raw_dir / "exercises_supplementary" / "jme_involving_russia.csv")
    try:
        result = write_batch(source, Path(destination), settings.seeds_dir / names.OVERRIDES_SEED)
    except CoopError as exc:
        _fail(str(exc))
    click.echo(f"Wrote {destination}: {result.facts} facts from {result.exercises} exercises.")
    if result.unresolved:
        click.echo("Partner names not resolved (the register will quarantine their rows): "
                   + ", ".join(result.unresolved))
    click.echo(f"Check it with `coop register check {destination}`.")


@main.command()
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 if docs/data_dictionary.md is out of date.")
def dictionary(check: bool) -> None:
    """Write the data dictionary of the published marts.

    Each mart's description, grain, key, and its columns' types, meanings, units, sources and
    checks come from its metadata file (sql/marts/<mart>.toml; shared meanings from
    sql/marts/common_columns.toml) and go into docs/data_dictionary.md and
    reports/data_dictionary.html. Fails, naming them, when a published mart column is not
    documented or a file documents a column the mart does not have.

    \b
    Examples:
      coop dictionary
      coop dictionary --check
    """
    from pipelines import dictionary as data_dictionary

    settings = get_settings()
    try:
        if check:
            path = data_dictionary.check_dictionary(settings)
            click.echo(f"{path} is up to date.")
            return
        from pipelines.lock import writer_lock

        with writer_lock(settings.lock_file):  # the refresh renders reports/ too
            markdown_path, html_path = data_dictionary.write_dictionary(settings)
    except CoopError as exc:
        _fail(str(exc))
    click.echo(f"Wrote {markdown_path} and {html_path}.")


@main.command()
@click.option("--runs", default=3, show_default=True, type=click.IntRange(1),
              help="Full refreshes on the shipped data (median, min and max are shown).")
@click.option("--scales", default="1,10,100", show_default=True,
              help="Event-volume multiples for the scaling runs on synthetic data.")
@click.option("--skip-scaling", is_flag=True, help="No scaling runs.")
@click.option("--baseline-scales", default="1,10", show_default=True,
              help="Multiples at which the heaviest step is compared with pandas and DuckDB.")
@click.option("--skip-baselines", is_flag=True, help="No heaviest-step comparison.")
@click.option("--quick", is_flag=True,
              help="Smoke run: one refresh, the no-op, baselines at 1x once, no scaling.")
@click.option("--seed", default=0, show_default=True, help="Seed of the synthetic data.")
@click.option("--memory-cap-gb", default=16.0, show_default=True, type=click.FloatRange(0.5),
              help="Stop a refresh whose process tree passes this resident memory.")
@click.option("--workdir", type=click.Path(file_okay=False),
              help="Scratch projects and synthetic data (default: <project>/bench/work).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False),
              help="Also write every figure as JSON to this file.")
@click.option("--markdown", "markdown_file", type=click.Path(dir_okay=False),
              help="Also write the figures as Markdown (the tables of BENCHMARKS.md).")
@click.option("--keep", is_flag=True, help="Keep the scratch projects after their runs.")
@click.option("--no-bytecode-cache", is_flag=True,
              help="Run refreshes as this environment does even if it forbids compiled bytecode.")
@click.option("--prefect", "prefect_modes", default="kept,temporary", show_default=True,
              help="Prefect APIs the shipped-data refreshes report to: kept (`coop server "
                   "start`), temporary (one per refresh), or both.")
@click.option("--duckdb-memory-limit", metavar="AMOUNT",
              help="COOP_DUCKDB_MEMORY_LIMIT of the refreshes, e.g. 2GiB (default: the "
                   "settings' default for this machine).")
def bench(runs: int, scales: str, skip_scaling: bool, baseline_scales: str, skip_baselines: bool,
          quick: bool, seed: int, memory_cap_gb: float, workdir: str | None,
          json_file: str | None, markdown_file: str | None, keep: bool,
          no_bytecode_cache: bool, prefect_modes: str, duckdb_memory_limit: str | None) -> None:
    """Benchmark the refresh: time per stage, peak memory, no-op, scaling, heaviest step.

    Every refresh runs as a `coop refresh` subprocess in a scratch project under the work
    directory (never on marts/). Scaling runs use SYNTHETIC inputs at k times the shipped event
    volume, generated once and cached. See BENCHMARKS.md for the figures and what they mean.

    \b
    Examples:
      coop bench --quick
      coop bench --runs 3 --scales 1,10,100 --json bench/results/latest.json
      coop bench --skip-scaling --baseline-scales 1
    """
    from pathlib import Path

    from pipelines.bench.measure import GIB
    from pipelines.bench.report import markdown, print_result, write_json
    from pipelines.bench.runner import BenchOptions, BenchRunner

    def multiples(text: str, option: str) -> tuple[int, ...]:
        try:
            values = tuple(int(part) for part in text.split(",") if part.strip())
        except ValueError:
            values = ()
        if not values or min(values) < 1:
            raise click.BadParameter(f"expected whole numbers >= 1 separated by commas, got "
                                     f"{text!r}", param_hint=option)
        return values

    settings = get_settings()
    directory = Path(workdir) if workdir else settings.root / "bench" / "work"
    if quick:
        options = BenchOptions.quick(directory)
    else:
        options = BenchOptions(
            workdir=directory, runs=runs, scales=multiples(scales, "--scales"),
            scaling=not skip_scaling, baseline_scales=multiples(baseline_scales,
                                                                "--baseline-scales"),
            baselines=not skip_baselines,
        )
    options.seed, options.memory_cap_bytes, options.keep = seed, int(memory_cap_gb * GIB), keep
    options.bytecode_cache = not no_bytecode_cache
    modes = tuple(mode.strip() for mode in prefect_modes.split(",") if mode.strip())
    if not modes or set(modes) - {"kept", "temporary"}:
        raise click.BadParameter(f"expected kept, temporary or both, got {prefect_modes!r}",
                                 param_hint="--prefect")
    options.prefect_modes, options.duckdb_memory_limit = modes, duckdb_memory_limit
    try:
        result = BenchRunner(settings, options, say=click.echo).run()
    except CoopError as exc:
        _fail(str(exc))
    print_result(result)
    if json_file:
        write_json(result, Path(json_file))
        click.echo(f"Wrote {json_file}.")
    if markdown_file:
        Path(markdown_file).write_text(markdown(result), encoding="utf-8")
        click.echo(f"Wrote {markdown_file}.")


@main.command()
@click.option("--standalone", "page", metavar="PAGE",
              help="Write one page with plotly.js inside it: an ISO3 code (KAZ), cow-<ccode> "
                   "for a state without one (cow-260), 'regional' or 'index'.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="File for --standalone (default: <PAGE>.html in the current directory).")
def report(page: str | None, output: str | None) -> None:
    """Render the HTML reports from the published marts (no refresh needed).

    Without options, re-renders every page into reports/: index.html (overview),
    regional.html (the group in reports.toml) and country/<ISO3>.html. Use it after editing
    reports.toml. With --standalone, writes one page as a single file that works when
    e-mailed (plotly.js included; links to the other pages are left out).

    \b
    Examples:
      coop report
      coop report --standalone KAZ -o kazakhstan.html
      coop report --standalone regional -o central_asia.html
    """
    from pathlib import Path

    from pipelines.lock import writer_lock
    from pipelines.publish import refuse_published_target
    from pipelines.report import render_reports
    from pipelines.reports.site import render_standalone, write_atomically

    settings = get_settings()
    try:
        if page:
            target = Path(output or f"{page.strip()}.html")
            refuse_published_target(settings, target, "coop report --standalone")
            target = target.resolve()
            html = render_standalone(settings, page)
            write_atomically(target, html)
            click.echo(f"Wrote {target} ({len(html.encode('utf-8')) / 1e6:.1f} MB, standalone).")
            return
        started = time.perf_counter()
        # The refresh writes these pages too: never render both at once.
        with writer_lock(settings.lock_file):
            site = render_reports(settings)
    except CoopError as exc:
        _fail(str(exc))
    click.echo(f"Rendered {site.country_pages} country pages, the regional page and the "
               f"overview in {time.perf_counter() - started:.1f} s.")
    if site.removed_pages:
        click.echo(f"Removed pages of states no longer in the marts: "
                   f"{', '.join(site.removed_pages)}.")
    click.echo(f"Report: {site.index}")


from pipelines.events.cli import events  # noqa: E402  (the event layer's commands)

main.add_command(events)
