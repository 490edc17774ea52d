"""Download the source releases that raw/sources.toml pins by url and sha256 into raw/.

The manifest stays the authority on what raw/ holds.  A file entry with a `url` pins the exact
bytes by its `sha256`, so a new release enters raw/ only once an analyst has recorded its
checksum (the model of pip's --require-hashes or Nix's fetchurl): a changed file behind an
unchanged url is refused, never published unreviewed.  A download goes to a hidden temporary
file beside its target, must match the pinned sha256 and pass the source adapter's file-level
checks (header, UTF-8, CSV parsing, at least one row), and only then replaces the old file with
one `os.replace`.  On any failure the old file stays untouched and the temporary file is removed.

Limits: a target path is confined to raw/ by the manifest reader (no absolute path, no '..',
no symlink out); a `file://` url may read only from the directory named by the setting
``COOP_FETCH_FILE_DIR`` (none by default, so `file://` is refused), and a download larger
than ``COOP_FETCH_MAX_BYTES`` (2 GiB by default) is stopped and discarded.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import duckdb
import httpx

from pipelines import __version__
from pipelines.errors import FetchError, InputFileError
from pipelines.lock import writer_lock
from pipelines.raw_manifest import RawFile, read_manifest, sha256_of
from pipelines.settings import DEFAULT_FETCH_MAX_BYTES, Settings
from pipelines.sources import ADAPTERS
from pipelines.sources.base import CsvSpec, load_csv

FETCH_LOG_NAME = "fetch-log.jsonl"
# Hidden, and ending in the target's own name so that gzip is recognised by its suffix.
_TEMPORARY_PREFIX = ".fetch-"
_CHUNK_BYTES = 1 << 20
# Server errors and rate limits can pass; a 404 or 403 will not on a retry.
_TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FetchPolicy:
    attempts: int = 3
    timeout_seconds: float = 60.0  # per connect and per read, not for the whole download
    retry_delays: tuple[float, ...] = (2.0, 10.0)
    # From the settings (fetch_sources fills them in): the largest download accepted, and the
    # only local directory a file:// url may read from (None: file:// urls are refused).
    max_bytes: int = DEFAULT_FETCH_MAX_BYTES
    file_root: Path | None = None

    def delay_after(self, attempt: int) -> float:
        if not self.retry_delays:
            return 0.0
        return self.retry_delays[min(attempt, len(self.retry_delays)) - 1]


class FetchStatus(StrEnum):
    FETCHED = "fetched"
    UP_TO_DATE = "up to date"
    NO_URL = "no url"
    FAILED = "failed"


@dataclass(frozen=True)
class FileFetch:
    """What happened to one file of the manifest."""

    source_id: str
    name: str
    file: str  # path relative to raw/
    url: str | None
    status: FetchStatus
    sha256: str | None = None  # of the bytes now in place, or of a refused download
    size: int | None = None
    seconds: float = 0.0
    message: str = ""


@dataclass(frozen=True)
class FetchReport:
    files: tuple[FileFetch, ...]

    @property
    def failures(self) -> tuple[FileFetch, ...]:
        return tuple(item for item in self.files if item.status is FetchStatus.FAILED)

    def raise_for_failures(self) -> None:
        if self.failures:
            raise FetchError("\n".join(item.message for item in self.failures))

    def as_dict(self) -> dict:
        return {item.file: {"status": str(item.status), "url": item.url, "sha256": item.sha256,
                            "bytes": item.size} for item in self.files}


def fetch_sources(
    settings: Settings,
    source_ids: Sequence[str] = (),
    *,
    policy: FetchPolicy | None = None,
    take_lock: bool = True,
) -> FetchReport:
    """Bring every file with a `url` (of the named sources, or all) to its pinned sha256.

    Failures do not raise: each is a FAILED entry whose message names the file, the url and
    the reason (call `raise_for_failures`).  Raw files are replaced under the writer lock, so a
    refresh never reads a file while it is swapped; pass take_lock=False only when the caller
    already holds it (a second flock on the same file from one process would be refused).
    """
    policy = dataclasses.replace(
        policy or FetchPolicy(),
        max_bytes=settings.fetch_max_bytes,
        file_root=settings.fetch_file_dir,
    )
    sources = read_manifest(settings.sources_manifest)
    unknown = [source_id for source_id in source_ids if source_id not in sources]
    if unknown:
        raise FetchError(
            f"{settings.sources_manifest}: no source named {', '.join(unknown)}. Sources: "
            f"{', '.join(sources)}."
        )
    selected = [sources[source_id] for source_id in (source_ids or sources)]
    lock: AbstractContextManager = (
        writer_lock(settings.lock_file) if take_lock else nullcontext()
    )
    with lock:
        results = tuple(
            fetch_file(raw_file, settings.raw_dir, policy)
            for source in selected
            for raw_file in source.files
        )
    append_fetch_log(settings, results)
    return FetchReport(results)


def fetch_file(raw_file: RawFile, raw_dir: Path, policy: FetchPolicy) -> FileFetch:
    started = time.perf_counter()
    outcome = functools.partial(
        FileFetch,
        raw_file.source_id,
        raw_file.name,
        _relative(raw_file.path, raw_dir),
        raw_file.url,
    )
    if raw_file.url is None:
        return outcome(FetchStatus.NO_URL)
    if raw_file.path.is_dir():
        message = f"{raw_file.path}: is a directory; raw/sources.toml must name a file."
        return outcome(FetchStatus.FAILED, message=message)
    if raw_file.path.is_file() and sha256_of(raw_file.path) == raw_file.sha256:
        return outcome(FetchStatus.UP_TO_DATE, raw_file.sha256, raw_file.path.stat().st_size)
    raw_file.path.parent.mkdir(parents=True, exist_ok=True)
    # The writer lock is held, so any temporary file of this target is a killed fetch's.
    for stale in raw_file.path.parent.glob(f"{_TEMPORARY_PREFIX}*-{raw_file.path.name}"):
        stale.unlink(missing_ok=True)
    temporary = raw_file.path.with_name(
        f"{_TEMPORARY_PREFIX}{os.getpid()}-{raw_file.path.name}"
    )
    sha256 = size = None
    try:
        sha256, size = download(raw_file.url, temporary, policy)
        if sha256 != raw_file.sha256:
            raise FetchError(
                f"the download from {raw_file.url} has sha256 {sha256} ({size:,} bytes), but "
                f"raw/sources.toml pins {raw_file.sha256}. If the publisher has released a new "
                f"version, review it, then record its sha256, version and citation in "
                f"raw/sources.toml and fetch again."
            )
        validate_download(raw_file, temporary)
        os.replace(temporary, raw_file.path)
    except (FetchError, OSError) as exc:
        kept = "The previous file is kept." if raw_file.path.exists() else "Nothing was written."
        message = f"{raw_file.path}: {exc} {kept}"
        return outcome(FetchStatus.FAILED, sha256, size, time.perf_counter() - started, message)
    finally:
        temporary.unlink(missing_ok=True)
    return outcome(FetchStatus.FETCHED, sha256, size, time.perf_counter() - started)


def download(url: str, destination: Path, policy: FetchPolicy) -> tuple[str, int]:
    """Write the bytes at `url` to `destination`; returns their sha256 and size."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise FetchError(f"{url} is not a local file url (use file:///absolute/path).")
        source = _allowed_local_file(url, Path(url2pathname(parsed.path)), policy.file_root)
        try:
            with source.open("rb") as handle:
                return _write(
                    iter(lambda: handle.read(_CHUNK_BYTES), b""), destination, url,
                    policy.max_bytes,
                )
        except OSError as exc:
            raise FetchError(f"{url} cannot be read ({exc.strerror or exc}).") from exc
    return _download_http(url, destination, policy)


def _allowed_local_file(url: str, source: Path, file_root: Path | None) -> Path:
    """The file a file:// url names, if it lies inside the configured directory."""
    if file_root is None:
        raise FetchError(
            f"{url}: file:// urls are off. To fetch releases from a local directory, name it "
            f"in the setting COOP_FETCH_FILE_DIR (e.g. export COOP_FETCH_FILE_DIR=/srv/releases)."
        )
    resolved = source.resolve()
    root = file_root.resolve()
    if root not in resolved.parents:
        raise FetchError(
            f"{url}: outside the directory file:// urls may read from ({root}, the setting "
            f"COOP_FETCH_FILE_DIR). Copy the release there, or point the url at it."
        )
    return resolved


def _download_http(url: str, destination: Path, policy: FetchPolicy) -> tuple[str, int]:
    # Identity encoding and raw bytes: the file is stored as the server holds it (a .csv.gz
    # stays gzip), which is what its pinned checksum describes.
    headers = {"User-Agent": f"coop/{__version__}", "Accept-Encoding": "identity"}
    problem = ""
    attempt = 0
    with httpx.Client(
        follow_redirects=True, timeout=policy.timeout_seconds, headers=headers
    ) as client:
        for attempt in range(1, max(1, policy.attempts) + 1):
            try:
                with client.stream("GET", url) as response:
                    if response.is_success:
                        declared = response.headers.get("content-length", "")
                        if declared.isdigit() and int(declared) > policy.max_bytes:
                            raise _too_large(url, policy.max_bytes, int(declared))
                        return _write(response.iter_raw(_CHUNK_BYTES), destination, url,
                                      policy.max_bytes)
                    problem = f"HTTP {response.status_code} {response.reason_phrase}"
                    if response.status_code not in _TRANSIENT_STATUS:
                        break
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            except httpx.RequestError as exc:  # too many redirects, an unsupported scheme
                problem = f"{type(exc).__name__}: {exc}"
                break
            if attempt < policy.attempts:
                time.sleep(policy.delay_after(attempt))
    tries = f" after {attempt} attempts" if attempt > 1 else ""
    raise FetchError(
        f"the download from {url} failed{tries} ({problem}). Check the url in "
        f"raw/sources.toml and that the server is reachable."
    )


def _too_large(url: str, max_bytes: int, size: int) -> FetchError:
    return FetchError(
        f"the download from {url} is larger than the {max_bytes:,}-byte limit ({size:,} bytes "
        f"or more) and was stopped. If the release really is that large, raise the setting "
        f"COOP_FETCH_MAX_BYTES."
    )


def _write(
    chunks: Iterable[bytes], destination: Path, url: str = "", max_bytes: int | None = None
) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    try:
        with destination.open("wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise _too_large(url, max_bytes, size)
                handle.write(chunk)
                digest.update(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise FetchError(f"the download cannot be written to {destination} ({exc}).") from exc
    return digest.hexdigest(), size


def validate_download(raw_file: RawFile, candidate: Path) -> None:
    """Run the loader's own file-level checks on the candidate, as if it were in place."""
    spec = _adapter_spec(raw_file)
    if spec is None:
        return  # no adapter reads this file: its pinned checksum is the whole contract
    con = duckdb.connect()
    try:
        rows, _checksum = load_csv(con, dataclasses.replace(raw_file, path=candidate), spec)
    except InputFileError as exc:
        reason = str(exc).removeprefix(f"{candidate}: ")
        raise FetchError(
            f"the download from {raw_file.url} matches the pinned sha256 but is not a valid "
            f"'{raw_file.name}' file of source '{raw_file.source_id}': {reason} Check the url "
            f"and sha256 in raw/sources.toml."
        ) from exc
    finally:
        con.close()


def _adapter_spec(raw_file: RawFile) -> CsvSpec | None:
    adapter = ADAPTERS.get(raw_file.source_id)
    specs = adapter.FILES if adapter else ()
    return next((spec for spec in specs if spec.file_name == raw_file.name), None)


def append_fetch_log(settings: Settings, results: Iterable[FileFetch]) -> None:
    """One JSON line per download tried, in marts/fetch-log.jsonl (raw/ holds only inputs)."""
    lines = [json.dumps(entry, sort_keys=True) for entry in _log_entries(results)]
    if not lines:
        return
    settings.marts_dir.mkdir(parents=True, exist_ok=True)
    with (settings.marts_dir / FETCH_LOG_NAME).open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def _log_entries(results: Iterable[FileFetch]) -> Iterator[dict]:
    at = datetime.now(UTC).isoformat(timespec="seconds")
    for item in results:
        if item.status in (FetchStatus.FETCHED, FetchStatus.FAILED):
            yield {
                "at": at,
                "source": item.source_id,
                "file": item.file,
                "url": item.url,
                "status": str(item.status),
                "sha256": item.sha256,
                "bytes": item.size,
                "seconds": round(item.seconds, 3),
                "error": item.message or None,
            }


def read_fetch_log(settings: Settings) -> list[dict]:
    path = settings.marts_dir / FETCH_LOG_NAME
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _relative(path: Path, raw_dir: Path) -> str:
    try:
        return str(path.relative_to(raw_dir))
    except ValueError:
        return str(path)
