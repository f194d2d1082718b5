"""Worker processes forked once and given one stage's work after another.

A cold build runs its scan and then its rendering on every core. Forking workers per stage cost
twice over: the render workers were forked after the scan had grown the parent's heap, so each
copied (on write) 22-27 MiB of it as it allocated, and each started again from nothing. A crew
is forked before the scan, while the parent is small; the scan's tasks and then the rendering's
go to the same workers, as values over each worker's pipe. The crew's context reaches each
worker by fork, never pickled; what a worker keeps from one stage for the next (the posts it
parsed that may reach a feed) lives in that context, in the worker's own memory.

`start()` forks only where it is safe (see parallel.py: more than one core, fork available, no
other thread running); a crew that never started runs every task here, with the same context.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from typing import Any, Callable, Generic, Iterator, Sequence, TypeVar

from .channel import Channel, channel_pair, ready

logger = logging.getLogger(__name__)
C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

_AHEAD = 2  # tasks sent to a worker before its first result comes back
_FINISHED = -1  # the answer to a finish message


class WorkerFailed(RuntimeError):
    """A worker process died (killed, out of memory) before it answered."""


def portable(exc: Exception) -> Exception:
    """The exception itself if it survives pickling, else a RuntimeError with its text."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")


class Crew(Generic[C]):
    """Up to one worker process per core, all inheriting `context`; `map` hands them tasks."""

    def __init__(self, context: C, *, jobs: int | None = None) -> None:
        self.context = context
        self.jobs = jobs if jobs is not None else os.cpu_count() or 1
        self.workers: dict[Channel, int] = {}  # each worker's end of its pipes -> its process id
        self.owed: dict[Channel, int] = {}  # answers each worker still owes (a finish, or an abandoned map's)
        self.broken = False  # a worker died: the crew does no more work
        self.leaving: list[int] = []  # workers told to stop (dismiss), not waited for yet

    @property
    def forked(self) -> bool:
        """Whether workers are running (tasks go to them, not here)."""
        return bool(self.workers)

    def start(self) -> bool:
        """Fork the workers now (once), where that is safe; whether they run."""
        if self.workers or self.broken or self.leaving:  # a dismissed crew forks no more
            return bool(self.workers)
        if self.jobs < 2 or threading.active_count() != 1 or not hasattr(os, "fork"):
            return False
        for _ in range(self.jobs):
            mine, theirs = channel_pair()
            pid = os.fork()
            if pid == 0:  # the worker: it never returns from here
                mine.close()
                for other in self.workers:
                    other.close()
                _serve(self.context, theirs)
            theirs.close()
            self.workers[mine] = pid
            self.owed[mine] = 0
        return True

    def map(self, func: Callable[[C, T], R], tasks: Sequence[T], *, ordered: bool = True,
            finish: Callable[[C], Any] | None = None, idle: Callable[[C], bool] | None = None,
            homes: Sequence[int | None] | None = None) -> Iterator[R]:
        """Yield func(context, task) for each task, in the workers when they run, else here.

        Tasks and results cross the pipes pickled (`func` by name: a module-level function).
        `ordered=False` yields results as they come. An exception raised by func in a worker is
        raised here; a worker that dies raises WorkerFailed, and the crew does no more work.
        `homes[i]`: the worker (by number, 0 to jobs - 1) meant to run task i (the one holding
        what it needs), None for any; a worker out of tasks of its own takes any task left (another's
        last first), so none idles while work is left.
        `finish(context)` runs in each worker after its last task of this map (its failure is
        logged, not raised: it must be optional work, such as a cache write); the next map waits
        for it (`settle` returns what it returned, by worker), this one does not. Where the work
        runs here, it runs after the last task. `idle(context)`: then called by each worker again
        and again while no message is waiting for it, until it returns False: optional work done
        ahead of the next map, in time the worker would wait (never here).
        """
        if self.broken:
            raise WorkerFailed("a worker process of this build died earlier")
        if not self.workers:
            yield from (func(self.context, task) for task in tasks)
            _finish(finish, self.context)
            return
        self.settle()
        yield from self._dispatch(func, tasks, ordered, finish, idle, homes)

    def settle(self) -> dict[int, Any]:
        """Wait for (and drop) the answers earlier maps left owing (finish messages, tasks of a map not
        run to its end); what each worker's finish returned, by worker number."""
        finished = {}
        for number, (conn, owed) in enumerate(self.owed.items()):
            for _ in range(owed):
                index, _failure, result = self._receive(conn)
                if index == _FINISHED:
                    finished[number] = result
            self.owed[conn] = 0
        return finished

    def dismiss(self) -> None:
        """Tell the workers to stop (a worker busy with a task ends after it) without waiting for them
        to exit: their memory goes as they end, while the build goes on; `close` reaps them. Later
        maps run here."""
        for conn, pid in self.workers.items():
            try:
                conn.send(None)
            except OSError:
                pass
            conn.close()
            self.leaving.append(pid)
        self.workers, self.owed = {}, {}

    def close(self) -> None:
        """Tell the workers to stop and wait for them (a worker busy with a task ends after it)."""
        self.dismiss()
        for pid in self.leaving:
            os.waitpid(pid, 0)
        self.leaving = []

    def __enter__(self) -> Crew[C]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _dispatch(self, func: Callable[[C, T], R], tasks: Sequence[T], ordered: bool,
                  finish: Callable[[C], Any] | None, idle: Callable[[C], bool] | None,
                  homes: Sequence[int | None] | None) -> Iterator[R]:
        queue = _Queue(len(self.workers), len(tasks), homes)
        held = dict.fromkeys(self.workers, 0)  # tasks of this map each worker holds
        waiting: dict[int, R] = {}  # results that came early (ordered)
        following = 0
        numbers = {conn: number for number, conn in enumerate(self.workers)}

        def feed(conn: Channel) -> None:
            index = queue.take(numbers[conn])
            if index is not None:
                self._send(conn, ("task", func, index, tasks[index]))
                held[conn] += 1
                self.owed[conn] += 1
                return
            if finish is not None and conn not in finished:  # no task left for it: its finish, once
                self._send(conn, ("finish", finish, _FINISHED, idle))
                self.owed[conn] += 1
                finished.add(conn)

        finished: set[Channel] = set()
        for conn in self.workers:
            for _ in range(_AHEAD):
                feed(conn)
        while following < len(tasks):
            for conn in ready([c for c, n in held.items() if n]):
                index, failure, result = self._receive(conn)
                held[conn] -= 1
                self.owed[conn] -= 1
                feed(conn)
                if failure is not None:
                    raise failure
                if not ordered:
                    following += 1
                    yield result
                    continue
                waiting[index] = result
                while following in waiting:
                    yield waiting.pop(following)
                    following += 1

    def _send(self, conn: Channel, message: Any) -> None:
        try:
            conn.send(message)
        except OSError:  # a broken pipe: the worker is gone
            self._failed(conn)

    def _receive(self, conn: Channel) -> tuple[int, Exception | None, Any]:
        try:
            return conn.recv()
        except (EOFError, OSError):  # the pipe closed or reset: the worker is gone
            self._failed(conn)
            raise  # unreachable: _failed raises

    def _failed(self, conn: Channel) -> None:
        pid = self.workers[conn]
        self.broken = True
        self.close()
        raise WorkerFailed(f"worker process {pid} ended without answering") from None


class _Queue:
    """One map's tasks not sent yet: each worker's own (by `homes`), then those of any worker."""

    def __init__(self, workers: int, count: int, homes: Sequence[int | None] | None) -> None:
        self.own: list[deque[int]] = [deque() for _ in range(workers)]
        self.any: deque[int] = deque()
        for index in range(count):
            home = homes[index] if homes is not None else None
            (self.own[home] if home is not None and 0 <= home < workers else self.any).append(index)

    def take(self, number: int) -> int | None:
        """The next task for worker `number`: its own, else anyone's, else the last of the longest other queue."""
        if self.own[number]:
            return self.own[number].popleft()
        if self.any:
            return self.any.popleft()
        other = max(self.own, key=len)
        return other.pop() if other else None


def _finish(finish: Callable[[Any], Any] | None, context: Any) -> Any:
    if finish is None:
        return None
    try:
        return finish(context)
    except Exception:  # noqa: BLE001 - optional work (see Crew.map)
        logger.warning("finishing the work failed", exc_info=True)
        return None


def _idle(idle: Callable[[Any], bool], context: Any, conn: Channel) -> None:
    """Optional work while no message waits (see Crew.map); its failure ends it, quietly."""
    try:
        while not conn.poll() and idle(context):
            pass
    except Exception:  # noqa: BLE001 - optional work
        logger.debug("work while idle failed", exc_info=True)


def _serve(context: Any, conn: Channel) -> None:
    """A worker's life: answer each message with (index, exception or None, result), until told to stop."""
    code = 0
    try:
        while (message := conn.recv()) is not None:
            kind, func, index, task = message
            if kind == "finish":
                conn.send((index, None, _finish(func, context)))
                if task is not None:  # the map's idle work, until the next message
                    _idle(task, context, conn)
                continue
            try:
                conn.send((index, None, func(context, task)))
            except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it
                conn.send((index, portable(exc), None))
    except BaseException:  # the parent went away, or Ctrl-C: just stop
        code = 1
    finally:
        os._exit(code)  # never the parent's atexit handlers or buffered output
