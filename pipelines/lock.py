"""The single-writer lock: one refresh at a time, released by the kernel if the process dies.

The lock is re-entrant within a process: `coop refresh` takes it before it imports Prefect
(so a second refresh is refused at once, not after Prefect's start-up), and the flow it then
runs takes it again without blocking on itself.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipelines.errors import RefreshLockedError

# Lock files this process holds, with how many nested `writer_lock` blocks hold each.
_held: dict[Path, int] = {}


def holds_lock(lock_path: Path) -> bool:
    """True while this process holds the writer lock at `lock_path`."""
    return _held.get(lock_path.resolve(), 0) > 0


@contextmanager
def writer_lock(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    key = lock_path.resolve()
    if _held.get(key, 0) > 0:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            holder = os.pread(descriptor, 64, 0).decode(errors="replace").strip()
            raise RefreshLockedError(
                f"another refresh is running (pid {holder or 'unknown'}, lock {lock_path}). "
                f"Wait for it to finish; the lock frees itself when that process ends."
            ) from exc
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, str(os.getpid()).encode(), 0)
        _held[key] = 1
        try:
            yield
        finally:
            _held.pop(key, None)
    finally:
        os.close(descriptor)
