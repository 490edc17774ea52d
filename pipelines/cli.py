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


@main.command()
@click.option("-v", "--verbose", is_flag=True, help="Show Prefect's task and flow logs.")
def refresh(verbose: bool) -> None:
    """Run the full refresh on raw/: load, validate, build, publish, report.

    Publishes marts/coop.duckdb and marts/<mart>.parquet atomically and renders
    reports/index.html. Needs no Prefect server (a temporary one runs for the flow).

    \b
    Example:
      coop refresh
      coop refresh --verbose
    """
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL",
                          "INFO" if verbose else "CRITICAL")
    from pipelines.flows import refresh_flow

    started = time.perf_counter()
    try:
        summary = refresh_flow()
    except CoopError as exc:
        _fail(str(exc))
    settings = get_settings()
    click.echo(
        f"Refresh finished in {time.perf_counter() - started:.1f} s "
        f"(stages: {', '.join(f'{k} {v:.1f} s' for k, v in summary['seconds'].items())})."
    )
    for mart, rows in summary["marts"].items():
        click.echo(f"  {mart:32s} {rows:>10,} rows")
    click.echo(f"Marts:  {settings.published_db}  (and {settings.marts_dir}/<mart>.parquet)")
    click.echo(f"Report: {summary['report']}")


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
def sql(query: str | None, as_csv: bool, as_json: bool, max_rows: int) -> None:
    """Query the published marts, read-only. With no QUERY, open an interactive shell.

    \b
    Examples:
      coop sql "select count(*) from mart_dyad_year"
      coop sql --csv "select * from mart_country_year where iso3 = 'KAZ'" > kaz.csv
      coop sql --json "select * from mart_source_coverage"
      coop sql
    """
    from pipelines import query as query_module

    if as_csv and as_json:
        raise click.UsageError("choose one of --csv and --json")
    settings = get_settings()
    try:
        if query is None:
            query_module.interactive_shell(settings.published_db)
            return
        columns, rows = query_module.run_query(settings.published_db, query)
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
    from pipelines.publish import read_published_manifest

    manifest = read_published_manifest(get_settings())
    if manifest is None:
        _fail("nothing is published yet. Run `coop refresh` first.")
    click.echo(
        f"Release {manifest['run_id']} published {manifest['published_at']} "
        f"(coop {manifest['code_version']})."
    )
    for mart, info in manifest["marts"].items():
        click.echo(f"  {mart:32s} {info['rows']:>10,} rows  checksum {info['content_checksum']}")
    click.echo("Sources (rows loaded / quarantined):")
    for source, info in manifest.get("sources", {}).items():
        quarantined = sum(info["quarantined"].values())
        click.echo(f"  {source:48s} {info['loaded']:>9,} / {quarantined:,}")


@main.command()
@click.option("--write", is_flag=True, help="Record the published marts' columns as the contract.")
def contracts(write: bool) -> None:
    """Compare the marts' columns and types with sql/marts/contracts.json.

    The refresh refuses to publish marts whose columns differ from the contract. After an
    intended change to a mart, run the refresh (it stops at the gate), then `coop contracts
    --write`: it records the columns of that last build, or of the published marts when no
    unpublished build is left. Review the diff in git and commit it.

    \b
    Examples:
      coop contracts
      coop contracts --write
    """
    from pipelines.db import connect_published
    from pipelines.validation import CONTRACTS_FILE, check_contracts, write_contracts

    settings = get_settings()
    path = settings.sql_dir / "marts" / CONTRACTS_FILE
    builds = sorted(settings.build_dir.glob("*/work.duckdb"))
    try:
        con = connect_published(builds[-1] if builds else settings.published_db)
    except CoopError as exc:
        _fail(str(exc))
    try:
        if write:
            written = write_contracts(con, path)
            source = builds[-1] if builds else settings.published_db
            click.echo(f"Wrote {len(written)} mart contracts to {path} (from {source}).")
            return
        problems = check_contracts(con, path)
    finally:
        con.close()
    if problems:
        _fail("\n  ".join(["published marts differ from the contract:", *problems]))
    click.echo(f"The published marts match {path}.")
