"""Before and after, in one run: `coop refresh` of a base checkout and of this tree, interleaved.

    python -m pipelines.bench.compare BASE_TREE RUNS OUT.json

BASE_TREE is a checkout of the commit to compare with, with its own .venv (`make install`).
Three variants run in turn, RUNS times each, on the shipped data in scratch projects under
bench/work/compare: the base (its temporary Prefect server), this tree with a temporary server,
and this tree with coop's kept server (`coop server start`, stopped at the end); then the
DuckDB floor of the heaviest step (pipelines/bench/baselines.py).  Prints and writes per-stage
seconds, CPU, peak memory, each variant's ratio to the floor, and whether every run of every
variant published marts with the same content checksums.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from pipelines.bench import baselines, measure
from pipelines.settings import get_settings


def _env(tree: Path, project: Path, home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COOP_", "PREFECT_API"))}
    env.update(COOP_ROOT=str(project), COOP_SQL_DIR=str(tree / "sql"),
               COOP_SEEDS_DIR=str(tree / "seeds"), COOP_INDICES_FILE=str(tree / "indices.toml"),
               PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               GX_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1",
               # Prefect's own temporary server (the base) gives up after 20 s by default,
               # which a busy machine exceeds; coop's waits up to 180 s.
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180")
    return env


def _median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise(items: list[dict]) -> dict:
    good = [i for i in items if i["returncode"] == 0 and not i["stopped"]]
    stages = sorted({s for i in good for s in i["stage_seconds"]})
    return {
        "runs": len(good),
        "wall": _median([i["wall_seconds"] for i in good]),
        "cpu": _median([i["cpu_seconds"] for i in good]),
        "setup": _median([i["setup_seconds"] for i in good]),
        "peak_tree_gib": (max(i["peak_rss_tree"] for i in good) / 2**30) if good else None,
        "stages": {s: _median([i["stage_seconds"].get(s) for i in good]) for s in stages},
        "load_average": [i["load_average"][0] for i in items],
    }


def main(base_tree: Path, runs: int, out: Path) -> bool:
    settings = get_settings()
    work = settings.root / "bench" / "work" / "compare"
    home = work / "prefect-home"
    variants = {
        "before": (base_tree, "temporary"),
        "after, temporary server": (settings.root, "temporary"),
        "after, kept server": (settings.root, "kept"),
    }
    projects = {name: measure.make_scratch_project(work / re.sub(r"\W+", "_", name),
                                                   settings.raw_dir)
                for name in variants}
    kept = projects["after, kept server"]
    coop_after = [str(settings.root / ".venv" / "bin" / "coop")]
    started = subprocess.run([*coop_after, "server", "start"],
                             env=_env(settings.root, kept, home), capture_output=True,
                             text=True, check=True)
    print(started.stdout.strip(), flush=True)
    results: dict[str, list] = {name: [] for name in variants}
    try:
        for number in range(runs):
            for name, (tree, _mode) in variants.items():
                project = projects[name]
                command = [str(tree / ".venv" / "bin" / "coop")]
                measure.coop_command = lambda command=command: command
                args = ("--full",) if (project / "marts" / "current").exists() else ()
                m = measure.run_refresh(str(number), project, _env(tree, project, home), args)
                checksums = None
                if m.ok:
                    manifest = json.loads((project / "marts" / "manifest.json").read_text())
                    checksums = {k: v["content_checksum"] for k, v in manifest["marts"].items()}
                else:
                    print(f"{name} #{number} FAILED:\n{m.output_tail}", flush=True)
                results[name].append({**m.as_dict(), "checksums": checksums})
                print(f"{name} #{number}: {m.wall_seconds:.1f} s wall, {m.cpu_seconds:.1f} s "
                      f"CPU, setup {m.setup_seconds}, stages {m.stage_seconds}, ok {m.ok}",
                      flush=True)
    finally:
        stopped = subprocess.run([*coop_after, "server", "stop"],
                                 env=_env(settings.root, kept, home), capture_output=True,
                                 text=True, check=False)
        print(stopped.stdout.strip())
    summary = {name: summarise(items) for name, items in results.items()}
    # The DuckDB floor of the heaviest step, in the same run: the headline ratio's divisor.
    floor = baselines.compare(settings.raw_dir, settings.seeds_dir, settings.sql_dir,
                              work / "baselines", 1, runs=3, pandas_memory_budget=1,
                              profile=False).as_dict()["timings"]["floor"]
    for item in summary.values():
        item["over_floor"] = (round(item["wall"] / floor["median"], 2)
                              if item["wall"] and floor["median"] else None)
    summary["floor_seconds"] = floor["median"]
    sums = [item["checksums"] for items in results.values() for item in items
            if item["checksums"] is not None]
    identical = bool(sums) and all(s == sums[0] for s in sums)
    print(json.dumps(summary, indent=1))
    print(f"content checksums identical across every run and variant: {identical}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"summary": summary, "identical": identical, "runs": results},
                              indent=1, default=str))
    if not os.environ.get("KEEP"):
        shutil.rmtree(work, ignore_errors=True)
    return identical


if __name__ == "__main__":
    sys.exit(0 if main(Path(sys.argv[1]).resolve(), int(sys.argv[2]), Path(sys.argv[3]))
             else 1)
