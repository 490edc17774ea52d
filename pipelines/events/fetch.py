"""`coop fetch events --from DATE --to DATE`: GDELT 2.0 exports into the Parquet lake.

GDELT publishes a master file list whose lines read `size md5 url`. The exports
(`YYYYMMDDHHMMSS.export.CSV.zip`) whose 15-minute window starts within [from, to] are downloaded
in parallel (httpx; retries with tenacity on network errors and 408/429/5xx, exponential
back-off), each checked against the list's size and md5, then converted as it arrives
(pipelines.events.ingest) and the zip deleted. A converted export is skipped on the next run, so
an interrupted fetch resumes where it stopped; a partial download (`*.part`) is discarded.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import httpx
from tenacity import (
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from pipelines.errors import CoopError, FetchError
from pipelines.events.formats import GDELT_EXPORT_NAME
from pipelines.events.ingest import convert_gdelt_zip, is_converted

DEFAULT_MASTER_URL = "http://data.gdeltproject.org/gdeltv2/masterfilelist.txt"
_TRANSIENT = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class ListedExport:
    url: str
    name: str  # YYYYMMDDHHMMSS.export.CSV.zip
    size: int
    md5: str

    @property
    def csv_name(self) -> str:
        return self.name[:-4]


@dataclass(frozen=True)
class ExportResult:
    name: str
    status: str  # fetched | skipped | failed
    rows: int = 0
    message: str = ""


def master_url() -> str:
    return os.environ.get("COOP_GDELT_MASTER_URL", DEFAULT_MASTER_URL)


def parse_master_list(text: str, date_from: date, date_to: date) -> list[ListedExport]:
    """The event exports of the list whose window starts on a day within [from, to]."""
    exports = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3 or not parts[0].isdigit():
            raise FetchError(f"GDELT master list line {number}: expected `size md5 url`, "
                             f"got {line!r}.")
        name = urlparse(parts[2]).path.rsplit("/", 1)[-1]
        match = GDELT_EXPORT_NAME.match(name)
        if not match or not name.endswith(".zip"):
            continue  # mentions and GKG files share the list
        day = datetime.strptime(match["stamp"][:8], "%Y%m%d").date()
        if date_from <= day <= date_to:
            exports.append(ListedExport(parts[2], name, int(parts[0]), parts[1].lower()))
    return exports


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code in _TRANSIENT
    return isinstance(exc, httpx.TransportError)


def _retrying(attempts: int, wait_seconds: float):
    return retry(
        retry=retry_if_exception(_transient),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=wait_seconds, max=60),
        reraise=True,
    )


def fetch_events(
    lake_dir: Path,
    date_from: date,
    date_to: date,
    *,
    list_url: str | None = None,
    workers: int = 4,
    attempts: int = 4,
    wait_seconds: float = 1.0,
    timeout: float = 60.0,
    say: Callable[[str], None] = lambda _: None,
) -> list[ExportResult]:
    if date_to < date_from:
        raise CoopError(f"--to {date_to} is before --from {date_from}.")
    list_url = list_url or master_url()
    get = _retrying(attempts, wait_seconds)(_get)
    with httpx.Client(timeout=timeout, follow_redirects=True) as client:
        try:
            listing = get(client, list_url).text
        except httpx.HTTPError as exc:
            raise FetchError(f"{list_url}: the GDELT master file list could not be read "
                             f"({exc}).") from exc
        exports = parse_master_list(listing, date_from, date_to)
        say(f"{len(exports)} GDELT export(s) listed from {date_from} to {date_to}.")
        downloads = lake_dir / "_downloads"
        downloads.mkdir(parents=True, exist_ok=True)
        results: list[ExportResult] = []
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = {
                pool.submit(_fetch_one, client, get, export, lake_dir, downloads): export
                for export in exports
            }
            for future in as_completed(futures):
                result = future.result()
                results.append(result)
                say(f"  {result.status:8s} {result.name}"
                    + (f" ({result.rows:,} rows)" if result.rows else "")
                    + (f": {result.message}" if result.message else ""))
    return sorted(results, key=lambda r: r.name)


def _get(client: httpx.Client, url: str) -> httpx.Response:
    response = client.get(url)
    response.raise_for_status()
    return response


def _fetch_one(client, get, export: ListedExport, lake_dir: Path,
               downloads: Path) -> ExportResult:
    if is_converted(lake_dir, "gdelt", export.csv_name):
        return ExportResult(export.name, "skipped", message="already converted")
    part = downloads / f"{export.name}.part"
    target = downloads / export.name
    try:
        body = get(client, export.url).content
        digest = hashlib.md5(body, usedforsecurity=False).hexdigest()
        if len(body) != export.size or digest != export.md5:
            return ExportResult(export.name, "failed", message=(
                f"{export.url}: got {len(body):,} bytes with md5 {digest}; the master list says "
                f"{export.size:,} bytes, md5 {export.md5}. Nothing was converted; fetch again."))
        part.write_bytes(body)
        os.replace(part, target)
        con = duckdb.connect()
        try:
            converted = convert_gdelt_zip(con, target, lake_dir, source_file=export.csv_name)
        finally:
            con.close()
        return ExportResult(export.name, "fetched", rows=converted.rows)
    except (httpx.HTTPError, CoopError) as exc:
        return ExportResult(export.name, "failed", message=f"{export.url}: {exc}")
    finally:
        part.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
