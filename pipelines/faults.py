"""A test hook for the kill tests: pause a refresh at a named point so it can be SIGKILLed.

Inert unless COOP_FAULT_PAUSE names the point; then the refresh writes COOP_FAULT_MARKER (a
file path) and sleeps, and the test kills it there.  Points: load, validate, build, indices,
gate, publish (release exported, not yet swapped in), report (marts published, report not
yet written).
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def pause_point(name: str) -> None:
    if os.environ.get("COOP_FAULT_PAUSE") != name:
        return
    marker = os.environ.get("COOP_FAULT_MARKER")
    if marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(600)
