"""A reader process for test_readers: queries the published marts until told to stop.

Usage: python tests/reader_probe.py MODE MARTS_DIR STOP_FILE OUT_FILE
MODE: cli (coop sql), duckdb (read-only connection) or parquet.  Writes a JSON list of the
values seen and of every error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

QUERY = "select count(*) from mart_quarantine"


def read_once(mode: str, marts: Path) -> int:
    if mode == "cli":
        result = subprocess.run(
            [sys.executable, "-c", "from pipelines.cli import main; main()", "sql", "--csv",
             QUERY], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(result.stdout + result.stderr)
        return int(result.stdout.splitlines()[1])
    if mode == "duckdb":
        con = duckdb.connect(str(marts / "coop.duckdb"), read_only=True)
        try:
            return con.execute(QUERY).fetchall()[0][0]
        finally:
            con.close()
    con = duckdb.connect()
    return con.execute("select count(*) from read_parquet($p)",
                       {"p": str(marts / "mart_quarantine.parquet")}).fetchall()[0][0]


def main() -> None:
    mode, marts, stop, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
    seen, errors = [], []
    while not stop.exists() or not seen:
        try:
            seen.append(read_once(mode, marts))
        except Exception as exc:  # every failure is the finding: record, keep reading
            errors.append(f"{type(exc).__name__}: {exc}")
    out.write_text(json.dumps({"seen": seen, "errors": errors}))


if __name__ == "__main__":
    main()
