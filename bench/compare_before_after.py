"""Before/after of issue 15, in one run: the refresh of a base checkout (before) and of this
tree (after; with coop's kept Prefect server and with a temporary one), interleaved, on the
shipped data.  Prints per-stage seconds, CPU, peak memory and whether the marts' content
checksums agree.  Usage: python bench/compare_before_after.py BASE_TREE RUNS OUT.json
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from pipelines.bench import measure
from pipelines.settings import get_settings

base_tree, runs, out = Path(sys.argv[1]).resolve(), int(sys.argv[2]), Path(sys.argv[3])
settings = get_settings()
work = settings.root / "bench" / "work" / "compare"
work.mkdir(parents=True, exist_ok=True)
home = work / "prefect-home"


def env_for(tree: Path, project: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COOP_", "PREFECT_API"))}
    env.update(COOP_ROOT=str(project), COOP_SQL_DIR=str(tree / "sql"),
               COOP_SEEDS_DIR=str(tree / "seeds"), COOP_INDICES_FILE=str(tree / "indices.toml"),
               PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               GX_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1")
    return env


variants = {
    "before (base, temporary server)": (base_tree, "temporary"),
    "after, temporary server": (settings.root, "temporary"),
    "after, coop's kept server": (settings.root, "kept"),
}
projects = {}
for name, (tree, mode) in variants.items():
    project = measure.make_scratch_project(work / name.replace(" ", "_").replace(",", "")
                                           .replace("'", "").replace("(", "").replace(")", ""),
                                           settings.raw_dir)
    projects[name] = project
kept_project = projects["after, coop's kept server"]
coop_after = [str(settings.root / ".venv" / "bin" / "coop")]
start = subprocess.run([*coop_after, "server", "start"], env=env_for(settings.root, kept_project),
                       capture_output=True, text=True, check=True)
print(start.stdout.strip(), flush=True)
results: dict[str, list] = {name: [] for name in variants}
try:
    for number in range(runs):
        for name, (tree, _mode) in variants.items():
            project = projects[name]
            measure.coop_command = lambda tree=tree: [str(tree / ".venv" / "bin" / "coop")]
            args = ("--full",) if (project / "marts" / "current").exists() else ()
            m = measure.run_refresh(f"{number}", project, env_for(tree, project), args)
            manifest = json.loads((project / "marts" / "manifest.json").read_text())
            checksums = {k: v["content_checksum"] for k, v in manifest["marts"].items()}
            results[name].append({**m.as_dict(), "checksums": checksums,
                                  "gate": manifest.get("gate", {}).get("seconds")})
            print(f"{name} #{number}: {m.wall_seconds:.1f} s wall, {m.cpu_seconds:.1f} s CPU, "
                  f"setup {m.setup_seconds}, stages {m.stage_seconds}, ok {m.ok}", flush=True)
finally:
    stop = subprocess.run([*coop_after, "server", "stop"],
                          env=env_for(settings.root, kept_project), capture_output=True,
                          text=True, check=False)
    print(stop.stdout.strip())

summary = {}
for name, items in results.items():
    good = [i for i in items if i["returncode"] == 0]
    med = lambda key: statistics.median(i[key] for i in good) if good else None  # noqa: E731
    stages = sorted({s for i in good for s in i["stage_seconds"]})
    summary[name] = {
        "runs": len(good), "wall": med("wall_seconds"), "cpu": med("cpu_seconds"),
        "setup": med("setup_seconds"), "peak_tree_gib": max(i["peak_rss_tree"] for i in good)
        / 2**30 if good else None,
        "stages": {s: statistics.median(i["stage_seconds"].get(s, 0) for i in good)
                   for s in stages},
        "load_average": [i["load_average"][0] for i in items],
    }
checksums = {name: [i["checksums"] for i in items] for name, items in results.items()}
first = next(iter(checksums.values()))[0]
identical = all(c == first for items in checksums.values() for c in items)
print(json.dumps(summary, indent=1))
print(f"content checksums identical across every run and variant: {identical}")
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text(json.dumps({"summary": summary, "identical": identical, "runs": results},
                          indent=1, default=str))
if not os.environ.get("KEEP"):
    shutil.rmtree(work, ignore_errors=True)
