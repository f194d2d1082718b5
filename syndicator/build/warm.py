"""What an incremental build starts from: the last build's good posts by file, and each feed's newest members.

A build that finishes leaves this state beside its record (build/unchanged.py), so the next
build that finds a few post files changed plans only those: it takes the changed files' posts
out of the feeds that list them, puts their new versions in, and renders only the feeds whose
items changed (build/incremental.py, build/edit.py). Each feed keeps more members than it shows
(a reserve): a feed cut short that loses more posts than its reserve holds cannot be planned
this way, and the build runs in full.

Encoded so that an edit pays only for what it touches: the files and the posts' states in chunks
(build/filerows.py), decoded and written again only where files changed; each feed's members
pickled on their own (with the cache's author references), decoded only when a changed post is
or becomes one of them. A chunk or feed no change touched keeps its bytes from build to build, and
its file (build/blobs.py): the record holds only their names, so an edit writes a chunk or two.
"""

from __future__ import annotations

import bisect
import pickle
import zlib
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import ItemsView, Iterable, Iterator, Mapping, ValuesView

from ..model import Author
from ..posts.loader import Stub
from ..posts.problem import Problem
from .blobs import Blobs
from .cache import dumps, loads
from .filerows import FileRows, Placed, Tally
from .plan import DRAFT, FUTURE, PUBLISHED, GroupKey, Top, due_at, status
from .unchanged import Record

VERSION = 5  # 5: the chunks and feeds are pieces in build/blobs.py's folder, named in the record
# Placed: (state at the build's time, checksum of its id, of its address, when it is next due). A
# checksum stands for each claim: equal claims have equal checksums, so a clash is never missed;
# two different ones that share a checksum only cost a full build.
_Encoded = tuple[tuple[str, ...], bytes]  # a feed's member files, and its Top pickled


_SOURCE = attrgetter("source")


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


class Placing(Mapping[str, Placed]):
    """Each good post's Placed at `cutoff`, by file, made when asked (a full build's rows).

    A full build at 100,000 posts would otherwise hold 100,000 rows (with two 64-bit checksums
    each) from planning to the end of the build, while its feeds render; they are needed only
    when the state is written, a chunk at a time. The stubs are kept in path order, found by
    bisection (or at once, after the one found last: the rows are asked for in the walk's order),
    so there is no dict of them either (5 MB). The first walk over every row (an edit build that
    starts from this state in the same process) keeps them all, as a dict would.
    """

    def __init__(self, stubs: Iterable[Stub], cutoff: float) -> None:
        self._stubs, self._cutoff = sorted(stubs, key=_SOURCE), cutoff  # (in path order already: one pass)
        self._next = 0  # where the stub after the one found last is
        self._all: dict[str, Placed] | None = None

    def _find(self, rel: object) -> Stub | None:
        stubs, at = self._stubs, self._next
        if at and stubs[at - 1].source == rel:  # the one found last, asked for again (`in`, then its row)
            return stubs[at - 1]
        if not (at < len(stubs) and stubs[at].source == rel):
            if not isinstance(rel, str):
                return None
            at = bisect.bisect_left(stubs, rel, key=_SOURCE)
            if not (at < len(stubs) and stubs[at].source == rel):
                return None
        self._next = at + 1
        return stubs[at]

    def __getitem__(self, rel: str) -> Placed:
        if self._all is not None:
            return self._all[rel]
        stub = self._find(rel)
        if stub is None:
            raise KeyError(rel)
        return placed(stub, self._cutoff)

    def __iter__(self) -> Iterator[str]:
        return map(_SOURCE, self._stubs)

    def __len__(self) -> int:
        return len(self._stubs)

    def __contains__(self, rel: object) -> bool:
        return self._find(rel) is not None

    def items(self) -> ItemsView[str, Placed]:  # type: ignore[override]
        return self._every().items()

    def values(self) -> ValuesView[Placed]:  # type: ignore[override]
        return self._every().values()

    def _every(self) -> dict[str, Placed]:
        if self._all is None:
            self._all = {stub.source: placed(stub, self._cutoff) for stub in self._stubs}
        return self._all

    def tally(self) -> Tally:
        """The rows counted (their states and due times: no checksum is made, and no row: Tally.of
        would hold a list of 100,000 of them)."""
        cutoff, counts, due = self._cutoff, {PUBLISHED: 0, DRAFT: 0, FUTURE: 0}, None
        for stub in self._stubs:
            state = status(stub, cutoff)
            counts[state] += 1
            when = due_at(stub, state)
            if when is not None and (due is None or when < due):
                due = when
        return Tally(counts[PUBLISHED], counts[DRAFT], counts[FUTURE], due)


class Groups(Mapping[GroupKey, Top]):
    """Every feed's newest members (build/plan.py's groups), each decoded on first use.

    Holds, per feed, its decoded Top or its encoded form (member files and pickled Top), or both.
    The decoded ones are kept (a memo), so a daemon's next build does not decode them again.
    """

    def __init__(self, encoded: Mapping[GroupKey, _Encoded], decoded: Mapping[GroupKey, Top],
                 authors: Mapping[str, Author], names: Mapping[GroupKey, str] | None = None) -> None:
        self._encoded, self._decoded, self._authors = dict(encoded), dict(decoded), authors
        self._names = dict(names or {})  # the stored name (build/blobs.py) of each encoded feed read back
        self._keys = list(dict.fromkeys([*self._encoded, *self._decoded]))

    @staticmethod
    def of(found: Mapping[GroupKey, Top]) -> "Groups":
        """Groups a full plan made (every one decoded)."""
        return found if isinstance(found, Groups) else Groups({}, found, {})

    def __getitem__(self, key: GroupKey) -> Top:
        top = self._decoded.get(key)
        if top is None:
            items, complete = loads(self._encoded[key][1], self._authors)  # KeyError: no such feed
            top = self._decoded[key] = Top(items, complete)
        return top

    def __iter__(self) -> Iterator[GroupKey]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._decoded or key in self._encoded

    def holding(self, rels: set[str]) -> list[GroupKey]:
        """The feeds that list a post of one of these files among their members."""
        return [key for key in self._keys if not rels.isdisjoint(self._members(key))]

    def shows(self, rels: set[str], items: int) -> bool:
        """Whether a post of one of these files is among the `items` newest members of a feed (it shows them)."""
        return any(not rels.isdisjoint(self._members(key)[:items]) for key in self._keys)

    def _members(self, key: GroupKey) -> tuple[str, ...]:
        encoded = self._encoded.get(key)
        return encoded[0] if encoded is not None else tuple(s.source for s in self._decoded[key].items)

    def updated(self, after: Mapping[GroupKey, Top], replaced: Iterable[GroupKey]) -> "Groups":
        """These groups with the `replaced` feeds' members as `after` has them (a replaced feed
        `after` lacks is gone; one `after` adds comes last); the others keep their encoded bytes."""
        gone = set(replaced) - set(after)
        encoded = {k: v for k, v in self._encoded.items() if k not in after and k not in gone}
        decoded = {k: v for k, v in self._decoded.items() if k not in after and k not in gone}
        decoded.update(after)
        return Groups(encoded, decoded, self._authors, {k: v for k, v in self._names.items() if k in encoded})

    def stored_name(self, key: GroupKey) -> str | None:
        """The name the feed's encoded members were read back under (build/blobs.py), if they are those."""
        return self._names.get(key) if key in self._encoded else None

    def encoded(self, authors: Mapping[str, Author]) -> dict[GroupKey, _Encoded]:
        """Every feed's encoded form: the bytes it was read from, else pickled now (authors by reference)."""
        return dict(self.encoding(authors))

    def encoding(self, authors: Mapping[str, Author]) -> Iterator[tuple[GroupKey, _Encoded]]:
        """encoded()'s items one at a time, each pickled when it is asked for."""
        for key in self._keys:
            yield key, self._encoded.get(key) or _encode(self._decoded[key], authors)


def _encode(top: Top, authors: Mapping[str, Author]) -> _Encoded:
    return tuple(s.source for s in top.items), dumps((top.items, top.complete), authors)


@dataclass(frozen=True)
class Warm:
    """The last build's good posts (by file) and its feeds' newest members, as of `built_at`."""

    built_at: float  # POSIX time the build planned for: a state holds from then until the record's valid_until
    rows: FileRows  # every post file (size, mtime_ns) as the build's walk saw it; every good post's Placed
    groups: Groups
    clean: bool  # no file was rejected for claiming another's id or address

    @property
    def files(self) -> dict[str, tuple[int, int]]:
        """Every post file -> (size, mtime_ns), in the walk's order."""
        return self.rows.files

    @property
    def posts(self) -> dict[str, Placed]:
        """Every good post that kept its id and address, by file."""
        return self.rows.posts

    @staticmethod
    def of(files: dict[str, tuple[int, int]], stubs: Iterable[Stub], found: Mapping[GroupKey, Top], *,
           now: datetime, clean: bool) -> "Warm":
        """The state a full build leaves: its files, kept stubs and the groups it planned (with their reserve)."""
        cutoff = now.timestamp()
        rows = Placing(stubs, cutoff)
        return Warm(cutoff, FileRows(whole=(files, rows), tally=rows.tally()), Groups.of(found), clean)

    def dumps(self, authors: Mapping[str, Author], blobs: Blobs) -> bytes:
        """Bytes for the record: which pieces in `blobs` the state is made of (each chunk of rows, each
        feed's members pickled with authors by reference), written there if new; pieces no longer named
        are removed (the last record was forgotten when the build started)."""
        tally = self.rows.tally
        # each piece stored before the next is made: a full build at 100,000 posts never holds them all
        chunks = [(count, name or blobs.put(files + posts), len(files))  # a piece read back is there already
                  for (count, files, posts), name in zip(self.rows.encoding(), self.rows.stored_names())]
        groups = [(key, members, self.groups.stored_name(key) or blobs.put(data))
                  for key, (members, data) in self.groups.encoding(authors)]
        blobs.keep_only([name for _count, name, _split in chunks] + [name for _key, _members, name in groups])
        return pickle.dumps((VERSION, self.built_at, self.clean, chunks,
                             (tally.published, tally.drafts, tally.future, tally.due), groups),
                            protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(data: bytes | None, authors: Mapping[str, Author], blobs: Blobs) -> "Warm | None":
        """The state, or None when there is none, it is of another version, or damaged (a piece missing)."""
        if not data:
            return None
        try:
            version, built_at, clean, chunks, tally, groups = pickle.loads(data)
            if version != VERSION:
                return None
            rows = []
            for count, name, split in chunks:
                piece = blobs.get(name)
                rows.append((count, piece[:split], piece[split:]))
            encoded = {key: (members, blobs.get(name)) for key, members, name in groups}
            return Warm(built_at, FileRows.decode(rows, Tally(*tally), [name for _count, name, _split in chunks]),
                        Groups(encoded, {}, authors, {key: name for key, _members, name in groups}), clean)
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
