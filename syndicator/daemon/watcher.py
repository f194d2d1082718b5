"""Filesystem watching for the daemon: the posts directory (recursive) and the config file.

Uses the platform's notifications (inotify on Linux) through watchdog, and falls back to
watchdog's polling observer when notifications are unavailable (inotify watch limit reached,
network filesystems) or when asked to poll. The watcher only reports *that* something changed,
whether it was the config, whether the change completed a file (closed after writing or
renamed into place) and, with notifications, which files; settling and rebuilding belong to the daemon.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

logger = logging.getLogger(__name__)


def _not_stop_noise(record: logging.LogRecord) -> bool:
    # watchdog logs this at ERROR when events arrive while an observer is being stopped (on a
    # config reload that moves the posts directory); nothing is wrong and nothing is lost.
    return "called when the thread is inactive" not in str(record.msg)


logging.getLogger("watchdog.observers.inotify").addFilter(_not_stop_noise)

POLL_INTERVAL = 0.5  # seconds between scans when polling

# Editor droppings that never hold a post: vim swap files, emacs lock/backup files, our own
# atomic-write temporaries. A save-as-temp-and-rename still shows up as a move whose
# destination is the real file, which is not ignored.
_IGNORED_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", ".part")


def ignored(path: str) -> bool:
    """Whether a changed path is editor or tool noise that cannot change the feeds."""
    name = os.path.basename(path)
    return (not name or name.startswith((".", "#")) or name.endswith(_IGNORED_SUFFIXES)
            or name == "4913")  # vim's probe file for "can I write here?"


class _Handler(FileSystemEventHandler):
    """Turns watchdog events into `on_change(is_config, complete, paths)` calls.

    `complete` (notifications only): a post file was closed after writing or renamed into
    place, so the change can settle quickly. Polling sees no close events: never complete.
    `paths` (notifications only): the changed files below the posts folder, so the build can
    look at those alone; None when that is not known (polling, a folder changed).
    """

    def __init__(self, posts_dir: Path, config_path: Path, skip: tuple[Path, ...],
                 on_change: Callable[[bool, bool, tuple[str, ...] | None], None], *, notify: bool) -> None:
        self.posts_dir = str(posts_dir)
        self.config_path = str(config_path)
        self.skip = tuple(str(p) for p in skip)
        self.on_change = on_change
        self.notify = notify

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reads (our own build reading posts) change nothing
        if self.notify and event.is_directory and event.event_type == "modified":
            return  # inotify reports each entry's own event too (an ignored temp file's included)
        paths = [os.fsdecode(event.src_path)]
        if getattr(event, "dest_path", ""):
            paths.append(os.fsdecode(event.dest_path))
        if self.config_path in paths:
            self.on_change(True, False, None)
            return
        wanted = [p for p in paths if self._wanted(p, event.is_directory)]
        if wanted:
            moved_in = event.event_type == "moved" and paths[-1] in wanted and len(paths) == 2
            complete = self.notify and not event.is_directory and (event.event_type == "closed" or moved_in)
            self.on_change(False, complete, self._relative(wanted) if self.notify and not event.is_directory else None)

    def _relative(self, paths: list[str]) -> tuple[str, ...] | None:
        """The changed files below the posts folder, "/"-separated (None: one is not below it)."""
        root = self.posts_dir.rstrip(os.sep) + os.sep
        if not all(p.startswith(root) for p in paths):
            return None
        return tuple(p[len(root):].replace(os.sep, "/") for p in paths)

    def _wanted(self, path: str, is_directory: bool) -> bool:
        return (self._inside(path, self.posts_dir) and not any(self._inside(path, s) for s in self.skip)
                and (is_directory or not ignored(path)))

    @staticmethod
    def _inside(path: str, root: str) -> bool:
        return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class Watcher:
    """Watches `posts_dir` recursively and `config_path`; calls on_change(is_config, complete, paths) per event.

    `on_change` runs on the observer's thread, so it must only record the event and wake the
    daemon, never build.
    """

    def __init__(self, posts_dir: Path, config_path: Path,
                 on_change: Callable[[bool, bool, tuple[str, ...] | None], None], *,
                 poll: bool = False, skip: tuple[Path, ...] = ()) -> None:
        self.posts_dir = Path(posts_dir)
        self.config_path = Path(config_path)
        self.on_change = on_change
        self.poll = poll
        self.skip = skip
        self.mode = "none"
        self._observer: Observer | PollingObserver | None = None

    def start(self) -> None:
        """Start watching; falls back to polling when notifications cannot be set up."""
        if not self.poll:
            try:
                self._observer = self._start(Observer())
                self.mode = "notify"
                return
            except OSError as exc:  # e.g. ENOSPC: inotify watch limit reached
                logger.warning("filesystem notifications unavailable (%s); polling every %.1fs",
                               exc, POLL_INTERVAL)
        self._observer = self._start(PollingObserver(timeout=POLL_INTERVAL))
        self.mode = "poll"

    def _start(self, observer: Observer | PollingObserver) -> Observer | PollingObserver:
        handler = _Handler(self.posts_dir, self.config_path, self.skip, self.on_change,
                           notify=not isinstance(observer, PollingObserver))
        if self.posts_dir.is_dir():
            observer.schedule(handler, str(self.posts_dir), recursive=True)
        else:
            logger.warning("posts directory %s does not exist; watching for it to appear",
                           self.posts_dir)
        # The config's directory, not the file: editors replace the file by renaming over it,
        # which would orphan a watch on the file itself. Same directory as posts only when the
        # posts live beside config.toml, which the recursive watch above already covers.
        config_dir = self.config_path.parent
        if config_dir != self.posts_dir:
            observer.schedule(handler, str(config_dir), recursive=False)
        observer.daemon = True
        try:
            observer.start()
        except Exception:
            try:
                observer.stop()
            except Exception:
                pass
            raise
        return observer

    def stop(self) -> None:
        """Stop the observer thread (waits briefly for it)."""
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            observer.join(timeout=2)
