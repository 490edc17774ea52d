"""What the report site and the data dictionary share: one Jinja environment and one way of
writing a page (a temporary file moved into place with os.replace, so a reader opens either
the old page or the new one, never half of one).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("pipelines", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # NaN is not JSON: a figure must carry None for a missing value, so refuse NaN loudly.
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "allow_nan": False,
                                         "separators": (",", ":")}
    return env


def write_atomically(path: Path, text: str) -> Path:
    """Write the text to path via a temporary sibling and os.replace; the directory must exist."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path
