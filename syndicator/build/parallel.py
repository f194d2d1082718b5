"""Spread CPU-bound work over the machine's cores with forked worker processes, and run waiting
work aside in a thread.

`fork_map(func, items, context=ctx)` yields `func(ctx, item)` for each item, through a crew of
its own (build/crew.py, which a build keeps for its scan and its rendering). The context (the
config, the posts to render) reaches each worker by fork, never pickled; only the items go to
the workers and only results come back, one message each, over a pipe per worker. Each worker
holds two tasks, so it never waits for the next one. (multiprocessing.Pool did the same with
three threads in the parent, which cost the parent about 5% of a core for as long as the
workers ran: a third of its work on a cold build.)

Where fork is unavailable, or the work is too small to pay for starting workers, the same
function runs here with the same context. Forking while other threads run can copy a lock that
one of them holds (logging's, an HTTP connection pool's) into a child that then waits on it
forever, so in a threaded process (the daemon with its server and watcher) the work also runs
here: there it is an incremental rebuild of a few posts.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import partial
from typing import Callable, Iterator, Sequence, TypeVar

from .crew import Crew, WorkerFailed, portable  # noqa: F401  (re-exported: the build's callers catch it here)

logger = logging.getLogger(__name__)
C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")


def fork_map(func: Callable[[C, T], R], items: Sequence[T], *, context: C, min_items: int,
             chunksize: int = 1, progress: Callable[[int, int], None] | None = None,
             ordered: bool = True, finish: Callable[[C], None] | None = None) -> Iterator[R]:
    """Yield func(context, item) for each item, in worker processes when there are at least min_items.

    A crew of its own (build/crew.py) for one map: a worker takes `chunksize` items per message.
    `ordered=False` yields results as they come. An exception raised by func in a worker is
    raised here. `finish(context)` runs in each worker after its last task (here, after the last
    item, when the work runs here), and the iteration ends only after it ran; what it raises is
    logged, not raised: its work must be optional (a cache write, say).
    """
    size = max(chunksize, 1)
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    done = 0
    with Crew(context, jobs=min(os.cpu_count() or 1, len(items))) as crew:
        if len(items) >= min_items:
            crew.start()
        for results in crew.map(partial(_each, func), chunks, ordered=ordered, finish=finish):
            for result in results:
                done += 1
                if progress and (done % 256 == 0 or done == len(items)):
                    progress(done, len(items))
                yield result


def _each(func: Callable[[C, T], R], context: C, chunk: Sequence[T]) -> list[R]:
    return [func(context, item) for item in chunk]


class Sideline:
    """Pieces of independent work done one after another in one thread of this process while it goes
    on: `now` at once, `later` once `release()` is called. For work that mostly waits (a database's
    commit reaching the disk) or that need not hold up the build. A thread, not a forked child: a
    child forked from a build's grown heap copied (on write) tens of MiB of it. One thread, so the
    pieces never take the interpreter lock from each other (a piece that writes rows one at a time
    hands it over at each row: two such threads took several times their own time). Start it only
    once no more processes will be forked (see the module's docstring). `wait()` returns the pieces
    that failed (for the caller to do itself); `later` pieces never released are skipped.
    """

    def __init__(self, now: Sequence[Callable[[], None]], later: Sequence[Callable[[], None]] = ()) -> None:
        self.now, self.later = list(now), list(later)
        self.failed: list[Callable[[], None]] = []
        self.gate, self.go = threading.Event(), False
        self.thread = threading.Thread(target=self._run, name="sideline", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for work in self.now:
            self._do(work)
        self.gate.wait()
        for work in self.later if self.go else ():
            self._do(work)

    def _do(self, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception:  # noqa: BLE001 - reported by wait()
            logger.debug("work aside failed", exc_info=True)
            self.failed.append(work)

    def release(self) -> None:
        """Let the `later` pieces start (after the `now` ones)."""
        self.go = True
        self.gate.set()

    def wait(self) -> list[Callable[[], None]]:
        """Wait for the pieces to end (skipping `later` ones not released); those that failed."""
        self.gate.set()
        self.thread.join()
        return self.failed
