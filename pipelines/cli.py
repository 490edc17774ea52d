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
    if not full and _nothing_changed(settings, started):
        return
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL",
                          "INFO" if verbose else "CRITICAL")
    _preload_validation()
    from pipelines.flows import refresh_flow

    try:
        summary = refresh_flow(full=full)
    except CoopError as exc:
        _fail(str(exc))
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


def _preload_validation() -> None:
    """Import Great Expectations (5 s) in the background while Prefect starts its temporary
    server (a separate process this one only waits for), so the gate does not pay for it."""
    import threading

    def load() -> None:
        try:
            import great_expectations  # noqa: F401

            import pipelines.validation  # noqa: F401
        except Exception:  # the gate imports it again and reports any error properly
            pass

    threading.Thread(target=load, name="preload-great-expectations", daemon=True).start()


def _nothing_changed(settings, started: float) -> bool:
    """Decide a no-op before Prefect and Great Expectations load: that is what makes it fast."""
    from pipelines import incremental
    from pipelines.lock import writer_lock
    from pipelines.publish import read_published_manifest

    try:
        with writer_lock(settings.lock_file):
            plan = incremental.plan_refresh(settings, read_published_manifest(settings))
            if plan.mode != incremental.NOOP:
                return False
            incremental.append_log(settings, {**plan.summary(), "outcome": "nothing to do"})
    except CoopError as exc:
        _fail(str(exc))
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
    plan = manifest.get("plan")
    if plan:
        click.echo(f"This release was a {plan['mode']} rebuild: {'; '.join(plan['reasons'])}.")
    from pipelines.incremental import read_log

    entries = read_log(get_settings(), last=5)
    if entries:
        click.echo("Last refreshes (marts/refresh-log.jsonl):")
    for entry in entries:
        detail = entry.get("error") or "; ".join(entry.get("reasons", []))
        click.echo(f"  {entry['at']}  {entry['mode']:8s} {entry['outcome']:14s} {detail}")


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
def fetch(sources: tuple[str, ...]) -> None:
    """Download the source releases raw/sources.toml declares by url, verified by sha256.

    A file entry with a `url` (http, https or file) is downloaded when raw/ does not hold its
    pinned sha256 yet. The download must match that sha256 and pass the source's header and
    CSV checks before it replaces the old file; on any failure the old file stays in use.
    Downloads are logged in marts/fetch-log.jsonl. To take a new release, record its url,
    sha256 and version in raw/sources.toml, then fetch and refresh.

    \b
    Examples:
      coop fetch
      coop fetch atop cow_igo
    """
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

    from pipelines.register.template import write_template

    try:
        written = write_template(Path(file), get_settings().seeds_dir)
    except CoopError as exc:
        _fail(str(exc))
    click.echo(f"Wrote {written}. Fill one row per fact, then `coop register check {written}`.")


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
def bench(runs: int, scales: str, skip_scaling: bool, baseline_scales: str, skip_baselines: bool,
          quick: bool, seed: int, memory_cap_gb: float, workdir: str | None,
          json_file: str | None, markdown_file: str | None, keep: bool,
          no_bytecode_cache: bool) -> None:
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
    from pipelines.reports.site import render_site, render_standalone, write_atomically

    settings = get_settings()
    try:
        if page:
            target = Path(output or f"{page.strip()}.html").resolve()
            html = render_standalone(settings, page)
            write_atomically(target, html)
            click.echo(f"Wrote {target} ({len(html.encode('utf-8')) / 1e6:.1f} MB, standalone).")
            return
        started = time.perf_counter()
        # The refresh writes these pages too: never render both at once.
        with writer_lock(settings.lock_file):
            site = render_site(settings)
    except CoopError as exc:
        _fail(str(exc))
    click.echo(f"Rendered {site.country_pages} country pages, the regional page and the "
               f"overview in {time.perf_counter() - started:.1f} s.")
    if site.removed_pages:
        click.echo(f"Removed pages of states no longer in the marts: "
                   f"{', '.join(site.removed_pages)}.")
    click.echo(f"Report: {site.index}")
