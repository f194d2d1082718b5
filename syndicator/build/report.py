"""What a build did, as plain data: counts, problems, files, and the published posts."""

from __future__ import annotations

import heapq
import io
import pickle
import zlib
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice
from operator import itemgetter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..posts.problem import Problem

_path = itemgetter(0)  # a problem's path
_PICKLE = b"\x80"  # how a pickle starts (a chunk's length, under 2 GB, starts with a byte below it)

if TYPE_CHECKING:  # annotations only: a report answered from the last build's record needs neither
    from ..model import Body, Post
    from ..posts.loader import Stub
    from .problem_tally import ProblemTally


@dataclass(frozen=True)
class BuildReport:
    """What a build did. Plain values computed during the build: reading it does no I/O."""

    files: int = 0  # post files read
    published: list[Stub] = field(default_factory=list)  # newest first (empty when from_record)
    published_count: int = 0
    drafts: int = 0
    future: int = 0
    rejected: int = 0
    problems: Sequence[Problem] = field(default_factory=list)  # a list; RecordedProblems when from_record
    written: list[Path] = field(default_factory=list)  # output files whose bytes changed
    unchanged: int = 0
    removed: list[Path] = field(default_factory=list)
    failed: int = 0  # output files that could not be rendered or written (the old ones are kept)
    next_due: datetime | None = None  # when the next future-dated post becomes due
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for benchmarks
    # Only with build(keep_posts=True): the published posts, newest first. Each has its rendered
    # body in `bodies`, or else its source text in Post.body (see bodies.kept).
    posts: list[Post] = field(default_factory=list)
    # Rendered bodies by Post.digest. With keep_posts: the body of every published post this
    # build rendered or its cache holds. Without: only what a build without a cache rendered.
    bodies: dict[str, Body] = field(default_factory=dict)
    # Answered from the last finished build's record (nothing changed): counts and problems only.
    from_record: bool = False
    # Planned from the last build's warm state (a few post files changed): `published` holds only the
    # published posts of the files in `read_again` (changed, added or removed); the counts are whole.
    incremental: bool = False
    read_again: tuple[str, ...] = ()
    # What the next build in this process may start from (build/warm.py's Memory; the daemon keeps it).
    memory: Any = None

    @property
    def changed(self) -> list[Path]:
        """Feed files that are new, different or gone: what WebSub hubs should hear about."""
        return self.written + self.removed

    def summary(self, output: Path) -> list[str]:
        """The two lines `syndicator build` prints: posts by state, feed files by outcome (in `output`)."""
        due = f" (next due {self.next_due.isoformat()})" if self.next_due else ""
        failed = f", {self.failed} not written" if self.failed else ""
        return [f"posts: {self.files} read, {self.published_count} published, {self.drafts} draft, "
                f"{self.future} scheduled{due}, {self.rejected} rejected",
                f"feeds: {len(self.written)} written, {self.unchanged} unchanged, "
                f"{len(self.removed)} removed{failed} in {output}"]


class RecordedProblems(Sequence[Problem]):
    """The problems of a build answered from the last build's record: decoded on first use (issue 12).

    A no-op `syndicator build` at 100,000 posts may carry 200,000 warnings and print ten lines:
    `shown` holds those lines (build/problem_lines.py made them when the record was written), and
    the problems themselves are decoded, once, only when something reads them.
    """

    def __init__(self, data: bytes, count: int, shown: tuple[str, ...]) -> None:
        self._data = data  # pickled list of (path, line, message, severity)
        self._count = count
        self.shown = shown
        self._decoded: list[Problem] | None = None

    def _problems(self) -> list[Problem]:
        if self._decoded is None:
            self._decoded = list(map(Problem._make, problem_tuples(self._data))) if self._count else []
        return self._decoded

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return self._problems()[index]

    def __iter__(self) -> Any:
        return iter(self._problems())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, (str, bytes)):
            return self._problems() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which have none

    def __add__(self, other: Sequence[Problem]) -> "list[Problem] | RecordedProblems":
        """These problems and `other`'s (these as they are when `other` has none: still not decoded)."""
        return self if not other else self._problems() + list(other)

    @property
    def data(self) -> bytes:
        """The problems as the record keeps them (pickled tuples)."""
        return self._data

    def __repr__(self) -> str:
        return f"RecordedProblems({self._problems()!r})"


def problem_bytes(problems: Iterable[Problem], *, chunk: int = 4096) -> bytes:
    """Problems as the record keeps them: lists of plain (path, line, message, severity) tuples, `chunk`
    at a time, each pickled and compressed (zlib), after its length (4 bytes, big-endian).

    No list of 200,000 tuples is made, nor a pickler's memo of them all; and 200,000 warnings of a
    few kinds take well under a megabyte, not 11. Empty for no problems. problem_tuples() reads it back.
    """
    out = io.BytesIO()
    rows = iter(problems)
    while part := list(map(tuple, islice(rows, chunk))):
        packed = zlib.compress(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL), 1)
        out.write(len(packed).to_bytes(4, "big"))
        out.write(packed)
    return out.getvalue()


def problem_tuples(data: bytes) -> list[tuple[str, int, str, str]]:
    """The (path, line, message, severity) tuples of problem_bytes(), in order (or of one pickled list:
    a record written before the chunks)."""
    chunks = problem_chunks(data)
    if chunks is None:
        return list(pickle.loads(data))
    found: list[tuple[str, int, str, str]] = []
    for raw in chunks:
        found += pickle.loads(raw)
    return found


def problem_chunks(data: bytes) -> Iterator[bytes] | None:
    """problem_bytes() `data` a chunk at a time, decompressed (each a pickled list of tuples), in order;
    None for data of one pickled list (a record written before the chunks)."""
    return None if data[:1] == _PICKLE else _chunks(data)


def _chunks(data: bytes) -> Iterator[bytes]:
    view, at = memoryview(data), 0
    while at < len(data):
        size = int.from_bytes(view[at:at + 4], "big")
        yield zlib.decompress(view[at + 4:at + 4 + size])
        at += 4 + size


class HeldProblems(Sequence[Problem]):
    """A full scan's problems with the post files' own kept as problem_bytes() per batch of files, decoded
    a batch at a time whenever they are read (issue 12: 200,000 warnings held as Problems cost 27 MB).

    In order: `head` (the walk's notes), then the batches' problems (`batches`: the bytes of files in
    path order, batch after batch) merged by path with `merged` (problems already sorted by path:
    rejections, which come after a file's own problems), then `tail`. Indexing or comparing decodes
    them all, once (the daemon's next build slices them).
    """

    def __init__(self, head: Sequence[Problem], batches: Sequence[bytes], count: int,
                 merged: Sequence[Problem] = (), tail: Sequence[Problem] = (),
                 tally: ProblemTally | None = None) -> None:
        self._head, self._batches, self._count = list(head), list(batches), count
        self._merged, self._tail = list(merged), list(tail)
        self._decoded: list[Problem] | None = None
        self._tally = tally  # the batches' build/problem_tally.ProblemTally, made as they came in (None: not made)

    def tallies(self) -> list[ProblemTally] | None:
        """Tallies of these problems, one after another, when the batches' was made and nothing is merged
        between them; else None: read the problems themselves."""
        if self._tally is None or self._merged:
            return None
        from .problem_tally import ProblemTally

        return [ProblemTally.of(self._head), self._tally, ProblemTally.of(self._tail)]

    def error_paths(self) -> frozenset[str] | None:
        """The files with an error among these problems, from the batches' tally (None: not made)."""
        if self._tally is None:
            return None
        loose = (p.path for p in chain(self._head, self._merged, self._tail) if p.severity == "error")
        return self._tally.error_paths | frozenset(loose)

    def encoded(self) -> bytes:
        """problem_bytes() of these problems, with the batches' bytes as they are when nothing is merged
        between them (problem_tuples() reads both the same)."""
        if self._merged:
            return problem_bytes(self)
        return problem_bytes(self._head) + b"".join(self._batches) + problem_bytes(self._tail)

    def __iter__(self) -> Iterator[Problem]:
        if self._decoded is not None:
            return iter(self._decoded)
        own = (Problem._make(row) for data in self._batches for row in problem_tuples(data))
        return chain(self._head, heapq.merge(own, self._merged, key=_path) if self._merged else own, self._tail)

    def __len__(self) -> int:
        return len(self._head) + self._count + len(self._merged) + len(self._tail)

    def _problems(self) -> list[Problem]:
        if self._decoded is None:
            self._decoded = list(iter(self))
        return self._decoded

    def __getitem__(self, index: Any) -> Any:
        return self._problems()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, (str, bytes)):
            return self._problems() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which have none

    def __add__(self, other: Sequence[Problem]) -> "HeldProblems":
        """These problems, then `other`'s (still held)."""
        if not other:
            return self
        return HeldProblems(self._head, self._batches, self._count, self._merged, [*self._tail, *other],
                            self._tally)

    def __radd__(self, other: Sequence[Problem]) -> "HeldProblems":
        """`other`'s problems, then these (still held)."""
        return HeldProblems([*other, *self._head], self._batches, self._count, self._merged, self._tail,
                            self._tally)

    def __repr__(self) -> str:
        return f"HeldProblems({self._problems()!r})"
