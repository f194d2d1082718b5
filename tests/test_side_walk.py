"""The quick stamp's walk in a forked child (build/side_walk.py) answers as the walk in process does."""

from __future__ import annotations

import os
import time

from syndicator.build import build, stamp
from syndicator.build.side_walk import SideWalk
from syndicator.cli import quick
from syndicator.config import load
from tests.incremental_steps import NOW, post_text
from tests.small_site import site_toml

OLD = 1_700_000_000 * 10**9


def test_the_childs_bytes_come_back_and_a_failed_child_sends_none():
    big = bytes(range(256)) * 8192  # more than the pipe holds (1 MiB): the child writes as the parent reads
    child = SideWalk(lambda: big)
    while not child.done():
        time.sleep(0.001)
    assert child.result() == big

    def fail() -> bytes:
        raise OSError("the posts folder vanished")

    assert SideWalk(fail).result() is None


class _Recorder:
    """stamp.Editor that records how it was asked."""

    def __init__(self):
        self.prepared, self.finished = 0, []

    def prepare(self, done):
        while not done():
            self.prepared += 1
            time.sleep(0.001)

    def finish(self, started_ns, files, key, config):
        self.finished.append((files, key, bool(config)))
        return ("an edit",), (), 0

    def stop(self):
        pass


def _built_site(tmp_path, *, posts):
    """A site of `posts` old post files, built once: its posts folder and its config's path."""
    folder = tmp_path / "posts"
    folder.mkdir()
    (tmp_path / "config.toml").write_text(site_toml(items=2, posts="posts"), encoding="utf-8")
    for i in range(posts):
        (folder / f"p{i}.md").write_text(post_text(title=f"T{i}", day=i + 1, tags=["red"], author="ann",
                                                   draft=False, slug=f"s{i}", body="Body."), encoding="utf-8")
        os.utime(folder / f"p{i}.md", ns=(OLD, OLD))
    config = load(tmp_path / "config.toml")
    build(config, now=NOW, brief=True)
    return folder, str(config.path)


def _answer(config_path, aside_from):
    editor = _Recorder()
    return stamp.answer(config_path, now=time.time(), editor=lambda: editor, aside_from=aside_from), editor


def test_a_walk_aside_answers_as_the_walk_in_process(tmp_path):
    posts, path = _built_site(tmp_path, posts=6)
    here, aside = _answer(path, None), _answer(path, 0)
    assert here[0] == aside[0] and here[0][0][0].startswith("posts: 6 read")  # nothing changed: the stamp's lines
    assert aside[1].finished == [] and here[1].finished == []
    with open(posts / "p0.md", "a", encoding="utf-8") as post:
        post.write("Edited line.\n")
    here, aside, never = _answer(path, None), _answer(path, 0), _answer(path, 7)
    assert here[0] == aside[0] == never[0] == (("an edit",), (), 0)
    assert here[1].finished == aside[1].finished == never[1].finished
    files, key, snapshot = aside[1].finished[0]
    assert set(files) == {f"p{i}.md" for i in range(6)} and snapshot
    assert here[1].prepared == never[1].prepared == 0  # walked in process: nothing to wait for


def test_a_walk_aside_started_for_a_stamp_that_no_longer_holds_is_stopped(tmp_path):
    """The child walks while the stamp is checked: a config changed since (or another program) is no
    answer, and the child is ended and waited for (no process left behind)."""
    posts, path = _built_site(tmp_path, posts=3)
    assert _answer(path, 0)[0][0][0].startswith("posts: 3 read")  # the stamp holds, walked aside
    with open(tmp_path / "config.toml", "a", encoding="utf-8") as handle:
        handle.write("\n# changed\n")
    before = set(os.listdir("/proc"))
    answered, editor = _answer(path, 0)
    assert answered is None and editor.finished == [] and editor.prepared == 0
    left = [pid for pid in set(os.listdir("/proc")) - before if pid.isdigit()
            and os.path.exists(f"/proc/{pid}/status") and f"PPid:\t{os.getpid()}" in open(f"/proc/{pid}/status").read()]
    assert left == []  # the child was ended and reaped (no zombie)


def test_a_core_counts_as_idle_by_the_load_average_or_by_the_threads_runnable_now(monkeypatch):
    """After a busy minute (a build, Hugo) the load average still counts it: what runs this instant decides."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    for load, runnable, idle in ((0.4, 2, True), (3.0, 1, True), (3.0, 2, False), (1.6, 2, False)):
        monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
        monkeypatch.setattr(quick, "_runnable", lambda: runnable)
        assert quick._idle_core() is idle, (load, runnable)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert quick._idle_core() is False
    assert 1 <= quick._runnable() < 1 << 30 or not os.path.exists("/proc/loadavg")
