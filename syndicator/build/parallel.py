"""Spread CPU-bound work over the machine's cores with forked worker processes.

Workers are forked, so they inherit the caller's module state (config, parsed posts) and only
small work items and results cross the process boundary. Where fork is unavailable, or the
work is too small to pay for starting workers, everything runs in this process.

Forking while other threads run can copy a lock that one of them holds (logging's, an HTTP
connection pool's) into a child that then waits on it forever, so in a threaded process (the
daemon with its server and watcher) the work also runs here: there it is an incremental
rebuild of a few posts.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def fork_map(func: Callable[[T], R], items: Sequence[T], *, min_items: int, chunksize: int = 16,
             progress: Callable[[int, int], None] | None = None, ordered: bool = True) -> Iterator[R]:
    """Yield func(item) for each item, in worker processes when there are at least min_items."""
    jobs = os.cpu_count() or 1
    total = len(items)
    results: Iterable[R]
    if (jobs > 1 and total >= min_items and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods()):
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            mapper = pool.imap if ordered else pool.imap_unordered
            yield from _counted(mapper(func, items, chunksize=chunksize), total, progress)
        return
    yield from _counted(map(func, items), total, progress)


def _counted(results: Iterable[R], total: int, progress: Callable[[int, int], None] | None) -> Iterator[R]:
    for n, result in enumerate(results, 1):
        if progress and (n % 256 == 0 or n == total):
            progress(n, total)
        yield result
