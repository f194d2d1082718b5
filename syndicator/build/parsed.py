"""What a scan's parse tasks bring back to the scanning process (build/scan.py), taken as it comes.

At 100,000 posts this is the build's largest holding: an entry per post file. A full scan (nothing
came from the cache) keeps the files' problems apart, as report.problem_bytes per task, and the
report reads them through report.HeldProblems: 200,000 warnings as Problems would cost 27 MB. Its
entries are kept as columns (build/columns.py): a dict of 100,000 FileEntry tuples would cost 15 MB more.
"""

from __future__ import annotations

from operator import itemgetter, le
from typing import Any, Callable, Iterable, Mapping

from ..posts.loader import FileEntry
from ..posts.problem import Problem
from .cache import loads
from .columns import Columns, EntryColumns
from .problem_tally import Joining, ProblemTally
from .report import problem_bytes, problem_tuples

Progress = Callable[[int, int], None]
_new_tuple = tuple.__new__


class Parsed:
    """What the parse tasks brought back, taken as it comes."""

    def __init__(self, entries: dict[str, FileEntry], authors: Any, progress: Progress | None, total: int, *,
                 hold: bool = False, tasks: Iterable[list[str]] = ()) -> None:
        self._entries, self.authors, self.progress, self.total = entries, authors, progress, total
        # the tasks handed out (paths as the walk found them), by first path: an answer's entries take
        # the walk's path strings (one copy of each, not two)
        self.tasks = {task[0]: task for task in tasks if task}
        # hold: each task's problems are kept apart (see `held`): (first path, last path, whether in path
        # order, problem_bytes) per task
        self.problems: list[tuple[str, str, bool, bytes]] | None = [] if hold else None
        # hold: their tally (build/problem_tally.py), joined task after task in path order as they come
        # (`early`: tasks answered before one ahead of them; `order`: the tasks' first paths, sorted)
        self.joining, self.order, self.next = Joining(), sorted(self.tasks), 0
        self.early: dict[str, tuple[str, ProblemTally] | None] = {}
        self.joined: list[str] = []  # the first path of each batch joined, in the order joined
        self.foreign = False  # an answer to a task not handed out (a failed worker's files): no tally
        self.columns: list[Columns] | None = [] if hold else None  # hold: the entries, a task's columns each
        self.problem_count = 0
        self.fresh: dict[str, bytes] = {}  # posts parsed here (pickled)
        self.unsaved: dict[str, bytes | None] = {}  # posts parsed here, not yet in the cache (None: not a post)
        # pickled (path, entry) lists no worker stored (yet), by their task's first path: for this process to store
        self.unstored: dict[str, bytes] = {}
        self.staged = 0  # tasks whose entries a worker stored
        self.done = 0

    def take(self, blob: bytes, posts: list[tuple[str, bytes | None]], stored: list[str]) -> None:
        """One task's answer (see _parse_chunk): `stored`, the tasks (by first path) whose batches a worker
        stored now, this one's among them or not (none, for a task run in this process)."""
        pairs = loads(blob, self.authors)
        if pairs and pairs[0][0] in self.tasks:
            pairs = self._shared(pairs, self.tasks[pairs[0][0]])
        if self.columns is not None:
            self._join(pairs[0][0] if pairs else "", self._apart(pairs))
            part = Columns()
            part.add(pairs)
            self.columns.append(part)
        else:
            self._entries.update(pairs)
        self.unstored[pairs[0][0] if pairs else ""] = blob
        for key in stored:
            if self.unstored.pop(key, None) is not None:
                self.staged += 1
        for rel, post in posts:
            self.unsaved[rel] = post
            if post is not None:
                self.fresh[rel] = post
        self.done, before = self.done + len(pairs), self.done
        if self.progress and (self.done // 256 > before // 256 or self.done == self.total):
            self.progress(self.done, self.total)

    def _shared(self, pairs: list[tuple[str, FileEntry]], task: list[str]) -> list[tuple[str, FileEntry]]:
        """The task's entries keyed by the walk's path strings, their stubs' sources the same strings (at
        100,000 posts: 8 MB held once, not twice).

        Not the walk's (size, mtime) ints: touching those after the workers were forked copies the
        pages they share with the workers (measured at 100k: the tree's peak 4-5 MB higher, not lower).
        """
        if len(task) != len(pairs):
            return pairs
        shared = []
        for rel, (answered, entry) in zip(task, pairs):
            if rel != answered:
                return pairs
            stub = entry[2]
            if stub is not None and stub[0] == rel:
                entry = (entry[0], entry[1], _new_tuple(type(stub), (rel, *stub[1:])), entry[3])
            shared.append((rel, entry))
        return shared

    @property
    def entries(self) -> Mapping[str, FileEntry]:
        """Every entry taken (with those the scan started with): when the problems are held apart, as
        columns (made anew on each call: once a scan), whose entries hold no problems."""
        return self._entries if self.columns is None else EntryColumns(self.columns)

    def _apart(self, pairs: list[tuple[str, FileEntry]]) -> tuple[str, ProblemTally] | None:
        """Keep the task's problems apart, with the range of their paths; their first path and tally
        (None: none)."""
        problems = [problem for _rel, entry in pairs for problem in entry[3]]
        if not problems:
            return None
        paths = list(map(itemgetter(0), problems))
        self.problems.append((paths[0], paths[-1], all(map(le, paths, paths[1:])),  # type: ignore[union-attr]
                              problem_bytes(problems)))
        self.problem_count += len(problems)
        return paths[0], ProblemTally.of(problems)

    def _join(self, first: str, tally: tuple[str, ProblemTally] | None) -> None:
        """Join the tally of the task starting at `first`, and of those after it that came early."""
        if first not in self.tasks or first in self.early:
            self.foreign = True
            return
        self.early[first] = tally
        while self.next < len(self.order) and self.order[self.next] in self.early:
            found = self.early.pop(self.order[self.next])
            self.next += 1
            if found is not None:
                self.joined.append(found[0])
                self.joining.add(found[1])

    def held(self) -> tuple[tuple[bytes, ...], int] | None:
        """The problems kept apart, in path order (stably: as index_entries sorts them), and how many;
        None: none were kept apart."""
        if self.problems is None:
            return None
        batches = self._in_order()
        if batches is not None:
            return tuple(batch[3] for batch in batches), self.problem_count
        # tasks whose paths interleave (the files a failed worker left, parsed here in new tasks): sorted once
        batches = sorted(self.problems, key=itemgetter(0))
        rows = sorted((row for batch in batches for row in problem_tuples(batch[3])), key=itemgetter(0))
        return (problem_bytes(map(Problem._make, rows)),), self.problem_count

    def tally(self) -> ProblemTally | None:
        """The ProblemTally of `held()`'s batches, one after another; None: no problems were kept apart, a
        task was not answered as handed out, or they were sorted again (held() made one batch of them all)."""
        if self.problems is None or self.foreign or self.next < len(self.order):
            return None
        batches = self._in_order()  # and joined in that order (tasks handed out in path order are)
        if batches is None or [batch[0] for batch in batches] != self.joined:
            return None
        return self.joining.tally()

    def _in_order(self) -> list[tuple[str, str, bool, bytes]] | None:
        """The batches by first path, when their paths follow one another that way (else None)."""
        batches = sorted(self.problems or (), key=itemgetter(0))
        if all(batch[2] for batch in batches) and all(one[1] < two[0] for one, two in zip(batches, batches[1:])):
            return batches
        return None
