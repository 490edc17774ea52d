"""Read raw/sources.toml and verify that every listed file is present and unchanged."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import urlparse

from pipelines.errors import DiskFullError, InputFileError, is_disk_full
from pipelines.tomlfile import read_toml

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
    # The raw/ directory the path must stay inside (symlinks resolved) when it is opened.
    raw_dir: Path | None = None


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
    document = read_toml(manifest_path, InputFileError)
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
            if any(known.name == file_entry["name"] for known in files):
                raise InputFileError(
                    f"{manifest_path}: [sources.{source_id}] lists two files named "
                    f"{file_entry['name']!r}; each file of a source needs its own name."
                )
            files.append(
                RawFile(
                    source_id,
                    file_entry["name"],
                    confined_path(raw_dir, file_entry["path"], f"{manifest_path}: file "
                                  f"{file_entry['name']!r} of [sources.{source_id}]"),
                    file_entry["sha256"].lower(),
                    _checked_url(manifest_path, source_id, file_entry),
                    raw_dir,
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


def confined_path(raw_dir: Path, relative: object, where: str) -> Path:
    """raw_dir / relative, refused unless it stays inside raw_dir once symlinks are resolved.

    raw/ is the only place coop reads inputs from and `coop fetch` writes to, so a manifest
    path that is absolute, climbs out with '..', or is a symlink to a file elsewhere is an
    error: coop never reads (or echoes) a file outside raw/, nor overwrites one.
    """
    if not isinstance(relative, str) or not relative.strip():
        raise InputFileError(f"{where}: path must be a non-empty string relative to raw/.")
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(relative).is_absolute() or (
        PureWindowsPath(relative).drive
    ):
        raise InputFileError(
            f"{where}: path {relative!r} is absolute; a path in raw/sources.toml is relative "
            f"to raw/ (e.g. \"atop/atop.csv\"). Move the file into raw/."
        )
    path = raw_dir / relative
    check_inside(raw_dir, path, where)
    return path


def check_inside(raw_dir: Path, path: Path, where: str) -> None:
    """Refuse `path` unless it resolves (symlinks followed) to a place inside raw_dir."""
    root = raw_dir.resolve()
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise InputFileError(f"{where}: path {path} cannot be resolved ({exc}).") from exc
    if resolved != root and root not in resolved.parents:
        link = " (through a symlink)" if ".." not in path.parts else ""
        raise InputFileError(
            f"{where}: path {path} leads outside {raw_dir}{link}, to {resolved}. coop reads "
            f"inputs only from raw/: copy the file into raw/ and record its path relative to it."
        )


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


def _check_present(raw_file: RawFile) -> None:
    if raw_file.raw_dir is not None:  # a symlink made since the manifest was read
        check_inside(raw_file.raw_dir, raw_file.path,
                     f"file '{raw_file.name}' of source '{raw_file.source_id}'")
    if raw_file.path.is_dir():
        raise InputFileError(
            f"{raw_file.path}: is a directory, but raw/sources.toml lists it as the file "
            f"'{raw_file.name}' of source '{raw_file.source_id}'. Give the path of the file."
        )
    if not raw_file.path.is_file():
        raise InputFileError(
            f"{raw_file.path}: missing. raw/sources.toml lists it for source "
            f"'{raw_file.source_id}'. Restore the file (git checkout -- raw/) or remove its entry."
            + _fetch_hint(raw_file)
        )


def unreadable(path: Path, exc: OSError) -> InputFileError:
    return InputFileError(
        f"{path}: cannot be read ({exc.strerror or exc}). Check the file's permissions "
        f"(coop needs to read it: chmod a+r), or restore it."
    )


def _check_checksum(raw_file: RawFile, actual: str) -> None:
    if actual != raw_file.sha256:
        raise InputFileError(
            f"{raw_file.path}: checksum mismatch (expected sha256 {raw_file.sha256}, found "
            f"{actual}). raw/ is immutable: restore the original file, or, for a new release, "
            f"record its version, citation and new sha256 in raw/sources.toml."
            + _fetch_hint(raw_file)
        )


def verify_file(raw_file: RawFile) -> str:
    """Return the file's checksum, or refuse a missing, unreadable or changed file by name.

    Only for a check: a loader must read the bytes it verified (`verified_copy`), not the
    path again, or a file replaced in between is loaded under the pinned checksum.
    """
    _check_present(raw_file)
    try:
        actual = sha256_of(raw_file.path)
    except OSError as exc:
        raise unreadable(raw_file.path, exc) from exc
    _check_checksum(raw_file, actual)
    return actual


@contextmanager
def verified_copy(raw_file: RawFile, scratch_dir: Path | None = None) -> Iterator[tuple[Path, str]]:
    """A private copy of the file whose bytes match the pinned sha256, and that checksum.

    The bytes are hashed as they are copied, so what is checked is exactly what the caller
    then loads from the copy: a file replaced or rewritten in raw/ meanwhile cannot slip in.
    The copy keeps the file's name (gzip is recognised by its suffix) and is removed on exit.
    """
    _check_present(raw_file)
    if scratch_dir is not None:
        scratch_dir.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix=".verified-", dir=scratch_dir))
    try:
        copy = directory / raw_file.path.name
        digest = hashlib.sha256()
        try:
            with raw_file.path.open("rb") as source, copy.open("wb") as target:
                for block in iter(lambda: source.read(1 << 20), b""):
                    digest.update(block)
                    target.write(block)
        except OSError as exc:
            if is_disk_full(exc):
                raise DiskFullError(
                    f"the disk is full: {raw_file.path} could not be copied for loading into "
                    f"{directory.parent} ({exc.strerror or exc}). Nothing was published; free "
                    f"some space and run `coop refresh` again."
                ) from exc
            raise unreadable(raw_file.path, exc) from exc
        actual = digest.hexdigest()
        _check_checksum(raw_file, actual)
        os.chmod(copy, 0o400)
        yield copy, actual
    finally:
        shutil.rmtree(directory, ignore_errors=True)
