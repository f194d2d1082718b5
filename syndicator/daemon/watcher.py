"""Filesystem watching for the daemon: the posts directory (recursive) and the config file.

Uses the platform's notifications (inotify on Linux) through watchdog, and falls back to
watchdog's polling observer when notifications are unavailable (inotify watch limit reached,
network filesystems) or when asked to poll. The watcher only reports *that* something changed,
whether it was the config and, with notifications, which post files and whether the change
completed them (closed after writing or renamed into place) or only touched their metadata;
settling and rebuilding belong to the daemon.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable

from watchdog import events
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from ..build.restat import is_post_path

logger = logging.getLogger(__name__)


def _not_stop_noise(record: logging.LogRecord) -> bool:
    # watchdog logs this at ERROR when events arrive while an observer is being stopped (on a
    # config reload that moves the posts directory); nothing is wrong and nothing is lost.
    return "called when the thread is inactive" not in str(record.msg)


logging.getLogger("watchdog.observers.inotify").addFilter(_not_stop_noise)

POLL_INTERVAL = 0.5  # seconds between scans when polling

# Under inotify, only these events are asked for: not the opens and closes of every read (a full
# build reads every post), nor a folder's "modified" (each entry's own event comes anyway).
_NOTIFY_EVENTS = [events.FileCreatedEvent, events.FileModifiedEvent, events.FileClosedEvent,
                  events.FileMovedEvent, events.FileDeletedEvent, events.DirCreatedEvent,
                  events.DirMovedEvent, events.DirDeletedEvent] + \
    [getattr(events, "FileAttribEvent", events.FileModifiedEvent)]  # chmod, touch: watchdog 5+ tells them apart

OnChange = Callable[[bool, bool, tuple[str, ...] | None, bool], None]  # (is_config, complete, paths, meta)


class _Handler(FileSystemEventHandler):
    """Turns watchdog events into `on_change(is_config, complete, paths, meta)` calls.

    Only changes that can change the feeds are reported: post files (the files the walk would
    list: build/restat.py's is_post_path) and folders below the posts folder, and the config
    file; editor droppings (swap files, backups, temporaries) are not.
    `paths` (notifications only): the changed post files below the posts folder, so the build
    can look at those alone; None when that is not known (polling, a folder changed).
    `complete` (notifications only): they were closed after writing or renamed into place, so
    the change can settle quickly; `meta`: only their mode or times changed. Polling sees no
    close events: never complete.
    """

    def __init__(self, posts_dir: Path, config_path: Path, skip: tuple[Path, ...], on_change: OnChange, *,
                 notify: bool, exclude: tuple[str, ...] = ()) -> None:
        self.posts_dir = str(posts_dir)
        self.config_path = str(config_path)
        self.skip = tuple(str(p) for p in skip)
        self.on_change = on_change
        self.notify = notify
        self.exclude = tuple(folder + "/" for folder in exclude)

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind in ("opened", "closed_no_write") or (event.is_directory and kind == "modified"):
            return  # reads change nothing; each entry of a folder reports its own change
        paths = [os.fsdecode(event.src_path)]
        if getattr(event, "dest_path", ""):
            paths.append(os.fsdecode(event.dest_path))
        if self.config_path in paths:
            self.on_change(True, False, None, False)
        elif event.is_directory or not self.notify:
            if any(self._below(p, folder=event.is_directory) is not None for p in paths):
                self.on_change(False, False, None, False)
        elif kind == "moved":
            src, dest = (self._below(p, folder=False) for p in paths)
            if dest is not None:  # renamed into place; the source, if a post, is gone for good
                self.on_change(False, True, (src, dest) if src is not None else (dest,), False)
            elif src is not None:  # moved away (vim's backup): a new file may be on its way
                self.on_change(False, False, (src,), False)
        elif (rel := self._below(paths[0], folder=False)) is not None:
            self.on_change(False, kind == "closed", (rel,), kind == "attrib")

    def _below(self, path: str, *, folder: bool) -> str | None:
        """A post file's (or a folder's) path below the posts folder, "/"-separated; None when it is
        not one the walk would look at (outside, in our output or state folder, in a [posts] exclude
        folder, hidden, not a post)."""
        root = self.posts_dir.rstrip(os.sep)
        if path != root and not path.startswith(root + os.sep):
            return None
        if any(path == s or path.startswith(s.rstrip(os.sep) + os.sep) for s in self.skip):
            return None
        rel = path[len(root) + 1:].replace(os.sep, "/")
        if (rel + "/").startswith(self.exclude):  # [posts] exclude: the walk leaves these folders out
            return None
        if folder:
            return rel if not rel or all(p and p[0] != "." and not p.endswith("~") for p in rel.split("/")) else None
        return rel if is_post_path(rel) else None


class Watcher:
    """Watches `posts_dir` recursively and `config_path`; calls on_change(is_config, complete, paths, meta) per change.

    `on_change` runs on the observer's thread, so it must only record the event and wake the
    daemon, never build.
    """

    def __init__(self, posts_dir: Path, config_path: Path, on_change: OnChange, *,
                 poll: bool = False, skip: tuple[Path, ...] = (), exclude: tuple[str, ...] = ()) -> None:
        self.posts_dir = Path(posts_dir)
        self.config_path = Path(config_path)
        self.on_change = on_change
        self.poll = poll
        self.skip = skip
        self.exclude = exclude  # [posts] exclude: folders below posts_dir, "/"-separated
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
        notify = not isinstance(observer, PollingObserver)
        handler = _Handler(self.posts_dir, self.config_path, self.skip, self.on_change, notify=notify,
                           exclude=self.exclude)
        wanted = _NOTIFY_EVENTS if notify else None
        if self.posts_dir.is_dir():
            observer.schedule(handler, str(self.posts_dir), recursive=True, event_filter=wanted)
        else:
            logger.warning("posts directory %s does not exist; watching for it to appear",
                           self.posts_dir)
        # The config's directory, not the file: editors replace the file by renaming over it,
        # which would orphan a watch on the file itself. Same directory as posts only when the
        # posts live beside config.toml, which the recursive watch above already covers.
        config_dir = self.config_path.parent
        if config_dir != self.posts_dir:
            observer.schedule(handler, str(config_dir), recursive=False, event_filter=wanted)
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
