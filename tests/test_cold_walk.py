"""A first build walks the posts folder in a forked child while it opens the cache and imports the
pipeline (build/cold_walk.py): the child's answer is discover()'s, link loops included; where no child
may be forked, or the child fails, the walk runs in the build's process; the build is the same."""

from __future__ import annotations

import marshal
import os
import threading
from datetime import datetime, timezone

from syndicator.build import build
from syndicator.build import cold_walk
from syndicator.build.cold_walk import ColdWalk
from syndicator.build.side_walk import SideWalk
from syndicator.config import load
from syndicator.posts.walk import discover
from tests.small_site import site_toml

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


def _site(tmp_path, count=30):
    (tmp_path / "config.toml").write_text(site_toml(items=5), encoding="utf-8")
    posts = tmp_path / "posts"
    (posts / "deep" / "er").mkdir(parents=True)
    for n in range(count):
        folder = posts / "deep" if n % 3 else posts
        folder.joinpath(f"p{n:02d}é.md").write_text(f"---\ntitle: Post {n}\ndate: 2024-03-{1 + n % 28:02d}\n"
                                                   f"tags: [t{n % 4}]\n---\nBody {n}.\n", encoding="utf-8")
    os.symlink("..", posts / "deep" / "er" / "loop")  # a link loop: a note
    return load(tmp_path / "config.toml")


def test_the_childs_walk_is_discovers(tmp_path):
    config = _site(tmp_path)
    walk = ColdWalk(config)
    assert walk.child is not None  # forked (the tests run on more than one core, one thread)
    walk.ready()
    found = walk.result()
    assert found == discover(config) and found[1] and len(found[0]) == 30
    walk.close()  # read already: nothing to wait for


def test_no_child_where_a_fork_is_not_safe_and_a_failed_child_walks_here(tmp_path, monkeypatch):
    config = _site(tmp_path)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        walk = ColdWalk(config)
        assert walk.child is None and walk.result() == discover(config)
    finally:
        stop.set()
        other.join()
    monkeypatch.setattr(cold_walk, "post_files", lambda *args: 1 / 0)  # the child fails, answering nothing
    walk = ColdWalk(config)
    assert walk.child is not None and walk.result() == discover(config)
    unread = ColdWalk(config)
    unread.close()  # a build that failed before it needed the walk still waits for its child
    assert unread.child is None
    monkeypatch.undo()
    torn = ColdWalk(config)
    torn.child.result()  # (the answer read away, and the child reaped)
    for answer in (marshal.dumps(({"a.md": (1, 2)}, []), 2)[:-3], b""):  # a torn answer, or none
        torn.child = SideWalk(lambda answer=answer: answer)
        assert torn.result() == discover(config)


def test_a_first_build_walked_aside_is_the_build_walked_here(tmp_path, monkeypatch):
    config = _site(tmp_path)
    forked = []
    real = cold_walk.SideWalk
    monkeypatch.setattr(cold_walk, "SideWalk", lambda walk: forked.append(1) or real(walk))
    monkeypatch.setattr(cold_walk, "worth_it", lambda: True)  # as in a command's first build
    aside = build(config, now=NOW)
    assert forked == [1]
    assert build(config, now=NOW).files == 30 and forked == [1]  # a cache to read: walked here
    feeds = {p.relative_to(config.feeds.output): p.read_bytes() for p in config.feeds.output.rglob("*") if p.is_file()}
    for path in [*config.feeds.output.rglob("*")][::-1]:
        path.unlink() if path.is_file() else path.rmdir()
    for path in [*config.state_dir.rglob("*")][::-1]:
        path.unlink() if path.is_file() or path.is_symlink() else path.rmdir()
    monkeypatch.setattr(cold_walk, "_may_fork", lambda: False)
    here = build(config, now=NOW)
    assert {p.relative_to(config.feeds.output): p.read_bytes() for p in config.feeds.output.rglob("*")
            if p.is_file()} == feeds
    assert (here.files, here.published_count, list(here.problems)) == (aside.files, aside.published_count,
                                                                       list(aside.problems))
    assert aside.problems and "symbolic link loop" in aside.problems[0].message
