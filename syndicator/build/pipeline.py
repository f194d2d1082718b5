"""scan posts -> plan feeds -> bodies -> render what changed -> atomic write. Returns a report; prints nothing.

When the last build left its record and only a few post files changed, the plan comes from that
build's warm state (build/incremental.py) instead of a scan of every file; rendering and writing
are the same either way. Incremental: a feed file is rendered again only when the posts it lists (by content digest),
the config or the program version changed, and written only when its bytes differ. The build
cache is opened here and passed down; nothing else opens it.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Callable, Sequence

from ..config import Config
from ..posts.claims import Claim, Owners, incumbency, owners_of
from ..posts.loader import Problem, contested
from .blobs import Blobs
from .bodies import kept
from .cache import Cache
from .emit import Emitted, emit
from .history import feed_files_present, published_entries
from .manifest import Manifest
from .output import OutputDir
from .parallel import Sideline
from .plan import PUBLISHED, FeedFile, feed_files, groups, page_file, plans_of, split, stale, status
from .planned import Planned
from .report import BuildReport, HeldProblems
from .crew import Crew
from .scan import Parsing, Progress, Scan, scan, workshop
from .sqlite import checkpoint, checkpoint_file
from .unchanged import Record, posts_key, record
from .warm import Memory, Warm, reserve
from .write import known_files

logger = logging.getLogger(__name__)
WARM_ALONGSIDE = 20_000  # post files up to which the warm state is encoded while the posts render
_Discovered = tuple[dict[str, tuple[int, int]], list[Problem]]  # post files (size, mtime_ns), walk notes


def run(config: Config, now: datetime, cache: Cache | None, discovered: _Discovered, *,
        keep_posts: bool, progress: Progress | None, saved: Record | None = None, warm: Warm | None = None,
        started_ns: int = 0, files_key: tuple[str, int] | None = None,
        problems: list[Problem] | None = None, persist: bool = True,
        crew: Crew[Parsing] | None = None) -> BuildReport:
    """A build for build/entry.py: planned from `saved` (the last build's record) when only a few post
    files changed (build/incremental.py), else in full; then render and write what changed.
    `persist=False`: the caller keeps the record in memory; only its token is written. `crew`: the
    build's workers (from `forked_crew`, closed here), else made here."""
    manifest = _Opening(config)  # a full build opens it while its workers parse (see _Opening)
    enabled = gc.isenabled()
    gc.disable()  # a build makes many short-lived acyclic objects; the cyclic GC only slows it
    try:
        marks = [time.perf_counter()]
        previous = cache.feed_inputs() if cache else {}
        # one crew of workers for the scan and the rendering, forked (when needed) while the heap is small
        with crew if crew is not None else _workshop(config, now, cache, keep_posts=keep_posts) as crew:
            planned = None
            if saved is not None and cache is not None and not keep_posts:
                from .incremental import plan_changes

                planned = plan_changes(config, now, cache, saved, warm, discovered, started_ns=started_ns,
                                       problems=problems)
            if planned is None:
                planned = _plan_full(config, now, cache, manifest, discovered, previous, progress=progress,
                                     crew=crew)
            marks.append(time.perf_counter())
            return _build(config, cache, manifest.get(), planned, previous, discovered, marks, keep_posts=keep_posts,
                          token=f"{started_ns}-{os.getpid()}", files_key=files_key, persist=persist, crew=crew)
    finally:
        if enabled:
            gc.enable()
        manifest.close()


def _workshop(config: Config, now: datetime, cache: Cache | None, *, keep_posts: bool) -> Crew[Parsing]:
    """The build's crew, not started: its workers keep only the posts that may reach a feed (build/shortlist.py),
    unless the build reads every published post (a site that cross-posts)."""
    every_post = keep_posts or bool(config.crosspost.enabled())
    return workshop(config, cache, shortlist=None if every_post else (now, reserve(config.feeds.items)))


def forked_crew(config: Config, now: datetime, cache: Cache | None, *, keep_posts: bool) -> Crew[Parsing]:
    """The crew of a build that will parse every post file, forked now, before the posts folder is walked
    (build/entry.py): the workers never hold the walk (at 100,000 posts, pages of it the parent's scan
    copies as it touches them: 8-11 MB of the build's peak). Forked with the cyclic GC off, as `run` forks."""
    crew = _workshop(config, now, cache, keep_posts=keep_posts)
    enabled = gc.isenabled()
    gc.disable()  # the workers never collect: a collection would copy every page they share with this process
    try:
        crew.start()
    finally:
        if enabled:
            gc.enable()
    return crew


def _plan_full(config: Config, now: datetime, cache: Cache | None, opening: _Opening, discovered: _Discovered,
               previous: dict[str, tuple[str, str]], *, progress: Progress | None, crew: Crew[Parsing]) -> Planned:
    """Scan every post file (parsing the changed ones) with the build's crew, settle claims, split at
    `now`, group into feeds.

    The cache keeps only the parsed posts that may reach a feed (build/shortlist.py), unless the
    crew was made for every post (a site that cross-posts reads every published post on each pass)."""
    output = OutputDir(config.feeds.output)
    keep = reserve(config.feeds.items)
    found = scan(config, cache=cache, progress=progress, discovered=discovered, crew=crew, meanwhile=opening.get)
    manifest = opening.get()
    history = _history(config, found, manifest, output, known_files(manifest, previous))
    stubs, problems = found.index(incumbent=_published_at(now.timestamp(), history))
    posts = split(stubs, now)
    members = groups(config, posts.published, keep=keep)
    clean = len(stubs) == sum(1 for entry in found.entries.values() if entry[2] is not None)
    found = replace(found, entries={})  # planned: rendering takes full posts from the scan, never its entries
    return Planned(found=found, published=posts.published, published_count=len(posts.published),
                   drafts=posts.drafts, future=posts.future, next_due=posts.next_due, problems=problems,
                   notes=len(found.notes), groups=members,
                   warm=Warm.of(discovered[0], stubs, members, now=now, clean=clean),
                   owners=partial(_set_owners, owners_of(posts.published)),  # packed here, before any fork
                   scan_started_ns=cache.last_scan() if cache else 0)


def _build(config: Config, cache: Cache | None, manifest: Manifest, planned: Planned,
           previous: dict[str, tuple[str, str]], discovered: _Discovered, marks: list[float], *,
           keep_posts: bool, token: str, files_key: tuple[str, int] | None, persist: bool,
           crew: Crew[Parsing]) -> BuildReport:
    out = config.feeds.output
    output = OutputDir(out)
    known = known_files(manifest, previous)
    plans = plans_of(config, planned.groups)
    files = feed_files(config, plans) + [page_file(config, plans)]
    todo = stale(files, previous, out)
    marks.append(time.perf_counter())
    found, problems = planned.found, planned.problems
    # A full plan records every published post's claims (thousands of rows) alongside rendering, then
    # encodes its warm state (every file's row): alongside rendering too on a site of up to
    # WARM_ALONGSIDE files (once the last post is rendered, the build's end would wait for it with a
    # core idle), else once the workers are gone (its bytes would add to their peak); an incremental
    # one does both afterwards.
    state = _State(config, planned.warm, aside=persist and cache is not None and not planned.incremental)
    alongside = [] if planned.incremental else [partial(_record_owners, planned, manifest.path, out)]
    small = len(discovered[0]) <= WARM_ALONGSIDE
    done = emit(config, cache=cache, manifest=manifest, output=output, known=known, files=files, todo=todo,
                specs=[spec for spec, _ in plans], found=found, crew=crew,  # render and write, file by file
                alongside=alongside + (state.aside if small else []), afterwards=[] if small else state.aside)
    # the cache's log (the posts and bodies the workers stored) goes into its file while the record is made
    tidy = Sideline([partial(checkpoint_file, cache.path)]) if cache is not None and not planned.incremental else None
    try:
        return _report(config, cache, manifest, planned, previous, discovered, marks, done, files, todo, state,
                       keep_posts=keep_posts, token=token, files_key=files_key, persist=persist)
    finally:
        if tidy is not None:
            tidy.wait()


def _report(config: Config, cache: Cache | None, manifest: Manifest, planned: Planned,
            previous: dict[str, tuple[str, str]], discovered: _Discovered, marks: list[float], done: Emitted,
            files: list[FeedFile], todo: list[FeedFile], state: _State, *, keep_posts: bool, token: str,
            files_key: tuple[str, int] | None, persist: bool) -> BuildReport:
    """The build's report, and its record left in the cache when every file was written."""
    result, found, problems = done.written, planned.found, planned.problems
    if planned.incremental:  # a few rows, after the writes
        planned.owners(manifest)
    handed = kept(config, cache, found.posts(planned.published), done.bodies) if keep_posts else ([], done.bodies)
    report = BuildReport(
        files=len(discovered[0]), published=planned.published, published_count=planned.published_count,
        drafts=planned.drafts, future=planned.future,
        rejected=(planned.rejected if planned.rejected is not None else len(_error_paths(problems))) + done.left_out,
        problems=problems + done.problems, written=result.written, failed=result.failed,
        unchanged=len(files) - len(todo) + result.unchanged, removed=result.removed, next_due=planned.next_due,
        timings={**dict(zip(("scan", "plan"), _durations(marks))), **done.timings},
        posts=handed[0], bodies=handed[1], incremental=planned.incremental, read_again=planned.read_again)
    if cache is not None and not done.problems:  # every post rendered, every file written, none left behind
        memory = _leave_record(cache, report, planned, state, discovered[0], previous, result.signatures,
                               [f.rel for f in files] + [config.feeds.paths.site("opml")], token=token,
                               files_key=files_key, persist=persist)
        return replace(report, memory=memory)
    return report


def _leave_record(cache: Cache, report: BuildReport, planned: Planned, state: _State,
                  files: dict[str, tuple[int, int]], previous: dict[str, tuple[str, str]], written: dict[str, str],
                  expected: list[str], *, token: str, files_key: tuple[str, int] | None,
                  persist: bool) -> Memory | None:
    """Record a build that wrote every file it meant to, so that the next one can see nothing changed
    (and, from its warm state, plan only what changed); the record and state, decoded, for this process."""
    signatures = {rel: written.get(rel) or (previous.get(rel) or ("", ""))[1] for rel in expected}
    if not all(signatures.values()):
        return None
    key, newest = files_key or posts_key(files)
    warm = state.encoded() if persist else b""
    left = record(report, files=files, scan_started_ns=planned.scan_started_ns, outputs=signatures,
                  notes=planned.notes, warm=warm, key=key)
    cache.put_last_build(left.parts() if persist else None, token)
    return Memory(token, left, planned.warm, report.problems, newest)


class _Opening:
    """The build's manifest, opened when first wanted. Creating it waits on the disk (7-9 ms): a full
    build opens it while its workers parse (scan's `meanwhile`), when this process has nothing else to do."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.manifest: Manifest | None = None

    def get(self) -> Manifest:
        """The manifest, opened now unless it is already."""
        if self.manifest is None:
            self.manifest = Manifest(self.config.state_dir / "output.sqlite", self.config.feeds.output)
        return self.manifest

    def close(self) -> None:
        """Close it, if it was opened."""
        if self.manifest is not None:
            self.manifest.close()


class _State:
    """The warm state's bytes for the record (its pieces written beside it: build/blobs.py), encoded
    in a side thread (`aside`: see _build) when the build will keep its record in the cache, else
    when asked for."""

    def __init__(self, config: Config, warm: Warm, *, aside: bool) -> None:
        self.config, self.warm = config, warm
        self.data: bytes | None = None
        self.aside = [self.encode] if aside else []

    def encode(self) -> None:
        """Encode the state and write its new pieces."""
        self.data = self.warm.dumps(self.config.authors, Blobs(self.config.state_dir))

    def encoded(self) -> bytes:
        """The state's bytes, encoded now unless they were already."""
        if self.data is None:
            self.encode()
        return self.data  # type: ignore[return-value]


def _history(config: Config, found: Scan, manifest: Manifest, output: OutputDir,
             known: set[str]) -> Callable[[Claim], bool]:
    """Which post was published before, asked only when two files claim one id or address.

    The manifest's owners from the last build; with none (a fresh state folder), the entries
    in the feeds already written.
    """
    if not contested(found.entries):
        return lambda claim: False
    owners = manifest.owners()
    if owners:
        return incumbency(owners)
    fmt, paths = config.feeds.formats[0], config.feeds.paths
    name = paths.site(fmt).rpartition("/")[2]
    present = ({rel for rel in known if paths.format_of(rel) == fmt} | {paths.site(fmt)}
               | set(feed_files_present(output, name)))
    return incumbency({}, published_entries(output, present))


def _published_at(cutoff: float, history: Callable[[Claim], bool]) -> Callable[[Claim], bool]:
    """History speaks only for a post published at `cutoff`: the build records only those as owners, so a
    draft or scheduled post that kept a claim by history would lose it at the next build, nothing changed."""
    return lambda claim: history(claim) and status(claim, cutoff) == PUBLISHED  # type: ignore[arg-type]


def _set_owners(owned: Owners, manifest: Manifest) -> None:
    manifest.set_owners(owned)


def _record_owners(planned: Planned, path: Path, out: Path) -> None:
    """Record who owns each published id and address, through a connection of its own (another
    thread's), and copy the manifest's write-ahead log into it there, sparing the build's close."""
    manifest = Manifest(path, out)
    try:
        planned.owners(manifest)
        checkpoint(manifest.db)
    finally:
        manifest.close()


def _error_paths(problems: Sequence[Problem]) -> frozenset[str]:
    """The files with an error among `problems` (a full scan's: from its batches' tallies, none decoded)."""
    known = problems.error_paths() if isinstance(problems, HeldProblems) else None
    return known if known is not None else frozenset(p.path for p in problems if p.severity == "error")


def _durations(marks: list[float]) -> list[float]:
    return [b - a for a, b in zip(marks, marks[1:])]
