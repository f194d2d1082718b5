"""Nothing changed since the last finished build: answer from its record without reading a post (issue 12).

A finished build leaves a record: a key made of every post file's path, size and modification
time, when its scan started, until when its answer holds (the next scheduled post or expiry),
the signature of every file it vouches for in the output folder, and its report's counts and
problems. A build with the same key, before that time, with every output file still the one
written, would read, plan and write exactly the same: so `syndicator build` answers from the
record. The record also carries the state an incremental build starts from (build/warm.py),
so that state is vouched for exactly when the record is. The record is forgotten when a build starts and written again only when one finishes
with every file written, so a build killed half-way never vouches for its output; and a post
file modified at or after the recorded scan (a timestamp too coarse to tell) is not trusted.
"""

from __future__ import annotations

import functools
import io
import pickle
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping, Sequence

from ..posts.problem import Problem
from .problem_lines import problem_lines
from .report import BuildReport, HeldProblems, RecordedProblems, problem_bytes, problem_tuples
from .vouch import posts_key, still_holds

__all__ = ["Record", "answer", "answered", "posts_key", "record"]

VERSION = 7  # 7: the problems' and the warm state's bytes follow the pickled fields, as they are


@dataclass(frozen=True)
class Record:
    """What a finished build vouches for, and the counts it reported."""

    posts_key: str
    scan_started_ns: int
    valid_until: float  # POSIX time: a post becomes due or expires then (inf: never)
    outputs: tuple[tuple[str, str], ...]  # (path below the output folder, signature)
    counts: tuple[int, int, int, int, int, int]  # files, published, drafts, future, rejected, unchanged
    problem_data: bytes  # report.problem_bytes(): pickled lists of (path, line, message, severity)
    problem_count: int
    shown: tuple[str, ...]  # problem_lines(problems): what `syndicator build` prints of them
    next_due: float | None
    notes: int = 0  # problems[:notes] are the walk's notes; the rest are the post files' own, by path
    warm: bytes = b""  # build/warm.py's state, pickled (read only by an incremental build)

    @functools.cached_property
    def problems(self) -> tuple[tuple[str, int, str, str], ...]:
        """(path, line, message, severity) of each problem, decoded on first use (a no-op build needs only `shown`)."""
        return tuple(problem_tuples(self.problem_data)) if self.problem_count else ()

    def reported(self) -> RecordedProblems:
        """The problems as a report carries them: decoded when read, `shown` at once."""
        return RecordedProblems(self.problem_data, self.problem_count, self.shown)

    def dumps(self) -> bytes:
        """The record's bytes: b"".join(parts())."""
        return b"".join(self.parts())

    def parts(self) -> list[bytes]:
        """The record's bytes in three parts, for a writer to write one after another: a pickle of plain
        tuples and strings (no classes of ours), then the problems' and the warm state's bytes as they
        are (at 100,000 posts those are 25 MB, which one more copy would only double)."""
        head = pickle.dumps((VERSION, self.posts_key, self.scan_started_ns, self.valid_until, self.outputs,
                             self.counts, len(self.problem_data), self.problem_count, self.shown, self.next_due,
                             self.notes, len(self.warm)), protocol=pickle.HIGHEST_PROTOCOL)
        return [head, self.problem_data, self.warm]

    @staticmethod
    def loads(data: bytes) -> "Record | None":
        """The record, or None for one of another version or a damaged one."""
        try:
            stream = io.BytesIO(data)
            version, *fields = pickle.Unpickler(stream).load()
            if version != VERSION:
                return None
            (key, started, until, outputs, counts, problem_size, problem_count, shown, due, notes,
             warm_size) = fields
            start = stream.tell()
            if start + problem_size + warm_size != len(data):
                return None  # torn
            problem_data = data[start:start + problem_size]
            return Record(key, started, until, outputs, counts, problem_data, problem_count, shown, due, notes,
                          data[start + problem_size:])
        except Exception:  # noqa: BLE001 - a damaged record only costs a full build
            return None


def record(report: BuildReport, *, files: Mapping[str, tuple[int, int]], scan_started_ns: int,
           outputs: Mapping[str, str], notes: int = 0, warm: bytes = b"", key: str | None = None) -> Record:
    """The record of a build that finished with every output file written (`key`: posts_key(files), if known)."""
    key = key or posts_key(files)[0]
    due = report.next_due.timestamp() if report.next_due else None
    problems = report.problems
    kept = isinstance(problems, RecordedProblems)  # the last record's, as they were: not encoded again
    return Record(key, scan_started_ns, due if due is not None else float("inf"), tuple(sorted(outputs.items())),
                  (report.files, report.published_count, report.drafts, report.future, report.rejected,
                   report.unchanged + len(report.written)),
                  problems.data if kept else _encoded(problems), len(problems),
                  problems.shown if kept else tuple(problem_lines(problems)), due, notes, warm)


def _encoded(problems: Sequence[Problem]) -> bytes:
    """problem_bytes(problems); a full scan's batches as they are (report.HeldProblems.encoded)."""
    return problems.encoded() if isinstance(problems, HeldProblems) else problem_bytes(problems)


def answer(saved: Record | None, *, files: Mapping[str, tuple[int, int]], now: datetime, output: Path,
           key: tuple[str, int] | None = None,
           problems: Sequence[Problem] | None = None) -> BuildReport | None:
    """The report of a build that would change nothing, or None when a build must run.

    `key`: posts_key(files) when the caller knows it; `problems`: the record's problems, already as Problems.
    """
    if saved is None or now.timestamp() >= saved.valid_until:
        return None
    if not still_holds(key=saved.posts_key, scan_started_ns=saved.scan_started_ns,
                       valid_until=saved.valid_until, outputs=saved.outputs, output=output, now=now.timestamp(),
                       files=files, files_key=key or posts_key(files)):
        return None
    return answered(saved, problems)


def answered(saved: Record, problems: Sequence[Problem] | None = None) -> BuildReport:
    """The report of a build answered from `saved` (`problems`: its problems already as Problems, if known)."""
    files_read, published, drafts, future, rejected, unchanged = saved.counts
    return BuildReport(files=files_read, published_count=published, drafts=drafts, future=future,
                       rejected=rejected, problems=problems if problems is not None else saved.reported(),
                       unchanged=unchanged,
                       next_due=datetime.fromtimestamp(saved.next_due, timezone.utc) if saved.next_due else None,
                       from_record=True)
