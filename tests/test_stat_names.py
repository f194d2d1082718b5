"""stat_names: the names of one folder stat'ed half here, half in a forked child, as one loop would (issue 12)."""

from __future__ import annotations

import os
import threading

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicator.posts import stat_names as module
from syndicator.posts.stat_names import stat_names

_KINDS = st.lists(st.sampled_from(["file", "folder", "dangling", "fifo", "missing", "link-to-file"]),
                  min_size=0, max_size=40)


def _one_loop(fd, names):
    out = []
    for name in names:
        try:
            target = os.stat(name, dir_fd=fd)
        except OSError:
            out.append(None)
            continue
        out.append((target.st_size, target.st_mtime_ns) if os.path.isfile(f"/proc/self/fd/{fd}/{name}") else None)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=_KINDS, fork_from=st.sampled_from([1, 2, 5, 10**9]))
def test_forked_or_not_the_sizes_are_one_loops_in_the_same_order(tmp_path_factory, kinds, fork_from):
    folder = tmp_path_factory.mktemp("names")
    names = []
    for n, kind in enumerate(kinds):
        name = f"{n:03d}.md"
        path = folder / name
        if kind == "file":
            path.write_text("x" * n)
        elif kind == "folder":
            path.mkdir()
        elif kind == "dangling":
            os.symlink("nowhere", path)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "link-to-file":
            (folder / f"t{n}").write_text("yy")
            os.symlink(f"t{n}", path)
        names.append(name)  # "missing": named, never made (it vanished)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    default, module.FORK_FROM = module.FORK_FROM, fork_from
    try:
        assert stat_names(fd, names) == _one_loop(fd, names)
    finally:
        module.FORK_FROM = default
        os.close(fd)


def test_a_child_that_fails_or_answers_short_is_no_answer(tmp_path):
    for code, data in ((1, b""), (0, b"\x00garbage"), (0, __import__("marshal").dumps([(1, 2)]))):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.write(write, data)
            os._exit(code)
        os.close(write)
        assert module._collect(pid, read, 2) is None  # the caller then stats those names itself


def test_with_another_thread_running_nothing_is_forked(tmp_path, monkeypatch):
    (tmp_path / "a.md").write_text("a")
    forks = []
    monkeypatch.setattr(module.os, "fork", lambda: forks.append(1) or (_ for _ in ()).throw(OSError()))
    monkeypatch.setattr(module, "FORK_FROM", 1)
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert stat_names(fd, ["a.md", "a.md"]) == [(1, os.stat(tmp_path / "a.md").st_mtime_ns)] * 2
        assert forks == []
    finally:
        stop.set()
        other.join()
    assert stat_names(fd, ["a.md", "b.md"]) == [(1, os.stat(tmp_path / "a.md").st_mtime_ns), None]
    assert forks == [1]  # alone now: it tried (and, failing, stat'ed here)
    os.close(fd)
