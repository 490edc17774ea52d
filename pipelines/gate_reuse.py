"""Validate only what a run changed: suites whose definition and data equal the published
release's, which passed them, are carried over instead of run through Great Expectations again.

A suite's fingerprint covers everything its outcome depends on:
- its definition: name, the query (with the membership flags and coverage years written into
  it), every expectation's configuration (bounds computed from the data included), the row
  count bound (last good rows and tolerance) and the Great Expectations version;
- its data: the number of rows the projected query returns and an order-independent checksum
  of those rows (DuckDB's ``hash`` of each row, summed as a 128-bit integer), computed in SQL
  without copying the rows into pandas.

Equal fingerprints mean GX would see the same rows under the same expectations, so the
published verdict (every expectation met) stands; a changed bound, query, row or GX release
makes the suite run again.  ``COOP_GATE_REVALIDATE=1`` runs every suite regardless.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import duckdb


def revalidate_everything() -> bool:
    return os.environ.get("COOP_GATE_REVALIDATE", "").strip() not in ("", "0", "false")


def _expectation_config(expectation: Any) -> Any:
    configuration = getattr(expectation, "configuration", None)
    if configuration is not None and hasattr(configuration, "to_json_dict"):
        return configuration.to_json_dict()
    if hasattr(expectation, "model_dump"):
        return expectation.model_dump(mode="json", exclude={"id"})
    return repr(expectation)


def definition_digest(name: str, projected_query: str, expectations: list[Any],
                      last_good_rows: int | None, tolerance: float) -> str:
    import great_expectations as gx

    document = {
        "suite": name,
        "query": projected_query,
        "expectations": [_expectation_config(e) for e in expectations],
        "last_good_rows": last_good_rows,
        "tolerance": tolerance,
        "great_expectations": gx.__version__,
    }
    text = json.dumps(document, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def data_digest(con: duckdb.DuckDBPyConnection, projected_query: str) -> str:
    """Row count and an order-independent checksum of the rows, computed by DuckDB."""
    rows, checksum = con.execute(
        f"select count(*), coalesce(sum(hash(suite_rows)::hugeint), 0)::varchar "
        f"from ({projected_query}) as suite_rows"
    ).fetchone()
    return f"{rows}:{checksum}"


def fingerprint(con: duckdb.DuckDBPyConnection, name: str, projected_query: str,
                expectations: list[Any], last_good_rows: int | None, tolerance: float) -> str:
    return fingerprint_and_rows(con, name, projected_query, expectations, last_good_rows,
                                tolerance)[0]


def fingerprint_and_rows(con: duckdb.DuckDBPyConnection, name: str, projected_query: str,
                         expectations: list[Any], last_good_rows: int | None,
                         tolerance: float) -> tuple[str, int]:
    """The suite's fingerprint and the number of rows its query returns (from one scan)."""
    data = data_digest(con, projected_query)
    return hashlib.sha256(
        (definition_digest(name, projected_query, expectations, last_good_rows, tolerance)
         + "|" + data).encode()
    ).hexdigest(), int(data.split(":", 1)[0])


def published_verdicts(last_good: dict) -> dict[str, dict]:
    """The published release's passed suites that carry a fingerprint, by suite name."""
    suites = (last_good.get("gate") or {}).get("suites") or {}
    return {name: info for name, info in suites.items()
            if isinstance(info, dict) and info.get("fingerprint") and info.get("failed") == 0}


def carried_over(previous: dict, release: str | None) -> dict:
    """The suite's entry for this run's manifest: the published verdict, marked as reused."""
    return {**previous, "carried_over_from": previous.get("carried_over_from") or release}


def reuse_docs(reports_dir: Path, release: str | None, docs_dir: Path) -> bool:
    """Start this run's Data Docs from the published release's, so carried-over suites keep
    their validation pages; returns whether there were any."""
    if not release:
        return False
    previous = reports_dir / f".validation-{release}"
    if not previous.is_dir() or previous.resolve() == docs_dir.resolve():
        return False
    shutil.copytree(previous, docs_dir, dirs_exist_ok=True, symlinks=True)
    return True
