"""A first build's walk of the posts folder in a forked child, while this process gets the build ready.

A build with no cache yet (a first build, or `--no-cache`) will run in full: it walks the posts
folder (at 10,000 posts, 10,000 stats: 30 ms) and then imports the modules that parse, render and
write (50 ms), one after the other, on one core while the other idles. Here the walk runs in a
child forked from the still small process (side_walk.py), and this process opens the cache and
imports the pipeline meanwhile; the child's answer is the walk's own (posts/walk.py post_files),
marshalled in frames. Where a fork is not safe (one core, another thread running, no fork) or the child
fails, the walk runs here as before.
"""

from __future__ import annotations

import marshal
import os
import sys
import threading
from importlib import import_module

from ..config import Config
from ..posts.problem import Problem
from ..posts.walk import discover, notes_of, post_files
from .side_walk import SideWalk

Discovered = tuple[dict[str, tuple[int, int]], list[Problem]]


class ColdWalk:
    """discover(config) running in a child (or, where a child may not be forked, here on `result()`)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.child = SideWalk(self._walk) if _may_fork() else None

    def _walk(self) -> bytes:
        found = post_files(self.config.posts_dir, self.config.reading.exclude)
        return frames(found.files, found.notes)

    def ready(self) -> None:
        """Import what the full build runs (build/pipeline.py and what it loads), while the child walks."""
        if self.child is not None:
            import_module(".pipeline", __package__)

    def result(self) -> Discovered:
        """discover(config)'s answer: the child's, else a walk here (the child failed, or there is none)."""
        child, self.child = self.child, None
        found = _load(child) if child is not None else None
        if found is None:
            return discover(self.config)
        files, notes = found
        return files, notes_of(self.config, notes)

    def close(self) -> None:
        """Wait for the child if its answer was never read (the build failed before it needed the walk)."""
        child, self.child = self.child, None
        if child is not None:
            child.result()


_FRAME = 500  # files per frame of the child's answer: about 30 KB marshalled


def frames(files: dict[str, tuple[int, int]], notes: list[tuple[str, str]]) -> bytes:
    """The walk's answer as frames (each its length, 4 bytes big-endian, then its marshal): the notes,
    then the files, _FRAME at a time."""
    items = list(files.items())
    parts = [marshal.dumps(notes, 2)] + [marshal.dumps(dict(items[at:at + _FRAME]), 2)
                                         for at in range(0, len(items), _FRAME)]
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


def _load(child: SideWalk) -> tuple[dict[str, tuple[int, int]], list[tuple[str, str]]] | None:
    """The child's answer, read frame by frame (None: the child failed, or its answer is torn).

    Never gathered whole (SideWalk.result): at 10,000 posts that is 0.6 MB read in 1 MB pieces, and once
    malloc has freed blocks that big it serves later ones from the heap it keeps (the build's peak was 2 MB
    higher); nor read object by object (marshal.load on a stream: 22 ms, against 3 ms from bytes).
    """
    found = child.read(_frames_read)
    return found if found is not None and found[1] is not None else None


def _frames_read(fd: int) -> tuple[dict[str, tuple[int, int]], list[tuple[str, str]] | None]:
    """The files and notes of the frames on the pipe (notes None: a torn frame)."""
    notes, files = None, {}
    try:
        while head := _exactly(fd, 4):
            part = marshal.loads(_exactly(fd, int.from_bytes(head, "big")))
            if notes is None:
                notes = part
            else:
                files.update(part)
    except (EOFError, ValueError, TypeError):  # a torn frame
        notes = None
    return files, notes


def _exactly(fd: int, size: int) -> bytes:
    """`size` bytes from the pipe (fewer only at its end)."""
    data = os.read(fd, size)
    while len(data) < size and (more := os.read(fd, size - len(data))):
        data += more
    return data


def worth_it() -> bool:
    """Whether the walk has something to overlap: the pipeline is not imported yet (a command's first
    build; a process that built before, a daemon or a test, has it)."""
    return f"{__package__}.pipeline" not in sys.modules


def _may_fork() -> bool:
    return (os.cpu_count() or 1) > 1 and hasattr(os, "fork") and threading.active_count() == 1
