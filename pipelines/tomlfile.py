"""Reading coop's TOML files (raw/sources.toml, indices.toml, reports.toml, columns.toml).

A UTF-8 byte-order mark, which Windows editors (Notepad, Excel's "Save as") put at the start
of a file, is accepted and skipped: TOML is UTF-8 by definition and the mark carries no
content, so refusing it would only make a correct file unusable.  Any other problem (not
UTF-8, invalid TOML, unreadable) raises the caller's error class naming the file.
"""

from __future__ import annotations

import codecs
import tomllib
from pathlib import Path

from pipelines.errors import CoopError


def read_toml(path: Path, error: type[Exception] = CoopError) -> dict:
    """The parsed document at `path`; `error(message)` for an unreadable or invalid file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc}).") from exc
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            f"{path}: not valid TOML (not UTF-8 text: {exc.reason} at byte {exc.start}). "
            f"Re-save the file as UTF-8."
        ) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc}).") from exc
