"""File-change notifications from the watcher thread, settled by a short window or the debounce."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

MAX_SETTLE = 5.0  # seconds: a change that never settles (a log written into posts/) still builds
# Seconds a *complete* change (a post file closed after writing, or renamed into place: inotify's
# IN_CLOSE_WRITE / IN_MOVED_TO) waits for the rest of its burst before the build. Long enough
# to gather one editor save (vim: rename to backup, write, close) into one build, short enough
# to keep save -> served well under 100 ms. Anything else (a write still in progress, a polling
# observer, which sees no close events) waits the configured [daemon] debounce as before.
SETTLE_WINDOW = 0.05


class Changes:
    """When posts and the config file last changed; notified from other threads, read by tick()."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._first: datetime | None = None
        self._last: datetime | None = None
        self._complete = False  # whether the last post change was a complete one
        self._config: datetime | None = None
        self._paths: set[str] | None = set()  # post files changed since the last take_paths() (None: unknown)

    def note(self, now: datetime, *, is_config: bool, complete: bool = False,
             paths: tuple[str, ...] | None = None) -> None:
        """Record a change under posts/ (or to the config file) at `now`.

        `complete`: the change finished a file (closed after writing, renamed into place), so
        the posts settle after SETTLE_WINDOW unless another change follows. `paths`: the post
        files it changed ("/"-separated, below the posts folder); None when not known.
        """
        with self._lock:
            if is_config:
                self._config = now
            else:
                self._first = self._first or now
                self._last = now
                self._complete = complete
                if paths is None or self._paths is None:
                    self._paths = None
                else:
                    self._paths.update(paths)

    def take_paths(self) -> set[str] | None:
        """The post files changed since the last call (None: not known, walk the folder), and start afresh."""
        with self._lock:
            paths, self._paths = self._paths, set()
        return paths

    def _wait(self, debounce: float) -> float:
        return min(SETTLE_WINDOW, debounce) if self._complete else debounce

    def posts_settled(self, now: datetime, debounce: float) -> bool:
        """Whether post changes have settled at `now`; forgets them when they have."""
        with self._lock:
            first, last = self._first, self._last
            settled = last is not None and (
                (now - last).total_seconds() >= self._wait(debounce)
                or (now - first).total_seconds() >= MAX_SETTLE
                or last > now)  # the wall clock went back: do not wait for it
            if settled:
                self._first = self._last = None
                self._complete = False
        return settled

    def config_settled(self, now: datetime, debounce: float) -> bool:
        """Whether a config file change has settled at `now`; forgets it when it has."""
        with self._lock:
            changed = self._config
            settled = changed is not None and (
                (now - changed).total_seconds() >= debounce or changed > now)
            if settled:
                self._config = None
        return settled

    def due(self, debounce: float) -> list[datetime]:
        """When the changes recorded so far will have settled."""
        times = []
        with self._lock:
            if self._last is not None:
                times.append(min(self._last + timedelta(seconds=self._wait(debounce)),
                                 self._first + timedelta(seconds=MAX_SETTLE)))
            if self._config is not None:
                times.append(self._config + timedelta(seconds=debounce))
        return times
