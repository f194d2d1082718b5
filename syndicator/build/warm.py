"""What an incremental build starts from: the last build's good posts by file, and each feed's newest members.

A build that finishes leaves this state beside its record (build/unchanged.py), so the next
build that finds a few post files changed plans only those: it takes the changed files' posts
out of every feed, puts their new versions in, and renders only the feeds whose items changed
(build/incremental.py). Each feed keeps more members than it shows (a reserve): a feed cut
short that loses more posts than its reserve holds cannot be planned this way, and the build
runs in full. Plain tuples and dicts, pickled with the cache's author references.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping

from ..model import Author
from ..posts.loader import Stub
from ..posts.problem import Problem
from .cache import dumps, loads
from .plan import GroupKey, Top, due_at, status
from .unchanged import Record

VERSION = 2
# (state at the build's time, checksum of its id, of its address, when it is next due). A checksum
# stands for each claim: equal claims have equal checksums, so a clash is never missed; two
# different ones that share a checksum only cost a full build.
Placed = tuple[str, int, int, "float | None"]


def reserve(items: int) -> int:
    """How many members each feed keeps: twice what it shows."""
    return 2 * items


def placed(stub: Stub, cutoff: float) -> Placed:
    """A good post's state at `cutoff`, its claims and when it next changes the feeds."""
    state = status(stub, cutoff)
    return state, claim_sum(stub.id), claim_sum(stub.url), due_at(stub, state)


def claim_sum(text: str) -> int:
    """The checksum that stands for an id or address in the warm state (CRC-32 and Adler-32: 64 bits)."""
    data = text.encode("utf-8", "surrogatepass")
    return zlib.crc32(data) << 32 | zlib.adler32(data)


@dataclass(frozen=True)
class Warm:
    """The last build's good posts (by file) and its feeds' newest members, as of `built_at`."""

    built_at: float  # POSIX time the build planned for: a state holds from then until the record's valid_until
    files: dict[str, tuple[int, int]]  # every post file -> (size, mtime_ns), as the build's walk saw it
    posts: dict[str, Placed]  # every good post that kept its id and address, by file
    groups: dict[GroupKey, Top]
    clean: bool  # no file was rejected for claiming another's id or address

    @staticmethod
    def of(files: dict[str, tuple[int, int]], stubs: Iterable[Stub], found: dict[GroupKey, Top], *,
           now: datetime, clean: bool) -> "Warm":
        """The state a full build leaves: its files, kept stubs and the groups it planned (with their reserve)."""
        cutoff = now.timestamp()
        return Warm(cutoff, files, {s.source: placed(s, cutoff) for s in stubs}, found, clean)

    def dumps(self, authors: Mapping[str, Author]) -> bytes:
        """Bytes for the record (authors by reference, as in the build cache)."""
        groups = {key: (top.items, top.complete) for key, top in self.groups.items()}
        return dumps((VERSION, self.built_at, self.files, self.posts, groups, self.clean), authors)

    @staticmethod
    def loads(data: bytes | None, authors: Mapping[str, Author]) -> "Warm | None":
        """The state, or None when there is none, it is of another version, or damaged."""
        if not data:
            return None
        try:
            version, built_at, files, posts, groups, clean = loads(data, authors)
            if version != VERSION:
                return None
            return Warm(built_at, files, posts, {key: Top(items, complete) for key, (items, complete) in groups.items()},
                        clean)
        except Exception:  # noqa: BLE001 - a damaged state only costs a full build
            return None


@dataclass(frozen=True)
class Memory:
    """The last build's record and warm state, decoded, with the token it left in the cache: the daemon
    keeps this between builds and hands it to the next, which then reads neither from the cache."""

    token: str
    record: Record
    warm: Warm
    problems: list[Problem]  # the record's problems, as the report had them
    newest: int  # the newest post file's mtime (ns): with warm.files, the record's posts_key
