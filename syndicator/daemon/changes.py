"""File-change notifications from the watcher thread, settled by a short window or the debounce."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_SETTLE = 5.0  # seconds: a change that never settles (a log written into posts/) still builds
# Seconds the posts settle after a burst of changes in which every post file touched was left
# *complete* (closed after writing, or renamed into place: inotify's IN_CLOSE_WRITE /
# IN_MOVED_TO), waiting for the rest of the burst. Long enough to gather one editor save into
# one build (vim: rename to a backup, write, close, then set the file's mode; a rename into
# place may be followed by the old file's removal), short enough to keep save -> served under
# 100 ms. A file still being written (created or written to, deleted, moved away, not yet
# closed), a change to a folder and the polling observer's changes (it sees no close events
# and names no files) wait the configured [daemon] debounce as before.
SETTLE_WINDOW = 0.02


@dataclass(frozen=True)
class Taken:
    """The post changes a build is about to look at."""

    paths: set[str] | None  # the post files changed ("/"-separated, below the posts folder); None: not known, walk
    noticed: datetime | None  # when the first of them was noticed (None: no change was notified)


class Changes:
    """When posts and the config file last changed; notified from other threads, read by tick()."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._first: datetime | None = None
        self._last: datetime | None = None
        self._open: set[str] = set()  # post files whose last change left them incomplete (being written)
        self._unknown = False  # a change whose files are not known (a folder, polling) since the posts settled
        self._config: datetime | None = None
        self._paths: set[str] | None = set()  # post files changed since the last take() (None: unknown)
        self._noticed: datetime | None = None  # the first post change since the last take()

    def note(self, now: datetime, *, is_config: bool, complete: bool = False,
             paths: tuple[str, ...] | None = None, meta: bool = False) -> None:
        """Record a change under posts/ (or to the config file) at `now`.

        `paths`: the post files it changed ("/"-separated, below the posts folder); None when
        not known. `complete`: it finished them (closed after writing, renamed into place);
        `meta`: only their metadata changed (mode, owner), which neither starts nor finishes a
        write. The posts settle after SETTLE_WINDOW once no file is left incomplete, else after
        the debounce, counted from the last change either way.
        """
        with self._lock:
            if is_config:
                self._config = now
                return
            self._first = self._first or now
            self._noticed = self._noticed or now
            self._last = now
            if paths is None or self._paths is None:
                self._paths = None
            else:
                self._paths.update(paths)
            if paths is None:
                self._unknown = True
            elif complete:
                self._open.difference_update(paths)
            elif not meta:
                self._open.update(paths)

    def take(self) -> Taken:
        """The post changes since the last call (for the build about to run), and start afresh."""
        with self._lock:
            taken = Taken(self._paths, self._noticed)
            self._paths, self._noticed = set(), None
        return taken

    def _wait(self, debounce: float) -> float:
        return debounce if self._open or self._unknown else min(SETTLE_WINDOW, debounce)

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
                self._open.clear()
                self._unknown = False
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
