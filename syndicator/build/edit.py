"""A build after a few post files changed that changes no feed file: the cache and the record, nothing rendered.

Most edits touch a post no feed shows (an old post, a draft, a future one): every feed lists the
same posts with the same digests as before (build/incremental.py's Change.feeds_unchanged), so
every feed file, the index page and the OPML list would be rendered to the bytes they have. This
build then only stores the changed files' entries in the build cache, updates who owns their ids
and addresses, and leaves a new record with its warm state; it imports neither the render stack
nor the cold pipeline. `plan_edit` reads the changed files and writes nothing: when it answers
None, build/pipeline.py runs (it plans from the same warm state when it can), and `syndicator
build`'s quick path (build/quick_edit.py) leaves the command to run in full. Only then does the
caller forget the record (build/entry.py), and `finish_edit` writes the new one last, so a build
killed half-way vouches for nothing.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from datetime import datetime
from typing import Sequence

from ..config import Config
from ..posts.problem import Problem
from .cache import Cache
from .blobs import Blobs
from .incremental import Change, changes, next_due, owners, problems_after, problems_unchanged, save_parsed
from .manifest import Manifest
from .signature import current_signature
from .report import BuildReport
from .unchanged import Record, posts_key, record
from .warm import Memory, Warm


def plan_edit(config: Config, now: datetime, saved: Record, files: dict[str, tuple[int, int]], *,
              warm: Warm | None = None) -> Change | None:
    """The change the post files changed since `saved` (the last build's record) make, when it alters no
    feed file; else None. Reads the changed files and nothing else; writes nothing, so a caller that
    gets None may still run the pipeline from the same record. `warm`: that build's warm state, if held."""
    change = changes(config, now, saved, warm or Warm.loads(saved.warm, config.authors, Blobs(config.state_dir)), files,
                     unshown=True)
    if change is None or not change.feeds_unchanged(config.feeds.items) or not _outputs_intact(config, saved):
        return None
    return change


def finish_edit(config: Config, cache: Cache, saved: Record, change: Change, notes: list[Problem], *,
                started_ns: int, files_key: tuple[str, int] | None = None, problems: list[Problem] | None = None,
                persist: bool = True) -> BuildReport:
    """Finish a build of `change` (from plan_edit): the changed files' entries in the cache, their owners
    in the manifest, and the new record left last; the report.

    `notes`: the walk's; `problems`: the record's problems as Problems, when the caller holds them (the
    daemon); `files_key`: posts_key of the files, if known. `persist=False`: the record stays in
    memory (report.memory) and only its token is written, as build/pipeline.py does.
    """
    start = time.perf_counter()
    save_parsed(config, cache, change, started_ns=started_ns)
    manifest = Manifest(config.state_dir / "output.sqlite", config.feeds.output)
    try:
        owners(manifest, change)
    finally:
        manifest.close()
    same = problems_unchanged(config, saved, problems, change, notes)  # the usual edit: the record's problems hold
    if same:
        report = _report(change, saved, problems if problems is not None else _recorded(saved), saved.counts[4],
                         seconds=time.perf_counter() - start)
    else:
        kept, rejected = problems_after(config, saved, problems, change)
        report = _report(change, saved, notes + kept, rejected, seconds=time.perf_counter() - start)
    return _leave_record(config, cache, report, change, saved, notes=len(notes), started_ns=started_ns,
                         files_key=files_key, persist=persist, same_problems=same)


def _outputs_intact(config: Config, saved: Record) -> bool:
    """Whether every file the record vouches for is still the one written (else the pipeline writes it again)."""
    root = os.fspath(config.feeds.output)
    return all(current_signature(os.path.join(root, rel)) == signature for rel, signature in saved.outputs)


def _recorded(saved: Record) -> Sequence[Problem]:
    """The record's problems, as a report carries them (decoded only if read: RecordedProblems)."""
    return saved.reported()


def _report(change: Change, saved: Record, problems: Sequence[Problem], rejected: int, *,
            seconds: float) -> BuildReport:
    tally = change.rows.tally
    return BuildReport(files=len(change.files), published=change.fresh, published_count=tally.published,
                       drafts=tally.drafts, future=tally.future, rejected=rejected, problems=problems,
                       unchanged=saved.counts[5], next_due=next_due(change.rows), timings={"plan": seconds},
                       incremental=True, read_again=tuple(change.changed))


def _leave_record(config: Config, cache: Cache, report: BuildReport, change: Change, saved: Record, *, notes: int,
                  started_ns: int, files_key: tuple[str, int] | None, persist: bool,
                  same_problems: bool) -> BuildReport:
    """Record the build (the same output files as the last one's), so that the next can start from it;
    `same_problems`: the record's problems are the report's (kept as they are, not encoded again)."""
    token = f"{started_ns}-{os.getpid()}"
    key, newest = files_key or posts_key(change.files)
    warm = change.warm()
    data = warm.dumps(config.authors, Blobs(config.state_dir)) if persist else b""
    if same_problems:
        due = report.next_due.timestamp() if report.next_due else None
        left = replace(saved, posts_key=key, scan_started_ns=started_ns,
                       valid_until=due if due is not None else float("inf"), next_due=due, warm=data,
                       counts=(report.files, report.published_count, report.drafts, report.future, report.rejected,
                               report.unchanged))
    else:
        left = record(report, files=change.files, scan_started_ns=started_ns, outputs=dict(saved.outputs),
                      notes=notes, warm=data, key=key)
    cache.put_last_build(left.parts() if persist else None, token)
    return replace(report, memory=Memory(token, left, warm, report.problems, newest))
