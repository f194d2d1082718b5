"""The worker thread that runs cross-posting passes and WebSub pings, and the job guard."""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Callable

from ..errors import SyndicatorError

logger = logging.getLogger(__package__)  # the daemon's lines keep the name `syndicator.daemon`


class Worker:
    """One background thread running named jobs in order; a job already queued is not queued twice.

    With threaded=False jobs run at once in the caller's thread (for tests and --once).
    """

    def __init__(self, *, threaded: bool = True) -> None:
        self.threaded = threaded
        self._queue: queue.Queue[tuple[str, Callable[[], None]] | None] = queue.Queue()
        self._queued: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.running: str | None = None

    def submit(self, name: str, job: Callable[[], None]) -> None:
        """Run `job` soon, unless a job of the same name is already waiting."""
        if not self.threaded:
            guarded(name, job)
            return
        with self._lock:
            if name in self._queued:
                return
            self._queued.add(name)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="syndicator-worker", daemon=True)
            self._thread.start()
        self._queue.put((name, job))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            name, job = item
            with self._lock:
                self._queued.discard(name)
            self.running = name
            guarded(name, job)
            self.running = None

    def close(self, timeout: float) -> bool:
        """Stop after the job in flight; True if it finished within `timeout` seconds."""
        if self._thread is None:
            return True
        with self._lock:  # drop waiting jobs: no new work after a stop
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queued.clear()
        self._queue.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()


def guarded(name: str, job: Callable[[], Any]) -> bool:
    """Run one job; log any exception (traceback for the unexpected) and report success."""
    try:
        job()
        return True
    except Exception as exc:
        log_failure(name, exc)
        return False


def log_failure(name: str, exc: BaseException) -> None:
    """Expected errors get their message (traceback at debug); anything else its traceback."""
    if isinstance(exc, SyndicatorError):
        logger.error("%s failed: %s", name, exc)
        logger.debug("%s traceback", name, exc_info=exc)
    else:
        logger.error("%s failed with an unexpected error: %r", name, exc, exc_info=exc)
