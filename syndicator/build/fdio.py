"""Writes to file descriptors: every byte of some parts, in as few system calls as writev allows, and pipes
that hold a whole message, so that the process writing one need not wait for its reader."""

from __future__ import annotations

import os
from typing import Sequence

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


_IOV_MAX = 1024  # buffers one writev takes (POSIX guarantees 16; Linux and the BSDs take 1024)


def write_parts(fd: int, parts: Sequence[bytes]) -> None:
    """Write the parts one after another, with one gathering write each 1,024 parts, never joined (a short
    write goes on from where it stopped)."""
    pending: list[bytes | memoryview] = [part for part in parts if part]
    at = 0
    while at < len(pending):
        written = os.writev(fd, pending[at:at + _IOV_MAX])
        while at < len(pending) and written >= len(pending[at]):
            written -= len(pending[at])
            at += 1
        if written:
            pending[at] = memoryview(pending[at])[written:]
