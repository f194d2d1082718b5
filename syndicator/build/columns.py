"""A full scan's entries kept as columns: the paths, the stubs, the sizes and the mtimes, in path order.

At 100,000 posts a dict of FileEntry tuples costs ~180 bytes a file beyond the stubs (the dict's
slot, the 4-tuple and two ints); these columns cost 32 (a pointer in each list, 8 bytes in each
array). A FileEntry is made when one is asked for, and dropped by whoever asked. Used for a full
scan that keeps the files' problems apart (build/parsed.py): every entry's problems are then ().
"""

from __future__ import annotations

import bisect
from array import array
from typing import Iterable, Iterator, Mapping

from ..posts.loader import FileEntry, Stub

_NO_PROBLEMS: tuple = ()


class Columns:
    """One task's entries, taken column by column as they came (in the task's order)."""

    __slots__ = ("rels", "stubs", "sizes", "mtimes")

    def __init__(self) -> None:
        self.rels: list[str] = []
        self.stubs: list[Stub | None] = []
        self.sizes, self.mtimes = array("q"), array("q")

    def add(self, pairs: Iterable[tuple[str, FileEntry]]) -> None:
        """Take these (path, entry) pairs (their problems are left behind: held apart by the caller)."""
        for rel, (size, mtime, stub, _problems) in pairs:
            self.rels.append(rel)
            self.stubs.append(stub)
            self.sizes.append(size)
            self.mtimes.append(mtime)


class EntryColumns(Mapping[str, FileEntry]):
    """Every file's FileEntry (with no problems), by path, from the tasks' columns.

    Looked up by bisection, or at once when the path asked for follows the last one found (the
    readers go in path order), like warm.Placing."""

    def __init__(self, tasks: Iterable[Columns]) -> None:
        parts = sorted((part for part in tasks if part.rels), key=lambda part: part.rels[0])
        self._rels: list[str] = []
        self._stubs: list[Stub | None] = []
        self._sizes, self._mtimes = array("q"), array("q")
        for part in parts:
            self._rels += part.rels
            self._stubs += part.stubs
            self._sizes += part.sizes
            self._mtimes += part.mtimes
        rels = self._rels
        if any(one >= two for one, two in zip(rels, rels[1:])):  # tasks whose paths interleave: sorted once
            order = sorted(range(len(rels)), key=rels.__getitem__)
            self._rels = [rels[i] for i in order]
            self._stubs = [self._stubs[i] for i in order]
            self._sizes = array("q", [self._sizes[i] for i in order])
            self._mtimes = array("q", [self._mtimes[i] for i in order])
            if any(one == two for one, two in zip(self._rels, self._rels[1:])):
                raise ValueError("a path answered twice")
        self._next = 0  # where the path after the one found last is

    def _find(self, rel: object) -> int:
        rels, at = self._rels, self._next
        if not (at < len(rels) and rels[at] == rel):
            if not isinstance(rel, str):
                return -1
            at = bisect.bisect_left(rels, rel)
            if not (at < len(rels) and rels[at] == rel):
                return -1
        self._next = at + 1
        return at

    def __getitem__(self, rel: str) -> FileEntry:
        at = self._find(rel)
        if at < 0:
            raise KeyError(rel)
        return self._sizes[at], self._mtimes[at], self._stubs[at], _NO_PROBLEMS

    def __contains__(self, rel: object) -> bool:
        return self._find(rel) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._rels)

    def __len__(self) -> int:
        return len(self._rels)

    def stubs(self) -> Iterator[Stub | None]:
        """Each file's stub (None: not a good post), in path order."""
        return iter(self._stubs)
