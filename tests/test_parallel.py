"""fork_map's own worker processes: every result once, errors raised here, nothing left running."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from syndicator.build.parallel import Sideline, WorkerFailed, fork_map

_CAN_FORK = (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def _slow_square(context: dict, item: int) -> tuple[int, int]:
    time.sleep(context["pause"] if item % 5 == 0 else 0)  # uneven work: results come out of order
    return item * item, os.getpid()


def _fails_at(context: int, item: int) -> int:
    if item == context:
        raise ValueError(f"item {item} is bad")
    return item


def _dies_at(context: int, item: int) -> int:
    if item == context:
        os.kill(os.getpid(), signal.SIGKILL)
    return item


def _children() -> set[int]:
    path = f"/proc/{os.getpid()}/task/{os.getpid()}/children"
    return set(map(int, open(path).read().split())) if os.path.exists(path) else set()


@pytest.mark.parametrize("chunksize", [1, 3])
def test_results_in_order_or_as_they_come_each_exactly_once(chunksize: int) -> None:
    items = list(range(40))
    ordered = list(fork_map(_slow_square, items, context={"pause": 0.01}, min_items=2, chunksize=chunksize))
    assert [r[0] for r in ordered] == [i * i for i in items]
    loose = list(fork_map(_slow_square, items, context={"pause": 0.01}, min_items=2, chunksize=chunksize,
                          ordered=False))
    assert sorted(r[0] for r in loose) == [i * i for i in items]
    if _CAN_FORK:
        assert os.getpid() not in {r[1] for r in ordered + loose}
    assert _children() == set()  # every worker waited for


def test_an_exception_in_a_worker_is_raised_here_and_the_workers_end() -> None:
    with pytest.raises(ValueError, match="item 7 is bad"):
        list(fork_map(_fails_at, list(range(30)), context=7, min_items=2))
    assert _children() == set()


@pytest.mark.skipif(not _CAN_FORK, reason="needs two cores and no other threads to fork workers")
def test_a_worker_killed_midway_is_an_error_not_a_hang() -> None:
    with pytest.raises(WorkerFailed):
        list(fork_map(_dies_at, list(range(30)), context=4, min_items=2))
    assert _children() == set()


def test_stopping_early_ends_the_workers() -> None:
    results = fork_map(_slow_square, list(range(50)), context={"pause": 0.01}, min_items=2)
    assert next(results)[0] == 0
    results.close()
    assert _children() == set()


def _log_pid(context: dict) -> None:
    with open(context["log"], "a", encoding="utf-8") as out:
        out.write(f"{os.getpid()}\n")


def _square(context: dict, item: int) -> int:
    return item * item


@pytest.mark.parametrize("min_items", [2, 10_000])
def test_finish_runs_once_in_each_worker_before_the_iteration_ends(tmp_path, min_items: int) -> None:
    log = tmp_path / "finished"
    context = {"log": log, "pause": 0}
    results = list(fork_map(_square, list(range(20)), context=context, min_items=min_items, finish=_log_pid))
    assert results == [i * i for i in range(20)]
    pids = log.read_text().split()
    if _CAN_FORK and min_items == 2:
        assert len(pids) == min(os.cpu_count() or 1, 20) == len(set(pids)) and str(os.getpid()) not in pids
    else:
        assert pids == [str(os.getpid())]  # the work ran here: finished here, once


def _fail(context: dict) -> None:
    raise OSError("disk full")


def test_a_failing_finish_is_logged_not_raised(caplog) -> None:
    assert list(fork_map(_square, [1, 2, 3], context={}, min_items=10_000, finish=_fail)) == [1, 4, 9]
    assert "finishing the work failed" in caplog.text


def test_a_sideline_does_its_pieces_in_one_other_thread_in_order_the_later_ones_once_released():
    done, released = [], threading.Event()

    def piece(name):
        def work():
            done.append((name, threading.get_ident(), released.is_set()))
            if name == "bad":
                raise OSError("disk full")
        return work

    bad = piece("bad")
    side = Sideline([piece("a"), bad, piece("b")], [piece("c"), piece("d")])
    side.thread.join(0.2)
    assert [name for name, _t, _r in done] == ["a", "bad", "b"]  # the later pieces wait
    released.set()
    side.release()
    assert side.wait() == [bad]
    assert [name for name, _t, _r in done] == ["a", "bad", "b", "c", "d"]
    assert len({t for _n, t, _r in done}) == 1 and done[0][1] != threading.get_ident()
    assert all(was for name, _t, was in done if name in "cd")

    done.clear()
    side = Sideline([piece("a")], [piece("c")])
    assert side.wait() == [] and [name for name, _t, _r in done] == ["a"]  # never released: skipped
