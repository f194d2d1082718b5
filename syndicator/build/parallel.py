"""Spread CPU-bound work over the machine's cores with forked worker processes.

`fork_map(func, items, context=ctx)` yields `func(ctx, item)` for each item. The context (the
config, the posts to render) is handed to each worker once, when the worker is forked (the
Pool initializer's arguments are inherited, never pickled); only the small items and the
results cross the process boundary. Where fork is unavailable, or the work is too small to pay
for starting workers, the same function runs here with the same context.

Forking while other threads run can copy a lock that one of them holds (logging's, an HTTP
connection pool's) into a child that then waits on it forever, so in a threaded process (the
daemon with its server and watcher) the work also runs here: there it is an incremental
rebuild of a few posts.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import threading
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

# Set once in each forked worker by _start_worker (the parent never reads or writes it): the
# task function with its context bound. It lives only as long as the worker process does.
_IN_WORKER: dict[str, Callable[[Any], Any]] = {}


def fork_map(func: Callable[[C, T], R], items: Sequence[T], *, context: C, min_items: int,
             chunksize: int = 16, progress: Callable[[int, int], None] | None = None,
             ordered: bool = True) -> Iterator[R]:
    """Yield func(context, item) for each item, in worker processes when there are at least min_items."""
    jobs = os.cpu_count() or 1
    total = len(items)
    if (jobs > 1 and total >= min_items and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods()):
        pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_start_worker,
                                                        initargs=(func, context))
        with pool:
            mapper = pool.imap if ordered else pool.imap_unordered
            yield from _counted(mapper(_run_in_worker, items, chunksize=chunksize), total, progress)
        return
    yield from _counted(map(functools.partial(func, context), items), total, progress)


def _start_worker(func: Callable[[Any, Any], Any], context: Any) -> None:
    """Pool initializer, run once in each new worker: bind the task to its context."""
    _IN_WORKER["task"] = functools.partial(func, context)


def _run_in_worker(item: Any) -> Any:
    return _IN_WORKER["task"](item)


def _counted(results: Iterable[R], total: int, progress: Callable[[int, int], None] | None) -> Iterator[R]:
    for n, result in enumerate(results, 1):
        if progress and (n % 256 == 0 or n == total):
            progress(n, total)
        yield result
