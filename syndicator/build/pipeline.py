"""load -> plan feeds -> render what changed -> atomic write. Returns a report; prints nothing.

Incremental: a feed file is rendered again only when the posts it lists (by content digest),
the config or the program version changed, and written only when its bytes differ.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .. import __version__
from .cache import Cache
from ..config import Config
from ..posts.content import render_body
from ..posts.loader import Problem, Progress, Scan, Stub, hydrate, scan
from ..model import Author, Body, Post
from ..render import FILENAMES, OPML_FILENAME, FeedSpec, render, render_opml
from .parallel import fork_map
from ..posts.slugs import unique_slugs

logger = logging.getLogger(__name__)
OPML = OPML_FILENAME


@dataclass
class BuildReport:
    """What a build did."""

    files: int = 0  # post files read
    published: list[Stub] = field(default_factory=list)  # newest first
    drafts: int = 0
    future: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # feed files whose bytes changed
    unchanged: int = 0
    removed: list[Path] = field(default_factory=list)
    next_due: datetime | None = None  # when the next future-dated post becomes due
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for benchmarks

    _scan: Scan | None = None

    @property
    def posts(self) -> list[Post]:
        """The published posts, newest first, with bodies (read on demand: this costs a load)."""
        if self._scan is None:
            return []
        try:
            return hydrate(self._scan.config, self._scan.posts(self.published))
        finally:
            if self._scan.cache is not None:
                self._scan.cache.close()

    @property
    def changed(self) -> list[Path]:
        """Feed files that are new, different or gone: what WebSub hubs should hear about."""
        return self.written + self.removed


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory, fsync, rename: readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def newest_first(stubs: list[Stub]) -> list[Stub]:
    """Feed order: newest publish time first, ties broken by id so the order is stable."""
    return sorted(stubs, key=lambda s: (-s.published, s.id))


def plan(config: Config, published: list[Stub]) -> list[tuple[FeedSpec, list[Stub]]]:
    """Every feed to write with its items (newest first, cut to the item count)."""
    site, opts, n = config.site, config.feeds, config.feeds.items
    plans = [(FeedSpec("site", "", site.title, ""), published[:n])]
    for enabled, kind, folder, label, names_of in (
        (opts.per_tag, "tag", "tags", "posts tagged", lambda p: p.tags),
        (opts.per_category, "category", "categories", "category", lambda p: p.categories),
    ):
        if not enabled:
            continue
        groups: dict[str, list[Stub]] = {}
        for post in published:
            for name in names_of(post):
                group = groups.setdefault(name, [])
                if len(group) < n:
                    group.append(post)
        slugs = unique_slugs(list(groups))
        for name in sorted(groups, key=lambda g: slugs[g]):
            plans.append((FeedSpec(kind, name, f"{site.title}: {label} “{name}”",
                                   f"{folder}/{slugs[name]}"), groups[name]))
    if opts.per_author:
        by_author: dict[str, tuple[Author, list[Stub]]] = {}
        for post in published:
            for author in post.authors:
                entry = by_author.setdefault(author.key, (author, []))
                if len(entry[1]) < n:
                    entry[1].append(post)
        slugs = unique_slugs(list(by_author))
        for key in sorted(by_author, key=lambda k: slugs[k]):
            author, items = by_author[key]
            plans.append((FeedSpec("author", key, f"{site.title}: {author.name}",
                                   f"authors/{slugs[key]}", author), items))
    return plans


def _inputs(config: Config, spec: FeedSpec, fmt: str, items: list[Stub]) -> str:
    h = hashlib.sha256(f"{__version__}\0{config.fingerprint}\0{fmt}\0{spec!r}".encode("utf-8", "surrogatepass"))
    for post in items:
        h.update(f"\0{post.source}\0{post.digest}".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


_WORK: dict[str, object] = {}  # what forked render workers read (see parallel.fork_map)


def _render_body_at(index: int) -> Body:
    return render_body(_WORK["posts"][index])  # type: ignore[index]


def _bodies(config: Config, cache: Cache | None, posts: list[Post]) -> dict[str, Body]:
    """Rendered bodies by digest: from the cache, else rendered now (Markdown only for these)."""
    wanted = {p.digest: p for p in posts}
    known = cache.bodies(wanted) if cache else {}
    missing = hydrate(config, [p for d, p in wanted.items() if d not in known])
    _WORK["posts"] = missing
    rendered = fork_map(_render_body_at, range(len(missing)), min_items=64, chunksize=8)
    fresh = {post.digest: body for post, body in zip(missing, rendered)}
    if cache is not None and fresh:
        cache.put_bodies(fresh)
    known.update(fresh)
    return known


def _render_feed_at(index: int) -> bytes:
    config, owner, full, bodies, todo = _WORK["feeds"]  # type: ignore[misc]
    _rel, _inputs, spec, fmt, items = todo[index]
    entries = [(full[s.source], bodies[full[s.source].digest]) for s in items if s.source in full]
    return render(fmt, config.site, config.feeds, spec, entries, owner=owner)


def build(config: Config, *, now: datetime, use_cache: bool = True, progress: Progress | None = None) -> BuildReport:
    """Regenerate the feeds for the posts published at `now`."""
    cache = Cache(config.state_dir / "cache.sqlite", config.fingerprint, config.authors) if use_cache else None
    enabled = gc.isenabled()
    gc.disable()  # a build makes many short-lived acyclic objects; the cyclic GC only slows it
    try:
        return _build(config, now, cache, progress)
    finally:
        if enabled:
            gc.enable()
        if cache is not None:
            cache.close()


def _build(config: Config, now: datetime, cache: Cache | None, progress: Progress | None) -> BuildReport:
    clock = time.perf_counter()
    found = scan(config, cache=cache, progress=progress)
    stubs, problems = found.index()
    scanned = time.perf_counter()
    report = BuildReport(files=found.files, problems=problems, _scan=found,
                         rejected=len({p.path for p in problems if p.severity == "error"}))
    cutoff = now.timestamp()
    published = []
    for stub in stubs:
        if stub.draft or (stub.expires is not None and stub.expires <= cutoff):
            report.drafts += 1  # an expired post is hidden like a draft
        elif stub.published > cutoff:
            report.future += 1
            due = datetime.fromtimestamp(stub.published, timezone.utc)
            report.next_due = min(report.next_due or due, due)
        else:
            published.append(stub)
            if stub.expires is not None:  # the feeds change again when it expires
                due = datetime.fromtimestamp(stub.expires, timezone.utc)
                report.next_due = min(report.next_due or due, due)
    report.published = newest_first(published)
    out = config.feeds.output
    owner = config.author(config.site.owner) if config.site.owner else None
    previous = cache.feed_inputs() if cache else {}
    todo: list[tuple[str, str, FeedSpec, str, list[Stub]]] = []
    expected: set[str] = {OPML}
    plans = plan(config, report.published)
    for spec, items in plans:
        for fmt in config.feeds.formats:
            rel = f"{spec.path}/{FILENAMES[fmt]}".lstrip("/")
            expected.add(rel)
            inputs = _inputs(config, spec, fmt, items)
            before = previous.get(rel)
            if before and before[0] == inputs and _size(out / rel) == before[1]:
                report.unchanged += 1
            else:
                todo.append((rel, inputs, spec, fmt, items))
    planned = time.perf_counter()
    needed = {s.source: s for *_, items in todo for s in items}
    full = {p.source: p for p in found.posts(list(needed.values()))}
    _WORK["feeds"] = (config, owner, full, _bodies(config, cache, list(full.values())), todo)
    bodied = time.perf_counter()
    outputs = [(out / rel, data) for (rel, *_), data in
               zip(todo, fork_map(_render_feed_at, range(len(todo)), min_items=48,
                                     # a feed's formats in one worker share its prepared entries
                                     chunksize=2 * len(config.feeds.formats)))]
    outputs.append((out / OPML, render_opml(config.site, config.feeds, [s for s, _ in plans])))
    _WORK.clear()
    rendered = time.perf_counter()
    # zip stops at the feeds: the OPML file, last in outputs, has no inputs hash
    done = {rel: (inputs, len(data)) for (rel, inputs, *_), (_path, data), ok
            in zip(todo, outputs, _write_all(outputs, report)) if ok}
    gone = _remove_stale(out, expected, report)
    if cache is not None:
        cache.put_feed_inputs(done, gone)
    report.timings = {"scan": scanned - clock, "plan": planned - scanned, "bodies": bodied - planned,
                      "render": rendered - bodied, "write": time.perf_counter() - rendered}
    return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _write_all(outputs: list[tuple[Path, bytes]], report: BuildReport) -> list[bool]:
    """Write each file whose bytes changed (threads: fsync waits on the disk, not the CPU).

    Returns, per file, whether it now holds its bytes; a failed write keeps the old file.
    """
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda item: _write_if_changed(*item), outputs))
    for (path, _data), outcome in zip(outputs, outcomes):
        if outcome == "unchanged":
            report.unchanged += 1
        elif outcome == "written":
            report.written.append(path)
        else:
            report.problems.append(Problem(str(path), 0, f"cannot write feed ({outcome}); the old file is kept"))
    return [outcome in ("unchanged", "written") for outcome in outcomes]


def _write_if_changed(path: Path, data: bytes) -> str:
    """ "unchanged", "written", or the reason the write failed."""
    try:
        if path.read_bytes() == data:
            return "unchanged"
    except OSError:
        pass
    try:
        atomic_write(path, data)
    except OSError as exc:
        return exc.strerror or str(exc)
    return "written"


def _remove_stale(out: Path, expected: set[str], report: BuildReport) -> list[str]:
    """Delete feed files no plan produced (a tag that disappeared), and their empty folders."""
    names = set(FILENAMES.values())
    gone = []
    for top in ("", "tags", "categories", "authors"):
        base = out / top
        if not base.is_dir():
            continue
        candidates = base.glob("*") if top == "" else base.glob("*/*")
        for path in sorted(candidates):
            rel = path.relative_to(out).as_posix()
            if path.is_file() and path.name in names and rel not in expected:
                path.unlink()
                report.removed.append(path)
                gone.append(rel)
        if top:
            for folder in sorted(base.iterdir()):
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
    return gone
