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


def _number(context: dict, item: int) -> tuple[int, int]:
    time.sleep(0.001)
    return item, os.getpid()


def _finish_with_pid(context: dict) -> int:
    return os.getpid()


def _count_while_idle(context: dict) -> bool:
    """Idle work: count up (in the worker's own context) until 50, slowly."""
    context["idle"] = context.get("idle", 0) + 1
    time.sleep(0.001)
    return context["idle"] < 50


def _idle_count(context: dict, item: int) -> tuple[int, int]:
    return os.getpid(), context.get("idle", 0)


def _idle_fails(context: dict) -> bool:
    raise OSError("no room")


@needs_fork
def test_settle_names_each_workers_finish_and_homes_send_tasks_to_their_worker():
    with Crew({}, jobs=2) as crew:
        assert crew.start()
        list(crew.map(_number, list(range(6)), finish=_finish_with_pid))
        pids = crew.settle()
        assert sorted(pids) == [0, 1] and pids[0] != pids[1] and set(pids.values()) == set(crew.workers.values())
        # every task of worker 0, one task of worker 1: 1's is run by 1, and 1 helps with 0's once it is free
        homes = [0] * 30 + [1]
        results = list(crew.map(_number, list(range(31)), homes=homes))
    assert [item for item, _pid in results] == list(range(31))
    by_pid = {pid: [item for item, p in results if p == pid] for pid in pids.values()}
    assert 30 in by_pid[pids[1]]  # its own task
    assert by_pid[pids[0]][:5] == [0, 1, 2, 3, 4]  # worker 0 starts with its own tasks, in order
    stolen = [item for item in by_pid[pids[1]] if item != 30]
    assert stolen and stolen == list(range(30 - len(stolen), 30))  # taken from the end of worker 0's tasks
    assert _children() == set()


@needs_fork
def test_idle_work_runs_after_the_finish_until_the_next_message():
    with Crew({}, jobs=2) as crew:
        assert crew.start()
        list(crew.map(_number, list(range(4)), finish=_finish_with_pid, idle=_count_while_idle))
        time.sleep(0.5)  # nothing for the workers to do: each counts to 50, then waits
        counts = list(crew.map(_idle_count, list(range(8))))
        assert {count for _pid, count in counts} == {50}
        list(crew.map(_number, list(range(4)), finish=_finish_with_pid, idle=_count_while_idle))
        counts = list(crew.map(_idle_count, list(range(8))))  # at once: the idle work is cut short
        assert all(50 <= count < 100 for _pid, count in counts)
        list(crew.map(_number, list(range(4)), finish=_finish_with_pid, idle=_idle_fails))
        assert sorted(item for item, _pid in crew.map(_number, list(range(5)))) == list(range(5))  # a failure is quiet
    assert _children() == set()


def test_idle_work_is_not_done_here():
    context: dict = {}
    crew = Crew(context, jobs=1)
    assert not crew.start()
    assert list(crew.map(_number, [1, 2], finish=_finish_with_pid, idle=_count_while_idle)) == [
        (1, os.getpid()), (2, os.getpid())]
    assert "idle" not in context and crew.settle() == {}


@needs_fork
def test_a_dismissed_crew_ends_its_workers_without_waiting_and_forks_no_more():
    with Crew({}, jobs=2) as crew:
        assert crew.start()
        pids = set(crew.workers.values())
        assert sorted(i for i, _pid in crew.map(_number, list(range(6)))) == list(range(6))
        crew.dismiss()
        assert not crew.forked and crew.leaving and not crew.start()
        assert list(crew.map(_number, [7])) == [(7, os.getpid())]  # here now
        for _ in range(200):  # they end by themselves (not reaped yet: zombies at most)
            if all(open(f"/proc/{pid}/stat").read().split()[2] == "Z" for pid in pids):
                break
            time.sleep(0.01)
        assert all(open(f"/proc/{pid}/stat").read().split()[2] == "Z" for pid in pids)
    assert _children() == set()


@needs_fork
@settings(max_examples=15, deadline=None)
@given(maps=st.lists(st.tuples(st.lists(st.tuples(st.integers(-50, 50), st.sampled_from([None, 0, 1, 5])),
                                        max_size=30), st.booleans()), min_size=1, max_size=3))
def test_every_map_with_homes_yields_each_result_once(maps):
    with Crew({}, jobs=2) as crew:
        crew.start()
        for pairs, ordered in maps:
            items = [item for item, _home in pairs]
            results = list(crew.map(_square, items, ordered=ordered, homes=[home for _item, home in pairs]))
            expected = [i * i for i in items]
            assert results == expected if ordered else sorted(results) == sorted(expected)
    assert _children() == set()
