"""Publish stage: export the marts into a release directory and swap it in atomically.

Layout of marts/ (the analysts' interface):

    marts/releases/<run_id>/coop.duckdb, <mart>.parquet, manifest.json   one directory per run
    marts/current -> releases/<run_id>                                   swapped by os.replace
    marts/coop.duckdb -> current/coop.duckdb                             stable names for readers
    marts/<mart>.parquet -> current/<mart>.parquet
    marts/manifest.json -> current/manifest.json

A reader resolves the stable names at open time and sees either the old release or the new one,
never a mix or a half-written file.  Older releases are pruned after a grace of a few runs so a
query that opened one just before the swap can finish; "older" is the order they were published
in (each manifest records its `publish_sequence`), never their names or clocks.

The manifest records every published file's size and sha256; `release_problems` checks the links
and files against it, so a release changed behind coop's back is noticed (by `coop status` and by
the refresh, which rebuilds it) instead of being served as the real one.  reports/.rendered.json
records which release the reports were rendered from (`reports_problem`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import duckdb

from pipelines.db import connect_work
from pipelines.errors import CoopError, DiskFullError, is_disk_full
from pipelines.settings import Settings

PUBLISHED_DB_NAME = "coop.duckdb"
MANIFEST_NAME = "manifest.json"
REPORTS_STAMP = ".rendered.json"
PUBLISHED_SUFFIXES = (".duckdb", ".parquet", ".json")


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
    """Copy every mart into release_dir as one DuckDB file plus one Parquet file per mart.

    A retry starts from an empty directory; a full disk removes the partial export and says so.
    """
    if release_dir.exists():  # a failed earlier attempt of this run
        shutil.rmtree(release_dir)
    try:
        return _export(work_db, release_dir)
    except (OSError, duckdb.Error) as exc:
        shutil.rmtree(release_dir, ignore_errors=True)
        if is_disk_full(exc):
            raise DiskFullError(
                f"the disk holding {release_dir.parent} is full: the release could not be "
                f"written, so nothing was published (the partial export was removed; the last "
                f"good marts stand). Free some space, then run `coop refresh` again."
            ) from exc
        raise


def _export(work_db: Path, release_dir: Path) -> dict[str, dict]:
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


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def describe_files(release_dir: Path) -> dict[str, dict]:
    """Size and sha256 of every file of a release except its manifest (which lists them)."""
    return {
        path.name: {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
        for path in sorted(release_dir.iterdir())
        if path.is_file() and path.name != MANIFEST_NAME
    }


def write_manifest(release_dir: Path, manifest: dict) -> Path:
    path = release_dir / MANIFEST_NAME
    try:
        path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        if is_disk_full(exc):
            shutil.rmtree(release_dir, ignore_errors=True)
            raise DiskFullError(
                f"the disk holding {release_dir.parent} is full: the release manifest could not "
                f"be written, so nothing was published (the partial export was removed; the "
                f"last good marts stand). Free some space, then run `coop refresh` again."
            ) from exc
        raise
    return path


def next_publish_sequence(settings: Settings) -> int:
    """One more than the highest sequence any kept release records (0 for the first)."""
    sequences = [_sequence(release) for release in _release_dirs(settings)]
    return max([-1, *(value for value in sequences if value is not None)]) + 1


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
    if final_dir.exists():
        raise CoopError(f"{final_dir} already exists: two runs with the same id; run again.")
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
    # A mart that no longer exists must not leave a dangling name behind, and a file put in
    # marts/ under a published name (a .duckdb, .parquet or .json beside the links) must not
    # pass for part of the release.
    for link in settings.marts_dir.iterdir():
        if link.name in wanted or link == settings.current_release:
            continue
        if link.is_symlink() or (link.is_file() and link.name.endswith(PUBLISHED_SUFFIXES)
                                 and not link.name.startswith(".")
                                 and link.suffix != ".jsonl"):
            link.unlink()


def _release_dirs(settings: Settings) -> list[Path]:
    if not settings.releases_dir.is_dir():
        return []
    return [path for path in settings.releases_dir.iterdir()
            if path.is_dir() and not path.is_symlink()]


def _sequence(release: Path) -> int | None:
    try:
        value = json.loads((release / MANIFEST_NAME).read_text(encoding="utf-8"))
        sequence = value.get("publish_sequence")
    except (OSError, ValueError, AttributeError):
        return None
    return sequence if isinstance(sequence, int) else None


def prune_releases(settings: Settings) -> list[str]:
    """Delete releases older than the newest `releases_to_keep`, never the current one.

    Age is the order of publication recorded in each manifest (`publish_sequence`): a clock set
    back gives a new release an "older" name, and it must not cost the release it replaced.
    Releases from before the sequence was recorded count as older than any that records one.
    """
    current = os.path.realpath(settings.current_release)
    releases = sorted(_release_dirs(settings),
                      key=lambda path: (_sequence(path) is not None, _sequence(path) or 0,
                                        path.name))
    removed = []
    for release in releases[: max(0, len(releases) - settings.releases_to_keep)]:
        if os.path.realpath(release) != current:
            shutil.rmtree(release, ignore_errors=True)
            removed.append(release.name)
    return removed


def read_published_manifest(settings: Settings) -> dict | None:
    """The current release's manifest (read through marts/current, not the stable name, so a
    file put over marts/manifest.json cannot pose as it); None if nothing is published or it
    is unreadable (then `release_problems` says why)."""
    path = settings.current_release / MANIFEST_NAME
    if not path.exists():
        path = settings.published_manifest
        if not path.exists():
            return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _is_published_layout(settings: Settings) -> bool:
    marts = settings.marts_dir
    return settings.current_release.is_symlink() or settings.current_release.exists() or (
        marts.is_dir() and any(path.name.endswith(PUBLISHED_SUFFIXES) and path.suffix != ".jsonl"
                               for path in marts.iterdir() if not path.name.startswith(".")))


def release_problems(settings: Settings, checksums: bool = True) -> list[str]:
    """How the published release differs from its manifest; [] when it matches (or nothing is
    published at all).  Checks the links, that every file is a regular file inside the release
    with the recorded size and (with `checksums`) sha256.  About 40 ms for the shipped marts."""
    if not _is_published_layout(settings):
        return []
    marts, current = settings.marts_dir, settings.current_release
    if not current.is_symlink():
        return [f"{current} is not the link to a release"]
    target = os.readlink(current)
    release = settings.releases_dir / Path(target).name
    if target != f"releases/{release.name}" or not release.is_dir() or release.is_symlink():
        return [f"{current} points to {target}, not to a release in {settings.releases_dir}"]
    manifest_path = release / MANIFEST_NAME
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{manifest_path} is unreadable ({exc})"]
    if not isinstance(manifest, dict) or manifest.get("run_id") != release.name:
        return [f"{manifest_path} does not describe release {release.name}"]
    files = manifest.get("files")
    if not isinstance(files, dict):  # a release from before sizes and checksums were recorded
        files = {PUBLISHED_DB_NAME: {}} | {
            f"{mart}.parquet": {"bytes": info.get("parquet_bytes")}
            for mart, info in (manifest.get("marts") or {}).items()}
    problems = []
    for name, recorded in sorted({**files, MANIFEST_NAME: {}}.items()):
        link, path = marts / name, release / name
        if not link.is_symlink():
            what = "missing" if not link.exists() else "a file, not the link to the release"
            problems.append(f"{link} is {what}")
        elif os.readlink(link) != f"current/{name}":
            problems.append(f"{link} points to {os.readlink(link)}, not to current/{name}")
        if path.is_symlink() or not path.is_file():
            problems.append(f"{path} is missing or not a regular file")
            continue
        size = path.stat().st_size
        if recorded.get("bytes") is not None and size != recorded["bytes"]:
            problems.append(f"{path} has {size:,} bytes, the manifest says {recorded['bytes']:,}")
        elif checksums and recorded.get("sha256") and sha256_file(path) != recorded["sha256"]:
            problems.append(f"{path} differs from the manifest's sha256")
    for path in sorted(marts.iterdir()):
        if path.name in files or path.name == MANIFEST_NAME or path == current:
            continue
        if path.is_symlink() or (path.is_file() and path.name.endswith(PUBLISHED_SUFFIXES)
                                 and path.suffix != ".jsonl" and not path.name.startswith(".")):
            problems.append(f"{path} is not part of release {release.name}")
    return problems


def reports_stamp(settings: Settings) -> dict | None:
    try:
        stamp = json.loads((settings.reports_dir / REPORTS_STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def record_reports_rendered(settings: Settings, run_id: str | None) -> None:
    """Note which release the reports in reports/ were rendered from (atomic write)."""
    path = settings.reports_dir / REPORTS_STAMP
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(json.dumps({"run_id": run_id}) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def reports_problem(settings: Settings, run_id: str | None) -> str | None:
    """Why the reports do not show release `run_id`, or None when they do.

    Reports never rendered by this version (no stamp and no index.html) are not stale: there
    is nothing that misstates the release.
    """
    stamp = reports_stamp(settings)
    index = settings.reports_dir / "index.html"
    if stamp is None:
        if index.exists():
            return "the reports do not record which release they were rendered from"
        return None
    if stamp.get("run_id") != run_id:
        return (f"the reports were rendered from release {stamp.get('run_id')}, not from the "
                f"published release {run_id} (a refresh stopped before it finished them)")
    if not index.exists():
        return f"{index} is missing"
    return None


def refuse_published_target(settings: Settings, target: Path, what: str) -> None:
    """Refuse to write `target` when it is, or resolves (through links) into, marts/ or
    reports/: those hold the published release and its pages, which only the refresh and
    `coop report` write."""
    from pipelines.errors import PublishedFileError

    absolute = Path(os.path.abspath(target))
    resolved = absolute.resolve()
    for directory, name in ((settings.marts_dir, "marts/"), (settings.reports_dir, "reports/")):
        base = directory.resolve()
        for candidate in {absolute, resolved}:
            if candidate == base or base in candidate.parents or (
                    directory.absolute() in candidate.parents):
                raise PublishedFileError(
                    f"{target}: is inside {name} ({directory}), where the published release "
                    f"and its pages live; {what} never writes there. Choose a file outside "
                    f"{settings.marts_dir} and {settings.reports_dir}."
                )
