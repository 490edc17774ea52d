"""`coop events ...` and `coop fetch events ...`: the event layer's commands (docs/events.md).

Imported by pipelines.cli at start-up, so this module imports nothing heavy at the top.
"""

from __future__ import annotations

import sys
import time

import click

from pipelines.errors import CoopError
from pipelines.settings import get_settings


def _fail(message: str) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(1)


def fetch_events_command(extra: tuple[str, ...], date_from, date_to) -> None:
    """`coop fetch events --from DATE --to DATE` (called by `coop fetch`)."""
    from pipelines.events.fetch import fetch_events

    if extra:
        _fail(f"`coop fetch events` takes no other source names (got {' '.join(extra)}).")
    if date_from is None or date_to is None:
        _fail("`coop fetch events` needs --from and --to (YYYY-MM-DD), e.g. "
              "coop fetch events --from 2019-10-24 --to 2019-10-24")
    settings = get_settings()
    try:
        results = fetch_events(settings.events_lake_dir, date_from.date(), date_to.date(),
                               say=click.echo)
    except CoopError as exc:
        _fail(str(exc))
    failed = [r for r in results if r.status == "failed"]
    fetched = sum(r.status == "fetched" for r in results)
    click.echo(f"{fetched} export(s) fetched and converted, "
               f"{sum(r.status == 'skipped' for r in results)} already in the lake "
               f"({settings.events_lake_dir}). Run `coop events refresh` to publish.")
    if failed:
        _fail(f"{len(failed)} export(s) failed; run the same command again to resume:\n"
              + "\n".join(r.message for r in failed))


@click.group()
def events() -> None:
    """Event data (GDELT 2.0, ICEWS; CAMEO) -> defence-diplomacy event marts.

    \b
    Examples:
      coop events refresh
      COOP_EVENT_ENGINE=spark COOP_SPARK_REMOTE=sc://spark:15002 coop events refresh
      coop events lint
      coop events bench --sizes 1000000,10000000
    """


@events.command("refresh")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]),
              help="Override COOP_EVENT_ENGINE (default duckdb).")
def refresh_command(engine: str | None) -> None:
    """Convert the samples, build the event marts, check and publish them (marts/events/).

    \b
    Examples:
      coop events refresh
      coop events refresh --engine spark
    """
    from pipelines.events.flow import events_flow

    started = time.perf_counter()
    try:
        summary = events_flow(engine)
    except CoopError as exc:
        _fail(str(exc))
    click.echo(f"Event refresh on {summary['engine']} finished in "
               f"{time.perf_counter() - started:.1f} s.")
    for mart, rows in summary["marts"].items():
        click.echo(f"  {mart:28s} {rows:>10,} rows")
    click.echo(f"Release: {summary['release']}")


@events.command("lint")
def lint_command() -> None:
    """Transpile every Spark-marked model to Spark SQL; fail on what Spark would not run
    or would run differently.

    \b
    Example:
      coop events lint
    """
    from pipelines.events.spark_sql import lint_models

    settings = get_settings()
    try:
        out = lint_models(settings.sql_dir, settings.sql_dir / "events")
    except CoopError as exc:
        _fail(str(exc))
    click.echo(f"{len(out)} Spark-marked model(s) transpile cleanly: {', '.join(sorted(out))}.")


@events.command("bench")
@click.option("--sizes", default="1000000,10000000,50000000,200000000", show_default=True,
              help="SYNTHETIC event counts, comma-separated.")
@click.option("--spark-sizes", default="1000000,10000000,50000000", show_default=True,
              help="Sizes also run on Spark local[2] (empty: none).")
@click.option("--memory-limit", default="1GB", show_default=True, help="DuckDB's memory cap.")
@click.option("--workdir", type=click.Path(file_okay=False),
              help="Where the SYNTHETIC data go (default: <project>/bench/work/events).")
@click.option("--markdown", "markdown_file", type=click.Path(dir_okay=False),
              help="Also write the tables as Markdown.")
def bench_command(sizes: str, spark_sizes: str, memory_limit: str, workdir: str | None,
                  markdown_file: str | None) -> None:
    """Benchmark the event aggregation on SYNTHETIC volumes: DuckDB (capped) vs Spark local[2].

    \b
    Examples:
      coop events bench --sizes 1000000,10000000 --spark-sizes 1000000
    """
    from pathlib import Path

    from pipelines.events.bench import run_bench

    def parse(text: str) -> list[int]:
        return [int(float(part)) for part in text.split(",") if part.strip()]

    settings = get_settings()
    directory = Path(workdir) if workdir else settings.root / "bench" / "work" / "events"
    try:
        report = run_bench(directory, parse(sizes), parse(spark_sizes), memory_limit,
                           say=click.echo)
    except CoopError as exc:
        _fail(str(exc))
    click.echo(report)
    if markdown_file:
        Path(markdown_file).write_text(report, encoding="utf-8")
