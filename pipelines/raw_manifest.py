"""Read raw/sources.toml and verify that every listed file is present and unchanged."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from pipelines.errors import InputFileError

_REQUIRED_SOURCE_KEYS = (
    "dataset",
    "version",
    "citation",
    "origin",
    "licence",
    "code_system",
    "first_year",
    "last_year",
)
_REQUIRED_FILE_KEYS = ("name", "path", "sha256")
# Where `coop fetch` may download a release from (a file entry's optional `url`).
FETCHABLE_SCHEMES = ("http", "https", "file")


@dataclass(frozen=True)
class RawFile:
    source_id: str
    name: str
    path: Path
    sha256: str
    # Where `coop fetch` downloads the pinned release from; None for files shipped in raw/.
    url: str | None = None


@dataclass(frozen=True)
class Source:
    source_id: str
    dataset: str
    version: str
    citation: str
    first_year: int
    last_year: int
    role: str
    files: tuple[RawFile, ...]
    meta: dict

    def file(self, name: str) -> RawFile:
        for raw_file in self.files:
            if raw_file.name == name:
                return raw_file
        raise InputFileError(
            f"raw/sources.toml: source '{self.source_id}' lists no file named '{name}'. "
            f'Add a [[sources.{self.source_id}.files]] entry with name = "{name}".'
        )


def read_manifest(manifest_path: Path) -> dict[str, Source]:
    if not manifest_path.is_file():
        raise InputFileError(f"{manifest_path}: the raw-data manifest is missing.")
    try:
        document = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{manifest_path}: not valid TOML ({exc}).") from exc
    raw_dir = manifest_path.parent
    sources: dict[str, Source] = {}
    for source_id, entry in document.get("sources", {}).items():
        missing = [key for key in _REQUIRED_SOURCE_KEYS if key not in entry]
        if missing:
            raise InputFileError(
                f"{manifest_path}: [sources.{source_id}] lacks {', '.join(missing)}."
            )
        files = []
        for file_entry in entry.get("files", []):
            lacking = [key for key in _REQUIRED_FILE_KEYS if key not in file_entry]
            if lacking:
                raise InputFileError(
                    f"{manifest_path}: a file of [sources.{source_id}] lacks {', '.join(lacking)}."
                )
            files.append(
                RawFile(
                    source_id,
                    file_entry["name"],
                    raw_dir / file_entry["path"],
                    file_entry["sha256"].lower(),
                    _checked_url(manifest_path, source_id, file_entry),
                )
            )
        meta = {key: value for key, value in entry.items() if key != "files"}
        sources[source_id] = Source(
            source_id=source_id,
            dataset=entry["dataset"],
            version=str(entry["version"]),
            citation=entry["citation"],
            first_year=int(entry["first_year"]),
            last_year=int(entry["last_year"]),
            role=entry.get("role", ""),
            files=tuple(files),
            meta=meta,
        )
    if not sources:
        raise InputFileError(f"{manifest_path}: lists no [sources.*] tables.")
    return sources


def _checked_url(manifest_path: Path, source_id: str, file_entry: dict) -> str | None:
    url = file_entry.get("url")
    if url is None:
        return None
    parsed = urlparse(url) if isinstance(url, str) else None
    located = parsed is not None and bool(parsed.path if parsed.scheme == "file" else parsed.netloc)
    if parsed is None or parsed.scheme not in FETCHABLE_SCHEMES or not located:
        raise InputFileError(
            f"{manifest_path}: file '{file_entry['name']}' of [sources.{source_id}] has url "
            f"{url!r}; a url must be a string starting with "
            f"{', '.join(scheme + '://' for scheme in FETCHABLE_SCHEMES)}."
        )
    return url


def _fetch_hint(raw_file: RawFile) -> str:
    if raw_file.url is None:
        return ""
    return (
        f" raw/sources.toml declares a url for it: `coop fetch {raw_file.source_id}` downloads "
        f"and verifies the pinned release."
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_file(raw_file: RawFile) -> str:
    """Return the file's checksum, or refuse a missing or changed file by name."""
    if not raw_file.path.is_file():
        raise InputFileError(
            f"{raw_file.path}: missing. raw/sources.toml lists it for source "
            f"'{raw_file.source_id}'. Restore the file (git checkout -- raw/) or remove its entry."
            + _fetch_hint(raw_file)
        )
    actual = sha256_of(raw_file.path)
    if actual != raw_file.sha256:
        raise InputFileError(
            f"{raw_file.path}: checksum mismatch (expected sha256 {raw_file.sha256}, found "
            f"{actual}). raw/ is immutable: restore the original file, or, for a new release, "
            f"record its version, citation and new sha256 in raw/sources.toml."
            + _fetch_hint(raw_file)
        )
    return actual
