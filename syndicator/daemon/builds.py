"""The build trigger: run a build, remember what it published, log what changed, say what is new."""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Callable

from ..build.incremental import published_after
from ..build.report import BuildReport
from ..config import Config
from ..posts.loader import Stub
from .worker import log_failure

logger = logging.getLogger(__package__)  # the daemon's lines keep the name `syndicator.daemon`

BuildFn = Callable[..., BuildReport]  # build(config, *, now, keep_posts, brief) -> BuildReport


@dataclass(frozen=True)
class Took:
    """How long a build took, and what it was for: the build log line's last part."""

    seconds: float
    waited: float | None  # seconds from the first change being noticed to the build's start
    changed: set[str] | None  # the post files notified (None: the folder was walked, as a first build does)

    def __str__(self) -> str:
        what = "walked the posts folder" if self.changed is None else f"{len(self.changed)} changed files notified"
        if self.waited is not None:
            what += f", the first {self.waited * 1000:.0f} ms before the build"
        return f"{self.seconds * 1000:.0f} ms; {what}"


@dataclass(frozen=True)
class BuildNews:
    """What one successful build means for the daemon: posts new since the last build, changed files."""

    new_posts: tuple[Stub, ...]
    changed: tuple[Path, ...]
    first: bool  # the first build since start: it baselines, nothing in it is "new"
    next_due: datetime | None  # when the next scheduled post becomes due


class Builds:
    """Runs builds and keeps what the last good one published, for health and cross-posting."""

    def __init__(self, build: BuildFn) -> None:
        self._build = build
        self.report: BuildReport | None = None
        self.count = 0
        self.last: datetime | None = None
        self.last_error: str | None = None
        self._known_ids: set[str] | None = None
        self.problems: set[str] = set()
        self._problem_list: list = []  # the last report's problems, as reported
        self._problem_counts: Counter[str] = Counter()  # each problem text, and how many problems have it
        self.posts_kept = False  # whether the last report carries the published posts
        self.memory: object = None  # what the last good build left for the next (build/warm.py's Memory)

    @property
    def published(self) -> list[Stub]:
        """The last good build's published posts, newest first."""
        return list(self.report.published) if self.report else []

    def run(self, config: Config, now: datetime, *, keep_posts: bool = False,
            changed: set[str] | None = None, waited: float | None = None) -> BuildNews | None:
        """Build at `now`; the news, or None when the build failed (logged, error kept for health).

        After a good build, the next starts from what that one left in memory (build/warm.py's
        Memory): with nothing changed it answers from the record without reading a post (the
        published posts are the last report's); with a few post files changed it plans only
        those (build/incremental.py). `changed`: the post files the watcher saw change since
        the last build (None: unknown, so the build walks the posts folder). `waited`: seconds from
        the first of those changes being noticed to this build's start (logged with the build's time).
        """
        last = self.report
        started = time.perf_counter()
        try:
            report = self._build(config, now=now, keep_posts=keep_posts, brief=last is not None and not keep_posts,
                                 memory=self.memory if last is not None else None, changed=changed)
            if last is not None and report.incremental:
                report = replace(report, published=published_after(last.published, report))
            if (report.from_record or report.incremental) and last is not None and \
                    report.published_count != len(report.published if report.incremental else last.published):
                # Another process (`syndicator build`) built other posts since: read them.
                report = self._build(config, now=now, keep_posts=keep_posts, brief=False)
        except Exception as exc:
            log_failure("build", exc)
            self.last_error = str(exc) or type(exc).__name__
            self.memory = None  # the changes it was told of are not built: the next build walks
            return None
        if report.from_record and last is not None:
            report = replace(report, published=last.published)
        due_before = self.report.next_due if self.report else None
        self.report, self.count, self.posts_kept, self.memory = report, self.count + 1, keep_posts, report.memory
        self.last, self.last_error = now, None
        took = Took(time.perf_counter() - started, waited, changed if last is not None else None)
        self._log(report, news=due_before != report.next_due, took=took)
        first = self._known_ids is None
        if report.from_record and not first:
            new: tuple[Stub, ...] = ()  # nothing was read: nothing is new
        else:
            ids = {p.id for p in report.published}
            new = tuple(p for p in report.published if p.id not in (self._known_ids or ids))
            self._known_ids = ids
        for post in new:
            logger.info("published %s (%s)", post.source, post.url)
        return BuildNews(new_posts=new, changed=tuple(report.changed), first=first, next_due=report.next_due)

    def _problem_changes(self, current: list) -> tuple[set[str], set[str]]:
        """The problem texts that appeared and those that went since the last report.

        A build planned from memory hands on the very same Problem objects for the files it did not
        read again, so only the objects that are not the last report's are put into words (the last
        list is kept alive meanwhile, so an id is never one of a freed object).
        """
        before = self._problem_list
        if current is before:
            return set(), set()
        kept_ids, now_ids = {id(p) for p in before}, {id(p) for p in current}
        counts = self._problem_counts
        added, gone = set(), set()
        for text in (str(p) for p in before if id(p) not in now_ids):
            counts[text] -= 1
            if not counts[text]:
                del counts[text]
                gone.add(text)
        for text in (str(p) for p in current if id(p) not in kept_ids):
            counts[text] += 1
            if counts[text] == 1:
                added.add(text)
        self._problem_list = current
        self.problems = set(counts) if added or gone else self.problems
        return added - gone, gone - added

    def _log(self, report: BuildReport, *, news: bool, took: Took) -> None:
        added, fixed = self._problem_changes(report.problems)
        news = news or bool(added or fixed)
        for problem in sorted(added):
            logger.warning("post problem: %s", problem)
        for problem in sorted(fixed):
            logger.info("fixed: %s", problem)
        problems = self.problems
        quiet = not (report.written or report.removed or news or self.count == 1)
        due = f", next scheduled post at {report.next_due.isoformat()}" if report.next_due else ""
        logger.log(logging.DEBUG if quiet else logging.INFO,
                   "build: %d published posts, %d feed files written, %d removed, %d unchanged, %d problems%s (%s)",
                   len(report.published), len(report.written), len(report.removed), report.unchanged,
                   len(problems), due, took)
