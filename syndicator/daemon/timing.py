"""Scheduling: when the next build is due (at once, a scheduled post, the rescan, a retry) and how long to sleep."""

from __future__ import annotations

from datetime import datetime, timedelta

from .changes import Changes

RESCAN_EVERY = timedelta(minutes=5)  # safety net for missed notifications; a no-op build is cheap
RETRY_BUILD = timedelta(seconds=30)  # after a failed build (disk full, unreadable dir)
MAX_SLEEP = 30.0  # wake at least this often, so wall-clock jumps are noticed


class Timers:
    """When builds are due, and the settling of file changes the watcher reported."""

    def __init__(self, now: datetime) -> None:
        self.changes = Changes()
        self.build_at: datetime | None = now  # build at once on start
        self.next_due: datetime | None = None  # the next scheduled post
        self.next_rescan = now + RESCAN_EVERY

    def build_due(self, now: datetime, *, debounce: float) -> bool:
        """Whether a build is due at `now`: settled post changes, or one of the build times passed."""
        settled = self.changes.posts_settled(now, debounce)
        due = [t for t in (self.build_at, self.next_due, self.next_rescan) if t is not None]
        return settled or any(t <= now for t in due)

    def rescan_due(self, now: datetime) -> bool:
        """Whether the periodic rescan (a walk of the posts folder, whatever notifications said) is due."""
        return self.next_rescan <= now

    def building(self, now: datetime) -> None:
        """A build starts at `now`: nothing else is owed until the next rescan."""
        self.build_at = None
        self.next_rescan = now + RESCAN_EVERY

    def built(self, next_due: datetime | None, *, again: datetime | None = None) -> None:
        """A build succeeded; `next_due` is when its next scheduled post becomes due, `again` when
        to build once more whatever happens (see racy.py)."""
        self.next_due = next_due
        if again is not None:
            self.build_at = again if self.build_at is None else min(self.build_at, again)

    def failed(self, now: datetime) -> None:
        """A build failed at `now`: try again after RETRY_BUILD."""
        self.build_at = now + RETRY_BUILD

    def sleep_for(self, now: datetime, *, debounce: float, also: list[datetime | None],
                  idle: float | None) -> float:
        """Seconds until something may be due: a build time, a change settling, `also`, `idle` seconds."""
        times = [t for t in (self.build_at, self.next_due, self.next_rescan, *also) if t is not None]
        times += self.changes.due(debounce)
        wait = min([(t - now).total_seconds() for t in times] + [MAX_SLEEP])
        if idle is not None:
            wait = min(wait, idle)
        return max(wait, 0.01)
