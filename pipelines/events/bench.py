"""`coop events bench`: the event aggregation at SYNTHETIC volumes, DuckDB (memory-capped) vs
Spark Connect local[2], plus the raw-CSV -> Parquet conversion's scaling.

Everything generated is SYNTHETIC and lives under the work directory (never raw/): resolved
events shaped like int_events_resolved (10 years, 60 states drawn with a skew so that a few
dyads hold most events, 12 families), Parquet by year,
and GDELT-format CSV files made by repeating the real 2,111-row sample. The query is the real
model file sql/events/marts/mart_event_dyad_year.sql, run by each engine in a fresh
subprocess whose process tree (with Spark: the JVM too) is sampled for peak resident memory.
"""

from __future__ import annotations

import contextlib
import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import psutil

from pipelines.errors import CoopError
from pipelines.settings import get_settings

FAMILIES = ("consultations_visits", "diplomatic_cooperation", "formal_agreement",
            "intent_military_cooperation", "military_cooperation", "military_aid",
            "peacekeeping", "threaten_military_force", "military_posture", "assault", "fight",
            "other")
FIRST_YEAR, YEARS = 2015, 10


def generate_events(directory: Path, rows: int) -> Path:
    """SYNTHETIC resolved events, Parquet partitioned by year (cached by size)."""
    target = directory / f"events_{rows}"
    if (target / ".complete").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    families = "[" + ", ".join(f"'{f}'" for f in FAMILIES) + "]"
    con.execute(f"""
        copy (
            with base as (
                select i, hash(i) as h, hash(i + {rows}) as g from range({rows}) as t(i)
            )
            select
                'synthetic' as source_id,
                make_date({FIRST_YEAR} + cast(i % {YEARS} as integer), 1, 1)
                    + cast(h % 365 as integer) as event_date,
                {FIRST_YEAR} + cast(i % {YEARS} as integer) as year,
                case when g % 10 = 0 then 'none' else 'state' end as actor1_kind,
                'state' as actor2_kind,
                -- skewed like real event data: a few states initiate most events
                2 + cast(floor(60 * pow((h % 1000003) / 1000003.0, 2)) as integer) * 5
                    as actor1_ccode,
                2 + cast(floor(60 * pow((g % 999983) / 999983.0, 2)) as integer) * 5
                    as actor2_ccode,
                {families}[1 + cast((h // 7) % {len(FAMILIES)} as integer)] as family,
                'cooperation' as family_role,
                cast(1 + g % 3 as bigint) as records,
                cast(1 + h % 9 as bigint) as reports,
                cast(1 + h % 4 as bigint) as sources,
                cast(h % 201 as double) / 10 - 10 as goldstein
            from base
        ) to '{target}' (format parquet, partition_by (year), overwrite_or_ignore true)
    """)
    (target / ".complete").touch()
    return target


def _coverage_rows() -> list[tuple]:
    rows = []
    for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        days = 366 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 365
        rows.append(("synthetic", year, 96 * days, days * 86400, f"{year}-01-01", f"{year+1}-01-01",
                     days, days * 1.0, True))
    return rows


_COVERAGE_SQL = ("select * from (values " + ", ".join(
    f"('{s}', {y}, {f}, {f}, {c}, timestamp '{a}', timestamp '{b}', {d}, {cd}, {str(full).lower()})"
    for s, y, f, c, a, b, d, cd, full in _coverage_rows())
    + ") as t(source_id, year, files, file_rows, covered_seconds, covered_from, covered_to, "
    "days_in_year, coverage_days, full_year)")


def _model_sql() -> str:
    return (get_settings().sql_dir / "events" / "marts" / "mart_event_dyad_year.sql").read_text()


def run_duckdb(data: Path, memory_limit: str, out: Path) -> dict:
    con = duckdb.connect(str(out / "bench.duckdb"))
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute(f"set temp_directory = '{out / 'spill'}'")
    # as the event build does: no row order to keep, so operators need not buffer for it
    con.execute("set preserve_insertion_order = false")
    con.execute(f"create view int_events_resolved as select * from "
                f"read_parquet('{data}/*/*.parquet', hive_partitioning = true)")
    con.execute(f"create view int_event_coverage_years as {_COVERAGE_SQL}")
    started = time.perf_counter()
    con.execute("create table mart as " + _model_sql().strip().rstrip(";"))
    rows = con.execute("select count(*) from mart").fetchall()[0][0]
    return {"seconds": time.perf_counter() - started, "mart_rows": rows}


def run_spark(data: Path, out: Path) -> dict:
    from pipelines.events.engine import spark_session
    from pipelines.events.spark_sql import to_spark

    started = time.perf_counter()
    spark = spark_session("local[2]")
    startup = time.perf_counter() - started
    spark.read.parquet(str(data)).createOrReplaceTempView("int_events_resolved")
    spark.sql(to_spark(_COVERAGE_SQL)).createOrReplaceTempView("int_event_coverage_years")
    started = time.perf_counter()
    spark.sql(to_spark(_model_sql())).write.mode("overwrite").parquet(str(out / "mart"))
    seconds = time.perf_counter() - started
    rows = duckdb.sql(f"select count(*) from read_parquet('{out}/mart/*.parquet')").fetchall()
    spark.stop()
    return {"seconds": seconds, "startup_seconds": startup, "mart_rows": rows[0][0]}


def _tree_bytes(directory: Path | None) -> int:
    if directory is None:
        return 0
    total = 0
    with contextlib.suppress(OSError):  # the directory not made yet, or gone
        for path in directory.rglob("*"):
            with contextlib.suppress(OSError):  # a spill file removed while we looked
                total += path.stat().st_size if path.is_file() else 0
    return total


def _measured(arguments: list[str], spill_dir: Path | None = None) -> dict:
    """Run `python -m pipelines.events.bench ...` and sample its process tree's RSS (and the
    size of `spill_dir`, where DuckDB writes what does not fit its memory cap)."""
    errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (read after the loop)
    process = subprocess.Popen([sys.executable, "-m", "pipelines.events.bench", *arguments],
                               stdout=subprocess.PIPE, stderr=errors, text=True)
    watched = psutil.Process(process.pid)
    peak = spill = 0
    started = time.perf_counter()
    while process.poll() is None:
        try:
            tree = [watched, *watched.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        spill = max(spill, _tree_bytes(spill_dir))
        time.sleep(0.2)
    output = process.stdout.read()
    if process.returncode != 0:
        errors.seek(0)
        tail = "\n".join(errors.read().strip().splitlines()[-5:])
        raise CoopError(f"bench subprocess {' '.join(arguments)} failed "
                        f"({process.returncode}):\n{tail}")
    result = json.loads(output.strip().splitlines()[-1])
    result["wall_seconds"] = time.perf_counter() - started
    result["peak_rss_gb"] = peak / 1e9
    result["peak_spill_gb"] = spill / 1e9
    return result


def convert_scaling(directory: Path, multiples: list[int]) -> list[dict]:
    """Time GDELT CSV -> Parquet on SYNTHETIC files of k copies of the real sample."""
    from pipelines.events.formats import GDELT
    from pipelines.events.ingest import convert_file

    sample = (get_settings().events_raw_dir / "gdelt" / "20191024143000.export.CSV").read_bytes()
    results = []
    for k in multiples:
        csv = directory / "convert" / f"{20190101000000 + k}.export.CSV"
        csv.parent.mkdir(parents=True, exist_ok=True)
        if not csv.exists():
            with csv.open("wb") as handle:
                for _ in range(k):
                    handle.write(sample)
        with tempfile.TemporaryDirectory(dir=directory) as lake:
            con = duckdb.connect()
            started = time.perf_counter()
            converted = convert_file(con, csv, GDELT, Path(lake))
            seconds = time.perf_counter() - started
            parquet = sum(p.stat().st_size for p in Path(lake).rglob("*.parquet"))
        results.append({"rows": converted.rows, "csv_mb": csv.stat().st_size / 1e6,
                        "parquet_mb": parquet / 1e6, "seconds": seconds})
    return results


def _exponents(points: list[tuple[int, float]]) -> list[str]:
    """log-log slope between successive sizes: 1.0 = linear growth."""
    if not points:
        return []
    out = ["–"]
    for (n0, t0), (n1, t1) in zip(points, points[1:], strict=False):
        out.append(f"{math.log(t1 / t0) / math.log(n1 / n0):.2f}" if t0 > 0 and t1 > 0 else "–")
    return out


def run_bench(directory: Path, sizes: list[int], spark_sizes: list[int], memory_limit: str,
              *, convert_multiples: tuple[int, ...] = (10, 100, 1000),
              say: Callable[[str], None] = print) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    lines = ["SYNTHETIC event volumes; query = sql/events/marts/mart_event_dyad_year.sql", "",
             "| engine | events | seconds | growth exponent | peak RSS (GB) | peak spill (GB) "
             "| mart rows |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for engine, engine_sizes in (("duckdb", sizes), ("spark", spark_sizes)):
        points, rows = [], []
        for n in engine_sizes:
            say(f"generating {n:,} SYNTHETIC events (cached)...")
            data = generate_events(directory, n)
            with tempfile.TemporaryDirectory(dir=directory) as out:
                args = [engine, str(data), out] + ([memory_limit] if engine == "duckdb" else [])
                say(f"{engine}: {n:,} events...")
                spill_dir = Path(out) / "spill" if engine == "duckdb" else None
                result = _measured(args, spill_dir)
            say(f"  {result}")
            points.append((n, result["seconds"]))
            rows.append((n, result))
        for (n, result), exponent in zip(rows, _exponents(points), strict=True):
            label = engine if engine == "spark" else f"duckdb (memory_limit {memory_limit})"
            spill = f"{result['peak_spill_gb']:.2f}" if engine == "duckdb" else "–"
            extra = (f" (+{result['startup_seconds']:.0f} s start-up)"
                     if "startup_seconds" in result else "")
            lines.append(f"| {label} | {n:,} | {result['seconds']:.1f}{extra} | {exponent} | "
                         f"{result['peak_rss_gb']:.2f} | {spill} | "
                         f"{result['mart_rows']:,} |")
    if convert_multiples:
        lines += ["", "| GDELT CSV rows | CSV MB | Parquet MB | seconds | rows/s | exponent |",
                  "|---:|---:|---:|---:|---:|---:|"]
        conversions = convert_scaling(directory, list(convert_multiples))
        exponents = _exponents([(c["rows"], c["seconds"]) for c in conversions])
        for c, exponent in zip(conversions, exponents, strict=True):
            lines.append(f"| {c['rows']:,} | {c['csv_mb']:.0f} | {c['parquet_mb']:.1f} | "
                         f"{c['seconds']:.1f} | {c['rows'] / c['seconds']:,.0f} | {exponent} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # one measured run, in its own process
    engine, data, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    if engine == "duckdb":
        print(json.dumps(run_duckdb(data, sys.argv[4], out)))
    else:
        print(json.dumps(run_spark(data, out)))
