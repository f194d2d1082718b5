"""Every post file's (size, mtime) and its good post's state, kept in chunks of the walk's order.

The last build's warm state (build/warm.py) holds a row per post file. An edit build walks the
folder as always; comparing its files with the last build's chunk by chunk (marshal, version 2:
equal dicts in equal order give equal bytes) decodes only the chunks that differ, and the new
state keeps the bytes of every chunk that did not change. A file added or removed shifts the
chunks after it: then every chunk is decoded and written anew, as a whole state would be.
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass
from itertools import islice, repeat
from typing import Iterable, Iterator, Mapping

from .plan import DRAFT, FUTURE, PUBLISHED

CHUNK = 512  # files per chunk
# (state at the build's time, checksum of its id, of its address, when it is next due): see build/warm.py
Placed = tuple[str, int, int, "float | None"]
Files = dict[str, tuple[int, int]]  # post file -> (size, mtime_ns), in the walk's order
_Chunk = tuple[int, bytes, bytes]  # how many files, marshal of their Files, marshal of their good posts' rows


@dataclass(frozen=True)
class Tally:
    """The good posts' states counted, and the earliest time one comes due or expires."""

    published: int
    drafts: int
    future: int
    due: float | None

    @staticmethod
    def of(rows: Iterable[Placed]) -> "Tally":
        """Count these rows."""
        rows = list(rows)
        states = [row[0] for row in rows]
        return Tally(states.count(PUBLISHED), states.count(DRAFT), states.count(FUTURE),
                     min((row[3] for row in rows if row[3] is not None), default=None))

    def moved(self, old: Iterable[Placed], new: Iterable[Placed]) -> "Tally | None":
        """This tally with the `old` rows replaced by `new`; None when the earliest due time left with
        `old` (then count every row again)."""
        less, more = Tally.of(old), Tally.of(new)
        if less.due is not None and less.due == self.due and (more.due is None or more.due > self.due):
            return None
        dues = [d for d in (self.due, more.due) if d is not None]
        return Tally(self.published - less.published + more.published, self.drafts - less.drafts + more.drafts,
                     self.future - less.future + more.future, min(dues, default=None))


@dataclass(frozen=True)
class Diff:
    """The files that differ between the walk and the rows, and those rows (of the files that had one)."""

    changed: set[str]  # added, removed or changed
    rows: dict[str, Placed]  # the changed files' old rows, when they were good posts
    aligned: bool  # every file is where it was in the walk's order: chunks can be reused
    slices: dict[int, Files]  # when aligned: the walk's files of each chunk holding a changed file


class FileRows:
    """Each post file's (size, mtime) and each good post's row; decoded a chunk at a time, or held whole."""

    def __init__(self, *, chunks: list[_Chunk] | None = None, whole: tuple[Files, dict[str, Placed]] | None = None,
                 tally: Tally, names: list[str | None] | None = None) -> None:
        self._chunks, self._whole, self.tally = chunks, whole, tally
        self._names = names or [None] * len(chunks or ())  # each chunk's stored name (build/blobs.py), if known
        self._decoded: dict[int, tuple[Files, dict[str, Placed]]] = {}

    @staticmethod
    def of(files: Files, posts: dict[str, Placed]) -> "FileRows":
        """Rows held whole (a full build's, or after files were added or removed)."""
        return FileRows(whole=(files, posts), tally=Tally.of(posts.values()))

    @property
    def files(self) -> Files:
        """Every post file (decodes every chunk)."""
        return self._all()[0]

    @property
    def posts(self) -> dict[str, Placed]:
        """Every good post's row (decodes every chunk)."""
        return self._all()[1]

    def _all(self) -> tuple[Files, dict[str, Placed]]:
        if self._whole is None:
            files: Files = {}
            posts: dict[str, Placed] = {}
            for index in range(len(self._chunks or ())):
                chunk_files, chunk_posts = self._chunk(index)
                files.update(chunk_files)
                posts.update(chunk_posts)
            self._whole = files, posts
        return self._whole

    def _chunk(self, index: int) -> tuple[Files, dict[str, Placed]]:
        if index not in self._decoded:
            _count, files, posts = self._chunks[index]  # type: ignore[index]
            self._decoded[index] = marshal.loads(files), marshal.loads(posts)
        return self._decoded[index]

    def diff(self, files: Files, also: Iterable[str] = ()) -> Diff:
        """The files that differ from `files` (the walk's), and the `also` files among them (racy ones), with
        their rows; only the chunks that differ are decoded.

        marshal writes a dict as its pairs one after another, so the walk's files, marshal'd once, hold
        each chunk's bytes (less its first and last byte) at the chunk's offset while nothing changed.
        """
        chunks = self._chunks or []
        if self._whole is None and len(files) == sum(chunk[0] for chunk in chunks):
            whole, extra = marshal.dumps(files, 2), set(also)
            changed: set[str] = set()
            rows: dict[str, Placed] = {}
            slices: dict[int, Files] = {}
            offset, start = 1, 0
            for index, (count, data, _posts) in enumerate(chunks):
                size = len(data) - 2
                same = whole[offset:offset + size] == data[1:-1]
                now = dict(islice(files.items(), start, start + count)) if not same or extra else {}
                if not same or not extra.isdisjoint(now):
                    before, posts = self._chunk(index)
                    if list(before) != list(now):
                        break  # a file added and another removed: the chunks no longer line up
                    differ = {rel for rel in now if now[rel] != before[rel] or rel in extra}
                    changed |= differ
                    rows.update((rel, posts[rel]) for rel in differ if rel in posts)
                    slices[index] = now
                    size = size if same else len(marshal.dumps(now, 2)) - 2
                offset, start = offset + size, start + count
            else:
                if offset == len(whole) - 1:
                    return Diff(changed, rows, True, slices)
        before, posts = self._all()
        changed = {rel for rel, _seen in files.items() ^ before.items()} if files != before else set()
        changed.update(rel for rel in also if rel in files)  # as the chunks' way: only the walk's files
        return Diff(changed, {rel: posts[rel] for rel in changed if rel in posts}, False, {})

    def updated(self, files: Files, diff: Diff, rows: Mapping[str, Placed | None]) -> "FileRows":
        """The rows after the walk found `files` (compared in `diff`): `rows` for the files read again
        (None: no good post now); unchanged chunks keep their bytes."""
        tally = self.tally.moved(diff.rows.values(), [row for row in rows.values() if row is not None])
        if self._whole is not None or not diff.aligned or tally is None:
            posts = {rel: row for rel, row in self.posts.items() if rel not in rows and rel in files}
            posts.update((rel, row) for rel, row in rows.items() if row is not None)
            return FileRows.of(files, posts)
        chunks, names = list(self._chunks or ()), list(self._names)
        for index, now in diff.slices.items():
            names[index] = None
            count = chunks[index][0]
            posts = dict(self._chunk(index)[1])
            for rel in rows.keys() & now.keys():
                row = rows[rel]
                if row is None:
                    posts.pop(rel, None)
                else:
                    posts[rel] = row
            chunks[index] = (count, marshal.dumps(now, 2), marshal.dumps(posts, 2))
        return FileRows(chunks=chunks, tally=tally, names=names)

    def encoded(self) -> list[_Chunk]:
        """The chunks to store: as they were read, else made now from the whole rows."""
        return self._chunks if self._chunks is not None else list(self.encoding())

    def encoding(self) -> Iterator[_Chunk]:
        """encoded()'s chunks one at a time: a full build's are made as they are asked for, so a writer
        that stores each before asking for the next never holds them all (10 MB at 100,000 posts)."""
        if self._chunks is not None:
            yield from self._chunks
            return
        files, posts = self._all()
        rels = list(files)
        for start in range(0, len(rels), CHUNK):
            part = {rel: files[rel] for rel in rels[start:start + CHUNK]}
            yield (len(part), marshal.dumps(part, 2), marshal.dumps({rel: posts[rel] for rel in part if rel in posts}, 2))

    def stored_names(self) -> Iterable[str | None]:
        """For each of `encoded()`'s chunks, the name it was read back under (build/blobs.py), or None if new."""
        return self._names if self._chunks is not None else repeat(None)

    @staticmethod
    def decode(chunks: list[_Chunk], tally: Tally, names: list[str | None] | None = None) -> "FileRows":
        """Rows read back from `encoded()` chunks and their tally (`names`: each chunk's stored name)."""
        return FileRows(chunks=chunks, tally=tally, names=names)
