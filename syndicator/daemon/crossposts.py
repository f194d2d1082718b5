"""The cross-post trigger: when a pass is wanted or due, and one pass over the last build's posts."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any, Callable

from ..build.report import BuildReport
from ..config import Config
from ..crosspost.report import CrosspostReport
from ..model import Body, Post
from . import jobs

logger = logging.getLogger(__package__)  # the daemon's lines keep the name `syndicator.daemon`

MIN_CROSSPOST_GAP = timedelta(seconds=2)  # between a pass and a follow-up for a due delivery
CrosspostFn = Callable[..., "CrosspostReport | None"]  # crosspost.run(config, posts, *, now, session, ...)
NextDeliveryFn = Callable[[Config], "datetime | None"]


class Crossposts:
    """Whether a pass is wanted, when the ledger next has a delivery due, and running one pass."""

    def __init__(self, crosspost: CrosspostFn, next_delivery: NextDeliveryFn, *,
                 clock: Callable[[], datetime], stopping: threading.Event) -> None:
        self._crosspost, self._next_delivery = crosspost, next_delivery
        self._clock, self._stopping = clock, stopping
        self.wanted: str | None = None  # the reason a pass was asked for
        self.due_at: datetime | None = None  # a delivery waiting for min_age or a retry
        self.last: datetime | None = None
        self.needs_attention = False  # the last pass paused an endpoint, failed or left unknowns
        self._posts: list[Post] = []
        self._bodies: dict[str, Body] = {}

    def request(self, reason: str) -> None:
        """Ask for a pass (from any thread); the next tick starts it."""
        self.wanted = reason

    def due(self, now: datetime) -> str | None:
        """The reason for a pass at `now`, if one is wanted or a delivery has come due."""
        if self.due_at is not None and self.due_at <= now:
            self.due_at = None
            self.wanted = self.wanted or "a delivery is due"
        return self.wanted

    def take(self, report: BuildReport) -> str | None:
        """Hand the pass the build's published posts and bodies; the reason, now no longer wanted."""
        self._posts, self._bodies = list(report.posts), dict(report.bodies)
        reason, self.wanted = self.wanted, None
        return reason

    def run(self, config: Config, reason: str, *, session: Any) -> None:
        """One pass (on the worker thread), then note when the ledger next has a delivery due."""
        if self._stopping.is_set() or not jobs.enabled_endpoints(config):
            return
        now = self._clock()
        logger.info("crosspost: pass started (%s)", reason)
        report = self._crosspost(config, self._posts, now=now, session=session, sleep=self._stopping.wait,
                                 stop=self._stopping, bodies=self._bodies)
        self.last = now
        self.needs_attention = isinstance(report, CrosspostReport) and not report.ok()
        logger.info("crosspost: pass finished: %s", jobs.summary(report))
        # Deliveries held back by min_age or a backoff: come back when they are due rather than
        # at the next interval. Only future times, so a paused endpoint's old rows cannot make
        # the daemon spin.
        due = self._next_delivery(config)
        if due is not None and due > now:
            self.due_at = max(due, self._clock() + MIN_CROSSPOST_GAP)
            logger.debug("crosspost: next delivery due at %s", due.isoformat())
