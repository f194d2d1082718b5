"""The quick stamp's walk of the posts folder in a forked child, while this process gets an edit ready (issue 12).

`syndicator build` walks the posts folder before it knows whether anything changed: at 10,000 posts
10,000 stats, a fifth of an edit's time. When a core is idle (cli/quick.py decides), the walk runs in
a child forked from this still small process (the stamp's modules only), and the parent imports what
an edit needs meanwhile, a module at a time, until the child is done (stamp.Editor.prepare). The
child sends its answer through a pipe, marshalled: nothing (the stamp holds: the parent's imports
were spare work on the idle core) or the files, notes and key it found. A child that fails sends no
answer, and the full command walks again itself. Standard library only (and build/fdio.py).
"""

from __future__ import annotations

import os
import select
from collections.abc import Callable
from typing import TypeVar

from .fdio import widen, write_parts

_PIPE_BYTES = 1 << 20  # the answer at 10,000 posts is ~0.6 MB: written at once, the child need not wait for the parent

T = TypeVar("T")


class SideWalk:
    """`walk()` run in a forked child; its bytes read back by the parent."""

    def __init__(self, walk: Callable[[], bytes]) -> None:
        read, write = os.pipe()
        widen(write, _PIPE_BYTES)
        pid = os.fork()
        if pid == 0:  # the child: walk, write, leave without running anything of the parent's at exit
            status = 1
            try:
                os.close(read)
                write_parts(write, (walk(),))
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self.pid, self.fd = pid, read

    def done(self) -> bool:
        """Whether the child has answered (or ended): the parent need not get ready any further."""
        return bool(select.select([self.fd], [], [], 0)[0])

    def stop(self) -> None:
        """Not wanted after all: end the child, if it still runs, and wait for it."""
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(self.fd)
        os.waitpid(self.pid, 0)

    def result(self) -> bytes | None:
        """The child's bytes once it has ended; None when it failed."""
        return self.read(_whole)

    def read(self, reader: Callable[[int], T]) -> T | None:
        """`reader(fd)`'s answer from the child's pipe once the child has ended (the pipe closed and the
        child waited for either way); None when the child failed."""
        try:
            answer = reader(self.fd)
        finally:
            os.close(self.fd)
            _pid, wait_status = os.waitpid(self.pid, 0)
        return answer if os.waitstatus_to_exitcode(wait_status) == 0 else None


def _whole(fd: int) -> bytes:
    """Everything the pipe brings, up to its end."""
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)
