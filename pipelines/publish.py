"""Publish stage: export the marts into a release directory and swap it in atomically.

Layout of marts/ (the analysts' interface):

    marts/releases/<run_id>/coop.duckdb, <mart>.parquet, manifest.json   one directory per run
    marts/current -> releases/<run_id>                                   swapped by os.replace
    marts/coop.duckdb -> current/coop.duckdb                             stable names for readers
    marts/<mart>.parquet -> current/<mart>.parquet
    marts/manifest.json -> current/manifest.json

A reader resolves the stable names at open time and sees either the old release or the new one,
never a mix or a half-written file.  Older releases are pruned after a grace of a few runs so a
query that opened one just before the swap can finish.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb

from pipelines.db import connect_work
from pipelines.settings import Settings

PUBLISHED_DB_NAME = "coop.duckdb"
MANIFEST_NAME = "manifest.json"


def mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_name like 'mart\\_%' escape '\\' and table_type = 'BASE TABLE' "
        "order by table_name"
    ).fetchall()
    return [row[0] for row in rows]


def content_checksum(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Order-independent checksum of a table's rows (equal content, equal checksum)."""
    value = con.execute(f"select bit_xor(hash(t)) from {table} as t").fetchone()[0]
    return f"{value or 0:016x}"


def export_release(work_db: Path, release_dir: Path) -> dict[str, dict]:
    """Copy every mart into release_dir as one DuckDB file plus one Parquet file per mart."""
    release_dir.mkdir(parents=True, exist_ok=False)
    published_db = release_dir / PUBLISHED_DB_NAME
    exported: dict[str, dict] = {}
    con = connect_work(work_db)
    try:
        con.execute("attach $path as release", {"path": str(published_db)})
        for mart in mart_names(con):
            con.execute(f"create table release.{mart} as select * from main.{mart}")
            parquet_path = release_dir / f"{mart}.parquet"
            con.execute(
                f"copy (select * from main.{mart}) to $path (format parquet, compression zstd)",
                {"path": str(parquet_path)},
            )
            exported[mart] = {
                "rows": con.execute(f"select count(*) from main.{mart}").fetchone()[0],
                "columns": len(con.execute(f"describe main.{mart}").fetchall()),
                "content_checksum": content_checksum(con, f"main.{mart}"),
                "parquet_bytes": parquet_path.stat().st_size,
            }
        con.execute("detach release")
    finally:
        con.close()
    return exported


def write_manifest(release_dir: Path, manifest: dict) -> Path:
    path = release_dir / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def _fsync_tree(directory: Path) -> None:
    for path in directory.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _replace_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` atomically (a new link renamed over the old one)."""
    temporary = link.with_name(f".{link.name}.tmp-{os.getpid()}")
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(target)
    os.replace(temporary, link)


def swap_in(settings: Settings, release_dir: Path, run_id: str) -> Path:
    """Move a finished release under marts/releases/ and make it the current one."""
    _fsync_tree(release_dir)
    settings.releases_dir.mkdir(parents=True, exist_ok=True)
    final_dir = settings.releases_dir / run_id
    os.replace(release_dir, final_dir)
    _replace_symlink(settings.current_release, f"releases/{run_id}")
    _link_stable_names(settings, final_dir)
    return final_dir


def _link_stable_names(settings: Settings, release: Path) -> None:
    wanted = {path.name for path in release.iterdir()}
    for name in sorted(wanted):
        link = settings.marts_dir / name
        if not link.is_symlink() or os.readlink(link) != f"current/{name}":
            _replace_symlink(link, f"current/{name}")
    # A mart that no longer exists must not leave a dangling name behind.
    for link in settings.marts_dir.iterdir():
        if link.is_symlink() and link.name not in wanted and link != settings.current_release:
            link.unlink()


def prune_releases(settings: Settings) -> list[str]:
    """Delete releases older than the newest `releases_to_keep`, never the current one."""
    if not settings.releases_dir.is_dir():
        return []
    current = os.path.realpath(settings.current_release)
    releases = sorted(path for path in settings.releases_dir.iterdir() if path.is_dir())
    removed = []
    for release in releases[: max(0, len(releases) - settings.releases_to_keep)]:
        if os.path.realpath(release) != current:
            shutil.rmtree(release, ignore_errors=True)
            removed.append(release.name)
    return removed


def read_published_manifest(settings: Settings) -> dict | None:
    path = settings.published_manifest
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
