"""Pipes that hold a whole message, so that the process writing one need not wait for its reader."""

from __future__ import annotations

try:
    import fcntl
except ImportError:  # not a POSIX system: pipes keep their size
    fcntl = None  # type: ignore[assignment]


def widen(fd: int, size: int) -> None:
    """Let the pipe of `fd` hold `size` bytes (F_SETPIPE_SZ: Linux; elsewhere, or past the system's
    limit, /proc/sys/fs/pipe-max-size or the user's pipe pages, it keeps its size)."""
    command = getattr(fcntl, "F_SETPIPE_SZ", None)
    if command is not None:
        try:
            fcntl.fcntl(fd, command, size)
        except OSError:
            pass
