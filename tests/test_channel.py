"""build/channel.py: the pipes between a build and its workers carry pickled messages whole and in order,
whatever their size, and report the end of the pipe as multiprocessing's connections do."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.build.channel import channel_pair, ready

_MESSAGES = st.lists(st.one_of(st.binary(max_size=300_000), st.text(max_size=2000),
                               st.tuples(st.integers(), st.none(), st.lists(st.floats(allow_nan=False)))),
                     min_size=1, max_size=6)


def _echo_child():
    """A forked child that sends back every message it gets, until None; the parent's end."""
    mine, theirs = channel_pair()
    pid = os.fork()
    if pid == 0:  # the child: never returns from here
        mine.close()
        code = 0
        try:
            while (message := theirs.recv()) is not None:
                theirs.send(message)
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    theirs.close()
    return mine, pid


@settings(max_examples=40, deadline=None)
@given(_MESSAGES)
def test_messages_of_any_size_come_back_whole_and_in_order(messages):
    mine, pid = _echo_child()
    try:
        for message in messages:  # one at a time: a message over the pipe's buffer needs its reader
            mine.send(message)
            assert mine.recv() == message
        for message in messages[:2]:  # two waiting in the pipe at once
            mine.send(message)
        assert [mine.recv() for _ in messages[:2]] == messages[:2]
        mine.send(None)
    finally:
        mine.close()
        assert os.waitpid(pid, 0)[1] == 0


def test_the_end_of_the_pipe_between_messages_is_eof_and_inside_one_an_oserror():
    near, far = channel_pair()
    far.send("last")
    far.close()
    assert near.poll() and near.recv() == "last"
    assert near.poll()  # the end of the pipe is there to read
    with pytest.raises(EOFError):
        near.recv()
    near.close()
    near, far = channel_pair()
    os.write(far.writing, (100).to_bytes(8, "big") + b"only part")  # a message cut short
    far.close()
    with pytest.raises(OSError, match="end of file during message"):
        near.recv()
    near.close()


def test_sending_to_a_closed_end_is_a_broken_pipe():
    near, far = channel_pair()
    far.close()
    with pytest.raises(BrokenPipeError):
        near.send("anyone?")
    near.close()


def test_ready_names_only_the_channels_with_something_to_read():
    (a, a_far), (b, b_far), (c, c_far) = channel_pair(), channel_pair(), channel_pair()
    assert not a.poll() and not b.poll()
    b_far.send(1)
    c_far.close()
    assert set(ready([a, b, c])) == {b, c}  # c: its pipe ended, which recv reports
    assert b.recv() == 1 and not b.poll()
    for end in (a, a_far, b, b_far, c):
        end.close()


@pytest.mark.skipif(not hasattr(__import__("fcntl"), "F_SETPIPE_SZ"), reason="pipe sizes are Linux's")
def test_a_workers_answer_of_300_kb_goes_into_its_pipe_without_waiting_for_the_reader():
    """A render task's answer is 200-330 KB: the worker's pipe takes it whole while the build's process
    is busy elsewhere (through the default 64 KiB, the send waited for each piece to be read)."""
    import fcntl

    mine, theirs = channel_pair()
    try:
        os.set_blocking(theirs.writing, False)  # a send that would wait raises BlockingIOError instead
        answer = os.urandom(300_000)
        theirs.send(answer)
        assert fcntl.fcntl(theirs.writing, fcntl.F_GETPIPE_SZ) >= 300_000
        assert mine.recv() == answer
    finally:
        mine.close()
        theirs.close()
