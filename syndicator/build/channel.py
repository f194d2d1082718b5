"""The pipes between a build and its worker processes (build/crew.py): pickled messages, each after its
length, over a pair of os.pipe()s per worker.

multiprocessing.connection did this before, but importing it loads multiprocessing, tempfile,
shutil, subprocess and socket (some 5 ms of a cold build's start, before its workers fork, when one
core is idle), and it reads each message a piece at a time into a BytesIO and copies it out again.
Here a message is read straight into one buffer of its size and unpickled from there.

Reading a pipe whose every writer closed gives EOFError (between messages) or OSError (inside
one), writing to one whose reader closed gives BrokenPipeError, as with multiprocessing's.

The pipe a worker answers on holds 1 MiB where the system lets it (Linux): a render task's answer is
200-330 KB, and through the default 64 KiB the worker waited mid-answer until the build's process had
read each piece, while each piece cost that process a read and a hand-over of its interpreter lock
(the threads that write the feeds and record the warm state hold it meanwhile). Cold builds of
10,000 posts: -47 ms median, CPU -56 ms (24 alternations).
"""

from __future__ import annotations

import os
import pickle
import select
from typing import Any, Iterable

from .fdio import widen, write_parts

_HEADER = 8  # bytes of length before each message (big-endian)
_PICKLE = pickle.HIGHEST_PROTOCOL
ANSWERS = 1 << 20  # bytes the pipe a worker answers on holds, where the system allows it


class Channel:
    """One end of a two-way pipe: it reads from one os.pipe() and writes to the other."""

    def __init__(self, reading: int, writing: int) -> None:
        self.reading, self.writing = reading, writing

    def fileno(self) -> int:
        """The descriptor it reads from (what `ready` waits on)."""
        return self.reading

    def send(self, message: Any) -> None:
        """Write `message`, pickled, after its length, in one gathering write (blocks while the pipe is full)."""
        data = pickle.dumps(message, _PICKLE)
        write_parts(self.writing, (len(data).to_bytes(_HEADER, "big"), data))

    def recv(self) -> Any:
        """The next message (blocks until it is all there)."""
        header = _read_exactly(self.reading, _HEADER, at_start=True)
        return pickle.loads(_read_exactly(self.reading, int.from_bytes(header, "big"), at_start=False))

    def poll(self) -> bool:
        """Whether a message (or the end of the pipe) is waiting to be read."""
        poller = select.poll()
        poller.register(self.reading, select.POLLIN)
        return bool(poller.poll(0))

    def close(self) -> None:
        """Close both of its descriptors (once)."""
        for fd in (self.reading, self.writing):
            if fd >= 0:
                os.close(fd)
        self.reading = self.writing = -1


def channel_pair() -> tuple[Channel, Channel]:
    """Two connected ends: what one sends, the other receives. The first is the build's (it sends tasks),
    the second the worker's, whose pipe holds ANSWERS bytes where the system allows it."""
    down_read, down_write = os.pipe()
    up_read, up_write = os.pipe()
    widen(up_write, ANSWERS)
    return Channel(up_read, down_write), Channel(down_read, up_write)


def ready(channels: Iterable[Channel]) -> list[Channel]:
    """The channels with a message (or the end of their pipe) waiting, once at least one has (blocks)."""
    by_fd = {channel.fileno(): channel for channel in channels}
    poller = select.poll()
    for fd in by_fd:
        poller.register(fd, select.POLLIN)
    while True:
        found = [by_fd[fd] for fd, _event in poller.poll()]
        if found:
            return found


def _read_exactly(fd: int, size: int, *, at_start: bool) -> bytearray:
    """`size` bytes from `fd`, read into one buffer. EOFError at the end of the pipe before a message's
    first byte (`at_start`), OSError inside one."""
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        count = os.readv(fd, [view[got:]])
        if count == 0:
            if at_start and got == 0:
                raise EOFError
            raise OSError("got end of file during message")
        got += count
    return buffer
