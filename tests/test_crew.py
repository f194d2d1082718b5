"""A build's crew (build/crew.py): the same worker processes serve one map after another, keep
their own state between maps, run `finish` before the next map starts, survive a failing task,
and fail (with no process left behind) when a worker dies; where it cannot fork, all runs here."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.build.crew import Crew, WorkerFailed

_CAN_FORK = (os.cpu_count() or 1) > 1 and threading.active_count() == 1
needs_fork = pytest.mark.skipif(not _CAN_FORK, reason="needs two cores and no other threads to fork workers")


def _children() -> set[int]:
    path = f"/proc/{os.getpid()}/task/{os.getpid()}/children"
    return set(map(int, open(path).read().split())) if os.path.exists(path) else set()


def _remember(context: dict, item: int) -> tuple[int, int]:
    context.setdefault("seen", []).append(item)
    time.sleep(0.002 if item % 3 == 0 else 0)  # uneven work: results come out of order
    return item, os.getpid()


def _recall(context: dict, item: int) -> tuple[int, list[int], bool]:
    return os.getpid(), list(context.get("seen", [])), bool(context.get("finished"))


def _finish_slowly(context: dict) -> None:
    time.sleep(0.2)
    context["finished"] = True
    with open(context["log"], "a", encoding="utf-8") as out:
        out.write(f"{os.getpid()}\n")


def _fails_at(context: dict, item: int) -> int:
    if item == 7:
        raise ValueError(f"item {item} is bad")
    time.sleep(0.001)
    return item


def _dies_at(context: dict, item: int) -> int:
    if item == 4:
        os.kill(os.getpid(), signal.SIGKILL)
    return item


@needs_fork
def test_the_same_workers_serve_the_next_map_with_what_they_kept(tmp_path):
    context = {"log": tmp_path / "finished"}
    with Crew(context) as crew:
        assert crew.start()
        first = list(crew.map(_remember, list(range(40)), ordered=False, finish=_finish_slowly))
        second = list(crew.map(_recall, list(range(8))))
    assert sorted(item for item, _pid in first) == list(range(40))
    did: dict[int, list[int]] = {}
    for item, pid in first:
        did.setdefault(pid, []).append(item)
    assert os.getpid() not in did and "seen" not in context  # nothing ran here
    for pid, seen, finished in second:
        assert sorted(seen) == sorted(did[pid])  # a worker of the first map, with what it kept
        assert finished  # the next map started only after that worker's finish
    assert sorted(map(int, (tmp_path / "finished").read_text().split())) == sorted(did)  # once per worker
    assert _children() == set()


@needs_fork
def test_a_failing_task_is_raised_here_and_the_crew_serves_the_next_map_correctly():
    with Crew({}) as crew:
        crew.start()
        with pytest.raises(ValueError, match="item 7 is bad"):
            list(crew.map(_fails_at, list(range(30))))
        assert list(crew.map(_fails_at, [1, 2, 3, 4, 5, 6])) == [1, 2, 3, 4, 5, 6]  # no stale answers
        stopped = crew.map(_fails_at, list(range(20)))
        assert next(stopped) == 0
        stopped.close()  # abandoned midway
        assert list(crew.map(_fails_at, [9, 10])) == [9, 10]
    assert _children() == set()


@needs_fork
def test_a_killed_worker_fails_the_crew_and_leaves_no_process_behind():
    with Crew({}) as crew:
        crew.start()
        with pytest.raises(WorkerFailed):
            list(crew.map(_dies_at, list(range(30))))
        assert _children() == set()
        with pytest.raises(WorkerFailed):
            list(crew.map(_fails_at, [1]))
        assert not crew.start()  # a broken crew does no more work


def test_a_crew_that_may_not_fork_does_the_work_here(tmp_path):
    context = {"log": tmp_path / "finished"}
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # another thread: forking is not safe
    other.start()
    try:
        with Crew(context) as crew:
            assert not crew.start() and not crew.forked
            results = list(crew.map(_remember, list(range(5)), finish=_finish_slowly))
    finally:
        stop.set()
        other.join()
    assert results == [(i, os.getpid()) for i in range(5)]
    assert context["seen"] == [0, 1, 2, 3, 4] and context["finished"]
    assert (tmp_path / "finished").read_text().split() == [str(os.getpid())]


def _square(context: dict, item: int) -> int:
    return item * item


@needs_fork
@settings(max_examples=15, deadline=None)
@given(maps=st.lists(st.tuples(st.lists(st.integers(-50, 50), max_size=30), st.booleans()), min_size=1, max_size=4))
def test_every_map_yields_each_result_once(maps):
    with Crew({}) as crew:
        crew.start()
        for items, ordered in maps:
            results = list(crew.map(_square, items, ordered=ordered))
            expected = [i * i for i in items]
            assert results == expected if ordered else sorted(results) == sorted(expected)
    assert _children() == set()
