"""The single-instance lock: one daemon per state directory."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..errors import DaemonError


class StateLock:
    """One daemon per state directory: an flock on <state_dir>/daemon.lock holding our PID.

    The kernel drops an flock when its holder dies (SIGKILL included), so a stale file never
    blocks a restart.
    """

    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / "daemon.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise DaemonError naming the PID that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise DaemonError(f"another syndicator daemon (PID {holder}) is already running on "
                              f"{self.path.parent} (lock {self.path})", pid=holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Drop the lock (the file stays: unlinking it would race a starting daemon)."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "StateLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
