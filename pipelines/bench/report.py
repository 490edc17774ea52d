"""Show a bench result: rich tables on the console, Markdown for BENCHMARKS.md, JSON."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipelines.bench.measure import GIB, STAGES
from pipelines.bench.runner import BenchResult


def _s(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _gib(value: float | None) -> str:
    return "-" if value is None else f"{value / GIB:.2f}"


def _measured(row: dict) -> str:
    value = row["measured"]
    if value is None:
        return "-"
    if "memory" in row["target"]:
        return f"{value / GIB:.2f} GiB"
    if "floor" in row["target"]:
        return f"{value:.2f}x"
    if "refresh" in row["target"]:
        return f"{value:.1f} s"
    if "growth" in row["target"]:
        return f"b = {value:.2f}"
    return f"{value:.2f}x"


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "not measured"}[met]


def shipped_rows(result: BenchResult, summary: dict | None = None
                 ) -> list[tuple[str, str, str, str]]:
    """(what, median, min, max) for the refreshes on the shipped data."""
    summary = result.shipped.get("summary", {}) if summary is None else summary
    rows = []
    for key, label in (("wall_seconds", "wall (s)"), ("cpu_seconds", "CPU user+sys (s)")):
        spread = summary.get(key, {})
        rows.append((label, _s(spread.get("median"), 1), _s(spread.get("min"), 1),
                     _s(spread.get("max"), 1)))
    for stage in STAGES:
        spread = summary.get("stages", {}).get(stage, {})
        if not spread.get("n"):
            continue  # a stage this coop does not time
        rows.append((f"  {stage} (s)", _s(spread.get("median")), _s(spread.get("min")),
                     _s(spread.get("max"))))
    spread = summary.get("setup_seconds", {})
    rows.append(("  start-up, Prefect server, exit (s)", _s(spread.get("median"), 1),
                 _s(spread.get("min"), 1), _s(spread.get("max"), 1)))
    for key, label in (("peak_rss_coop", "peak RSS, coop process (GiB)"),
                       ("peak_rss_tree", "peak RSS, process tree (GiB)")):
        spread = summary.get(key, {})
        rows.append((label, _gib(spread.get("median")), _gib(spread.get("min")),
                     _gib(spread.get("max"))))
    return rows


def scaling_rows(result: BenchResult) -> list[list[str]]:
    rows = []
    for point in result.scaling.get("points", []):
        stages = point.get("stage_seconds") or {}
        status = "ok" if point["ok"] else (point["stopped"] or f"exit {point['returncode']}")
        rows.append([
            f"{point['scale']}x",
            f"{point['rows'].get('state_year_igo', 0):,}",
            f"{point['rows'].get('participants', 0):,}",
            point.get("duckdb_memory_limit") or "DuckDB's default",
            _s(point["wall_seconds"], 1),
            _s(point["cpu_seconds"], 1),
            _gib(point["peak_rss_coop"]),
            _gib(point["peak_rss_tree"]),
            " ".join(f"{stage} {stages[stage]:.1f}" for stage in STAGES if stage in stages),
            status,
        ])
    return rows


SCALING_HEADER = ["scale", "IGO rows", "MME participants", "DuckDB cap", "wall (s)", "CPU (s)",
                  "peak RSS coop (GiB)", "peak RSS tree (GiB)", "stages (s)", "status"]
MODE_TITLES = {"kept": "with coop's kept Prefect server (`coop server start`)",
               "temporary": "with a temporary Prefect server per refresh"}


def shipped_tables(result: BenchResult) -> list[tuple[str, list]]:
    """(title, rows) per source of the Prefect API, or the one table of an older result."""
    modes = result.shipped.get("by_prefect_mode")
    if not modes:
        return [(f"Full refresh on the shipped data ({len(result.shipped['runs'])} runs)",
                 shipped_rows(result))]
    return [(f"Full refresh on the shipped data, {MODE_TITLES.get(mode, mode)} "
             f"({len(data['runs'])} runs)", shipped_rows(result, data["summary"]))
            for mode, data in modes.items()]


def server_lines(result: BenchResult) -> list[str]:
    kept = result.shipped.get("kept_server")
    if not kept:
        return []
    usage = kept.get("usage") or {}
    return [f"coop's kept Prefect server: `coop server start` took {kept['start']['seconds']:.1f}"
            f" s once; after the runs it held {_gib(usage.get('rss'))} GiB RSS and had used "
            f"{_s(usage.get('cpu_seconds'), 1)} s CPU (outside the refreshes' process tree)."]
SHIPPED_HEADER = ["", "median", "min", "max"]
BASELINE_HEADER = ["implementation", "median (s)", "min (s)", "max (s)", "peak RSS added (GiB)",
                   "dyad-years", "joint memberships"]


def baseline_rows(comparison: dict) -> list[list[str]]:
    rows = []
    for timing in comparison["timings"].values():
        if timing["skipped"]:
            rows.append([timing["name"], timing["skipped"], "", "", "", "", ""])
            continue
        output = timing["output"] or (None, None, None)
        rows.append([timing["name"], _s(timing["median"]), _s(timing["min"]), _s(timing["max"]),
                     _gib(timing["peak_rss_delta"]), f"{output[0]:,}", f"{output[1]:,}"])
    return rows


def failure_lines(result: BenchResult) -> list[str]:
    lines = []
    for run in result.shipped.get("runs", []):
        if run["returncode"] == 0 and not run["stopped"]:
            continue
        stages = ", ".join(f"{k} {v:.1f}" for k, v in run["stage_seconds"].items())
        why = run["stopped"] or f"exit status {run['returncode']}"
        lines.append(f"FAILED {run['label']}: {why} in stage '{run['last_stage']}' after "
                     f"{run['wall_seconds']:.1f} s, peak RSS {_gib(run['peak_rss_tree'])} GiB "
                     f"(tree); stages finished: {stages or 'none'}.")
    return lines


def bytecode_lines(result: BenchResult) -> list[str]:
    """How the refreshes got their compiled modules, and the run without them if there was one."""
    state = result.machine.get("bytecode", {})
    if not state.get("refreshes_use_cache"):
        return []
    lines = ["This environment sets PYTHONDONTWRITEBYTECODE and its site-packages hold no "
             "bytecode, so every process would compile its imports from source. The refreshes "
             "above load bytecode compiled once into the bench's cache (PYTHONPYCACHEPREFIX), "
             "as a user's environment has after its first run."]
    plain = result.shipped.get("without_bytecode")
    if plain:
        lines.append(
            f"The same full refresh compiling from source: {plain['wall_seconds']:.1f} s wall, "
            f"{plain['cpu_seconds']:.1f} s CPU, peak RSS {_gib(plain['peak_rss_tree'])} GiB"
            + (f" (stages: {', '.join(f'{k} {v:.1f}' for k, v in plain['stage_seconds'].items())}"
               f"; start-up, Prefect server and exit {plain['setup_seconds']:.1f} s)."
               if plain.get("stage_seconds") else ".")
        )
    return lines


def exponent_lines(result: BenchResult) -> list[str]:
    exponents = result.scaling.get("exponents")
    if not exponents:
        return []
    stages = ", ".join(f"{stage} {_s(b)}" for stage, b in exponents["stages"].items())
    return [
        f"Growth exponent b (time ~ size^b, least squares on logs over the scales that finished): "
        f"wall {_s(exponents['wall_seconds'])}, CPU {_s(exponents['cpu_seconds'])}, "
        f"peak RSS tree {_s(exponents['peak_rss_tree'])}, coop {_s(exponents['peak_rss_coop'])}.",
        f"Wall-time exponent between the two largest scales: "
        f"{_s(exponents.get('wall_seconds_last_step'))}.",
        f"Per stage: {stages}.",
    ]


def print_result(result: BenchResult, console: Console | None = None) -> None:
    # Wide enough for the tables when the output goes to a file or a pipe.
    console = console or Console(width=None if sys.stdout.isatty() else 160)
    machine = result.machine
    console.print(
        f"[bold]coop bench[/bold] {result.started_at}: {machine['cpus']} CPUs "
        f"({machine['cpu_model']}), {_gib(machine['memory_bytes'])} GiB RAM, Python "
        f"{machine['python']}, DuckDB {machine['versions']['duckdb']}; commit "
        f"{(result.code_state.get('commit') or '?')[:10]} with "
        f"{result.code_state.get('uncommitted_changes')} uncommitted change(s)."
    )
    for title, rows in shipped_tables(result):
        table = Table(title=title)
        for column in SHIPPED_HEADER:
            table.add_column(column, justify="left" if not column else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    for line in server_lines(result):
        console.print(line)
    for line in failure_lines(result):
        console.print(f"[red]{line}[/red]")
    for line in bytecode_lines(result):
        console.print(line)
    noop = result.shipped.get("noop")
    if noop:
        console.print(
            f"No-op refresh: {noop['wall_seconds']:.1f} s wall, peak RSS "
            f"{_gib(noop['peak_rss_tree'])} GiB; published nothing: {noop['published_nothing']}"
            + ("" if noop["incremental_available"] else
               " (this coop has no incremental refresh: it was a full one)")
        )
    for comparison in result.baselines:
        table = Table(title=f"Heaviest step, joint full IGO memberships per dyad-year, at "
                            f"{comparison['scale']}x ({comparison['self_join_rows']:,} self-join "
                            f"rows)")
        for column in BASELINE_HEADER:
            table.add_column(column, justify="left" if column == "implementation" else "right")
        for row in baseline_rows(comparison):
            table.add_row(*row)
        console.print(table)
        console.print("Ratios of medians: " + ", ".join(
            f"{name} {_s(value)}" for name, value in comparison["ratios"].items())
            + f"; outputs agree: {comparison['outputs_agree']}.")
        profile = comparison.get("profile") or {}
        if profile:
            console.print("DuckDB profile of the model: " + ", ".join(
                f"{op['operator']} {op['seconds']:.2f} s ({op['rows']:,} rows)"
                for op in profile["top_operators"][:4]))
    if result.scaling:
        table = Table(title="Scaling with event volume (synthetic data)")
        for column in SCALING_HEADER:
            table.add_column(column, justify="right" if column not in ("stages (s)", "status")
                             else "left")
        for row in scaling_rows(result):
            table.add_row(*row)
        console.print(table)
        for line in exponent_lines(result):
            console.print(line)
    for line in steps_lines(result):
        console.print(line)
    if result.headline:
        console.print(f"[bold]{result.headline['text']}[/bold]")
    table = Table(title="Targets (issues 7 and 15)")
    for column in ("target", "goal", "measured", "verdict", "note"):
        table.add_column(column)
    for row in result.targets:
        verdict = _verdict(row["met"])
        style = {"met": "green", "MISSED": "red"}.get(verdict, "")
        table.add_row(row["target"], row["goal"], _measured(row),
                      f"[{style}]{verdict}[/{style}]" if style else verdict, row["note"])
    console.print(table)
    console.print(f"Bench took {result.seconds:.0f} s.")


def steps_lines(result: BenchResult) -> list[str]:
    """The slowest models of the shipped-data build and the floor of the slowest."""
    steps = result.steps
    if not steps:
        return []
    floor = steps["floor"]
    lines = [f"Models of the shipped-data build, each timed alone (median, "
             f"{steps['model_count']} models, {steps['models_total_seconds']:.2f} s in all); "
             f"the slowest: " + ", ".join(f"{m['name']} {m['median']:.2f} s ({m['rows']:,} rows)"
                                          for m in steps["models"][:6]) + ".",
             f"Heaviest step: {steps['heaviest']}; its DuckDB floor ({floor['description']}): "
             f"median {floor['median']:.2f} s (" + ", ".join(f"{x:.2f}" for x in
                                                             floor["seconds"]) + ")."]
    return lines


def _markdown_table(header: list[str], rows: list) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell).replace("|", "/") for cell in row) + " |"
              for row in rows]
    return lines


def markdown(result: BenchResult) -> str:
    """The figures of one run as Markdown, for BENCHMARKS.md."""
    machine, code = result.machine, result.code_state
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    load = ", ".join(f"{x:.2f}" for x in machine["load_average_at_start"])
    lines = [
        f"Run {result.started_at}, {result.seconds:.0f} s in all. Machine: {machine['cpus']} "
        f"CPUs ({machine['cpu_model']}), {_gib(machine['memory_bytes'])} GiB RAM, "
        f"{machine['os']}, Python {machine['python']}, {versions}. Load average at the start: "
        f"{load}. Code: commit {code.get('commit')} with {code.get('uncommitted_changes')} "
        "uncommitted change(s).",
    ]
    if result.headline:
        lines += ["", f"**{result.headline['text']}**"]
    if result.steps:
        lines += ["", *steps_lines(result)]
    for title, rows in shipped_tables(result):
        lines += ["", f"#### {title}", "", *_markdown_table(SHIPPED_HEADER, rows)]
    for extra in (server_lines(result), failure_lines(result), bytecode_lines(result)):
        if extra:
            lines += ["", *extra]
    noop = result.shipped.get("noop")
    if noop:
        lines += ["", f"No-op refresh: {noop['wall_seconds']:.1f} s wall, peak RSS "
                      f"{_gib(noop['peak_rss_tree'])} GiB, published nothing: "
                      f"{noop['published_nothing']}"
                      + ("." if noop["incremental_available"]
                         else " (no incremental refresh in this coop: it was a full one).")]
    for comparison in result.baselines:
        lines += ["", f"### Heaviest step at {comparison['scale']}x "
                      f"({comparison['self_join_rows']:,} self-join rows)", "",
                  *_markdown_table(BASELINE_HEADER, baseline_rows(comparison)), "",
                  "Ratios of medians: " + ", ".join(
                      f"{name} {_s(value)}" for name, value in comparison["ratios"].items())
                  + f". Outputs agree: {comparison['outputs_agree']}."]
        profile = comparison.get("profile") or {}
        if profile:
            lines += ["", "DuckDB profile of the model (one build): " + ", ".join(
                f"{op['operator']} {op['seconds']:.2f} s ({op['rows']:,} rows)"
                for op in profile["top_operators"][:4]) + "."]
    if result.scaling:
        lines += ["", "### Scaling with event volume (synthetic data)", "",
                  *_markdown_table(SCALING_HEADER, scaling_rows(result)), "",
                  *exponent_lines(result)]
    lines += ["", "### Targets", "",
              *_markdown_table(["target", "goal", "measured", "verdict", "note"],
                               [[r["target"], r["goal"], _measured(r), _verdict(r["met"]),
                                 r["note"]] for r in result.targets])]
    return "\n".join(lines) + "\n"


def write_json(result: BenchResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(result), indent=1, default=str) + "\n", encoding="utf-8")
