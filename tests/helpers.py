"""Run the refresh stages as plain functions (no Prefect) for the tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from pipelines import refresh
from pipelines.settings import PROJECT_ROOT, Settings, get_settings


def build_to_gate(settings: Settings, plan=None) -> tuple[refresh.RunContext, tuple]:
    """Load, validate, build and compute the indices into a fresh run directory (all of it,
    or what `plan` says), stopping before the gate (a test may alter the work database
    first); returns the run and the four stages' results."""
    run = refresh.new_run(settings, plan)
    loaded = refresh.stage_load(settings, run, plan)
    validated = refresh.stage_validate(settings, run, plan)
    built = refresh.stage_build(settings, run, plan)
    # Few draws: the tests check the wiring and values, not the Monte-Carlo spread.
    indexed = refresh.stage_indices(settings, run, draws=20, plan=plan)
    return run, (loaded, validated, built, indexed)


def build_work_db(settings: Settings, plan=None) -> tuple[refresh.RunContext, dict]:
    """Load, validate and build into a fresh run directory (all of it, or what `plan` says);
    returns the run and its summary."""
    run, (loaded, validated, built, indexed) = build_to_gate(settings, plan)
    gated = refresh.stage_gate(settings, run)
    return run, {"raw_rows": loaded["rows_by_table"], "raw_checksums": loaded["raw_checksums"],
                 "sources": validated, "build": built, "indices": indexed, "gate": gated}


def publish(settings: Settings) -> dict:
    run, summary = build_work_db(settings)
    return refresh.stage_publish(settings, run, summary)


def rows(con: duckdb.DuckDBPyConnection, query: str, params: dict | None = None) -> list[tuple]:
    return con.execute(query, params or {}).fetchall()


def published_bytes(settings: Settings) -> dict[str, bytes]:
    """Every published file's bytes, read through the stable names readers use."""
    return {path.name: path.read_bytes() for path in sorted(settings.marts_dir.iterdir())
            if path.name.endswith((".duckdb", ".parquet", ".json"))}


def planned_refresh(settings: Settings, full: bool = False):
    """The flow's path without Prefect: plan, then run only what the plan says.

    Returns the plan and, unless it was a no-op or reports-only, the publish result.
    """
    from pipelines import incremental
    from pipelines.publish import read_published_manifest

    plan = incremental.plan_refresh(settings, read_published_manifest(settings), full=full)
    if plan.mode in (incremental.NOOP, incremental.REPORTS):
        return plan, None
    run, summary = build_work_db(settings, plan)
    return plan, refresh.stage_publish(settings, run, summary, plan)


@contextmanager
def fixture_project(root: Path, overrides: dict | None = None) -> Iterator[Settings]:
    """Settings for a project at `root` holding the synthetic raw files (with `overrides`) and
    reading the repository's SQL, seeds and indices.toml; the environment is restored after."""
    from tests.fixture_data import write_raw

    write_raw(root / "raw", overrides)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COOP_ROOT", str(root))
        patch.setenv("COOP_SQL_DIR", str(PROJECT_ROOT / "sql"))
        patch.setenv("COOP_SEEDS_DIR", str(PROJECT_ROOT / "seeds"))
        patch.setenv("COOP_INDICES_FILE", str(PROJECT_ROOT / "indices.toml"))
        yield get_settings()


def declare_url(settings: Settings, relative: str, url: str, sha256: str) -> None:
    """Give the raw/sources.toml entry of file `relative` a url and a pinned sha256, as an
    analyst would."""
    import re

    text = settings.sources_manifest.read_text(encoding="utf-8")
    entry = re.compile(rf'(path = "{re.escape(relative)}"\n)sha256 = "[0-9a-f]+"\n(url = ".*"\n)?')
    assert entry.search(text), relative
    text = entry.sub(lambda m: f'{m.group(1)}sha256 = "{sha256}"\nurl = "{url}"\n', text)
    settings.sources_manifest.write_text(text, encoding="utf-8")


@contextmanager
def loopback_http_server(respond) -> Iterator[str]:
    """An HTTP server on a free loopback port that answers each GET with `respond(path)`, a
    (status, body) pair (path without its leading '/'); yields the server's base url.

    `respond` may return (status, body, declared_length) to send a Content-Length other than
    the body's (a server that announces more than it sends)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            status, body, *declared = respond(self.path.lstrip("/"))
            self.send_response(status)
            self.send_header("Content-Length", str(declared[0] if declared else len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
