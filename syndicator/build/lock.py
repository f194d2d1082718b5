"""One build at a time per state folder: an flock on <state_dir>/build.lock.

A CLI build and the daemon's builds would otherwise interleave their writes, and one could
sweep up the temporary file the other is about to rename. The kernel drops an flock when its
holder dies (SIGKILL included), so a killed build never blocks the next one.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def build_lock(state_dir: Path) -> Iterator[None]:
    """Hold the build lock for the duration of the block (waiting for another build to finish)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(state_dir / "build.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
