"""Spread CPU-bound work over the machine's cores with forked worker processes.

`fork_map(func, items, context=ctx)` yields `func(ctx, items[i])` for each item. The context (the
config, the posts to render) reaches each worker by fork, never pickled; only item indexes go
to the workers and only results come back, one message each, over a pipe per worker. Each
worker holds two tasks, so it never waits for the next one. (multiprocessing.Pool did the same
with three threads in the parent, which cost the parent about 5% of a core for as long as the
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
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any, Callable, Iterator, Sequence, TypeVar

logger = logging.getLogger(__name__)
C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

_AHEAD = 2  # tasks sent to a worker before its first result comes back


class WorkerFailed(RuntimeError):
    """A worker process died (killed, out of memory) before it answered."""


def fork_map(func: Callable[[C, T], R], items: Sequence[T], *, context: C, min_items: int,
             chunksize: int = 1, progress: Callable[[int, int], None] | None = None,
             ordered: bool = True, finish: Callable[[C], None] | None = None) -> Iterator[R]:
    """Yield func(context, item) for each item, in worker processes when there are at least min_items.

    A worker takes `chunksize` items per message. `ordered=False` yields results as they
    come. An exception raised by func in a worker is raised here. `finish(context)` runs in
    each worker after its last task (here, after the last item, when the work runs here), and
    the iteration ends only after it ran; what it raises is logged, not raised: its work must be
    optional (a cache write, say).
    """
    jobs = min(os.cpu_count() or 1, len(items))
    if jobs > 1 and len(items) >= min_items and threading.active_count() == 1 and hasattr(os, "fork"):
        results: Iterator[R] = _forked(func, items, context, jobs, max(chunksize, 1), ordered, finish)
    else:
        results = _here(func, items, context, finish)
    for n, result in enumerate(results, 1):
        if progress and (n % 256 == 0 or n == len(items)):
            progress(n, len(items))
        yield result


def _here(func: Callable[[C, T], R], items: Sequence[T], context: C,
          finish: Callable[[C], None] | None) -> Iterator[R]:
    for item in items:
        yield func(context, item)
    _finish(finish, context)


def _finish(finish: Callable[[Any], None] | None, context: Any) -> None:
    if finish is None:
        return
    try:
        finish(context)
    except Exception:  # noqa: BLE001 - optional work (see fork_map)
        logger.warning("finishing the work failed", exc_info=True)


def _forked(func: Callable[[C, T], R], items: Sequence[T], context: C, jobs: int, size: int,
            ordered: bool, finish: Callable[[C], None] | None) -> Iterator[R]:
    workers: dict[Connection, int] = {}  # connection -> process id
    try:
        for _ in range(jobs):
            mine, theirs = Pipe()
            pid = os.fork()
            if pid == 0:  # the worker: it never returns from here
                mine.close()
                _serve(func, items, context, size, theirs, finish)
            theirs.close()
            workers[mine] = pid
        for chunk in _dispatch(range(0, len(items), size), workers, ordered):
            yield from chunk
    finally:
        for conn, pid in workers.items():
            try:
                conn.send(None)  # done: exit
            except OSError:
                pass
            conn.close()
            os.waitpid(pid, 0)


def _dispatch(tasks: range, workers: dict[Connection, int], ordered: bool) -> Iterator[Any]:
    """Hand out tasks (the first item of each chunk), each worker _AHEAD at a time, and yield their results."""
    queue = iter(tasks)
    held = dict.fromkeys(workers, 0)  # tasks each worker holds
    waiting: dict[int, Any] = {}  # results that came early (ordered)
    following = 0
    for conn in workers:
        for index in _take(queue, _AHEAD):
            _send(conn, index, workers)
            held[conn] += 1
    while following < len(tasks):
        for conn in wait([c for c, n in held.items() if n]):
            try:
                index, failure, result = conn.recv()
            except (EOFError, OSError):  # the pipe closed or reset: the worker is gone
                raise WorkerFailed(f"worker process {workers[conn]} ended without answering") from None
            held[conn] -= 1
            for more in _take(queue, 1):
                _send(conn, more, workers)
                held[conn] += 1
            if failure is not None:
                raise failure
            if not ordered:
                following += 1
                yield result
                continue
            waiting[tasks.index(index)] = result
            while following in waiting:
                yield waiting.pop(following)
                following += 1


def _send(conn: Connection, index: int, workers: dict[Connection, int]) -> None:
    try:
        conn.send(index)
    except OSError:  # a broken pipe: the worker is gone
        raise WorkerFailed(f"worker process {workers[conn]} ended without answering") from None


def _take(queue: Iterator[int], n: int) -> list[int]:
    return [index for _, index in zip(range(n), queue)]


def _serve(func: Callable[[Any, Any], Any], items: Sequence[Any], context: Any, size: int,
           conn: Connection, finish: Callable[[Any], None] | None) -> None:
    """A worker's life: answer each chunk's first index with (index, exception or None, results), until told to stop."""
    code = 0
    try:
        while (index := conn.recv()) is not None:
            try:
                conn.send((index, None, [func(context, item) for item in items[index:index + size]]))
            except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it
                conn.send((index, portable(exc), None))
        _finish(finish, context)
    except BaseException:  # the parent went away, or Ctrl-C: just stop
        code = 1
    finally:
        os._exit(code)  # never the parent's atexit handlers or buffered output


class Background:
    """`work()` run in a forked child process while this one goes on; `wait()` reaps it.

    Where forking is unavailable or other threads run (see the module's docstring), the work is
    done here, at once. For independent work whose outcome only matters as done or not done.
    """

    def __init__(self, work: Callable[[], None]) -> None:
        self.pid: int | None = None
        if (os.cpu_count() or 1) > 1 and threading.active_count() == 1 and hasattr(os, "fork"):
            pid = os.fork()
            if pid == 0:  # the child: it never returns from here
                code = 0
                try:
                    work()
                except BaseException:  # noqa: BLE001 - reported by the exit status
                    logger.debug("background work failed", exc_info=True)
                    code = 1
                finally:
                    os._exit(code)
            self.pid = pid
        else:
            work()

    def wait(self) -> bool:
        """Wait for the work to end; whether it was done (False: it failed, or the child was killed)."""
        if self.pid is None:
            return True
        _pid, status = os.waitpid(self.pid, 0)
        self.pid = None
        return os.waitstatus_to_exitcode(status) == 0


def portable(exc: Exception) -> Exception:
    """The exception itself if it survives pickling, else a RuntimeError with its text."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")
