"""Posts rendered on both cores (build/prerender.py) give the same bytes as posts rendered in the
build's own process; a post that fails in a worker is reported, and a worker that dies only
costs time: the build renders the rest itself."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicator.build import build
from syndicator.config import load
from syndicator.posts import content
from tests.conftest import REPO

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)  # tests/test_golden.py's
GOLDEN = REPO / "tests" / "golden"
_CAN_FORK = (os.cpu_count() or 1) > 1 and threading.active_count() == 1
needs_fork = pytest.mark.skipif(not _CAN_FORK, reason="needs two cores and no other threads to fork workers")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _example(base: Path):
    shutil.copy(REPO / "config.toml", base / "config.toml")
    shutil.copytree(REPO / "posts", base / "posts")
    return load(base / "config.toml")


def _forked(chunk: int = 1):
    """Render in worker processes however few the posts are."""
    return mock.patch.multiple("syndicator.build.prerender", PARALLEL_FROM=1, CHUNK=chunk)


def _rendering_pids(log: Path):
    """render_body, writing the id of the process that calls it to `log`."""
    real = content.render_body

    def logged(post, **options):
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        return real(post, **options)

    return mock.patch("syndicator.build.bodies.render_body", logged)


@needs_fork
def test_posts_rendered_in_workers_give_the_golden_feeds(tmp_path):
    config = _example(tmp_path)
    log = tmp_path / "pids"
    with _forked(), _rendering_pids(log):
        report = build(config, now=NOW)
    assert report.problems == []
    pids = set(map(int, log.read_text().split()))
    assert pids and os.getpid() not in pids  # every body rendered in a worker process
    assert _tree(config.feeds.output) == _tree(GOLDEN)
    assert report.timings["bodies"] > 0


@needs_fork
def test_a_post_that_fails_in_a_worker_is_reported_and_the_rest_published(site, write_post):
    for day, name in ((1, "a"), (2, "bad"), (3, "c")):
        write_post(f"{name}.md", f"---\ntitle: {name.upper()}\ndate: 2024-01-0{day}\ntags: [t]\n---\nText of {name}.\n")
    config = load(site)
    real = content.render_body
    parent = os.getpid()

    def broken(post, **options):
        if post.source == "bad.md":
            assert os.getpid() != parent  # it runs in a worker
            raise RuntimeError("renderer bug")
        return real(post, **options)

    with _forked(), mock.patch("syndicator.build.bodies.render_body", broken):
        report = build(config, now=NOW)
    assert [str(p) for p in report.problems] == [
        "posts/bad.md:1: cannot be rendered (RuntimeError: renderer bug); left out of the feeds"]
    assert report.rejected == 1 and report.failed == 0
    rss = (config.feeds.output / "rss.xml").read_text(encoding="utf-8")
    assert "<title>C</title>" in rss and "<title>A</title>" in rss and "<title>BAD</title>" not in rss


@needs_fork
def test_a_worker_killed_midway_costs_time_only(tmp_path, caplog):
    config = _example(tmp_path)
    real = content.render_body
    parent = os.getpid()

    def killed(post, **options):
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # a worker dies (out of memory, killed)
        return real(post, **options)

    with _forked(), mock.patch("syndicator.build.bodies.render_body", killed):
        report = build(config, now=NOW)
    assert report.problems == [] and report.failed == 0
    assert _tree(config.feeds.output) == _tree(GOLDEN)
    assert "rendering the rest in this process" in caplog.text
    assert not os.path.exists(f"/proc/{parent}/task/{parent}/children") or \
        open(f"/proc/{parent}/task/{parent}/children").read().split() == []  # every worker waited for


CONFIG = """
[site]
title = "Test Site"
url = "https://test.example/"
timezone = "UTC"
author = "ann"

[authors.ann]
name = "Ann Author"

[authors.bob]
name = "Bob Builder"

[feeds]
output = "feeds"
items = {items}
per_tag = true
per_category = true
per_author = true
"""
POSTS = st.lists(st.tuples(st.integers(1, 28), st.lists(st.sampled_from(["red", "green", "Red!", "blue"]), max_size=2),
                           st.sampled_from(["ann", "bob"]), st.sampled_from(["Short.", "A *longer* body.\n\nTwo.", ""]),
                           st.booleans()),
                 min_size=1, max_size=12)


@needs_fork
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(posts=POSTS, items=st.integers(1, 4), chunk=st.integers(1, 3), budget=st.sampled_from([16 << 20, 300]))
def test_workers_write_what_one_process_writes(posts, items, chunk, budget):
    base = Path(tempfile.mkdtemp(prefix="syndicator-prerender-"))
    try:
        (base / "posts").mkdir()
        (base / "config.toml").write_text(CONFIG.format(items=items), encoding="utf-8")
        for n, (day, tags, author, body, draft) in enumerate(posts):
            (base / "posts" / f"p{n}.md").write_text(
                f"---\ntitle: Post {n}\ndate: 2025-02-{day:02d}T10:00:00Z\ntags: [{', '.join(tags)}]\n"
                f"categories: [{'odd' if day % 2 else 'even'}]\nauthor: {author}\ndraft: {str(draft).lower()}\n"
                f"---\n{body}\n", encoding="utf-8")
        config = load(base / "config.toml")
        here = build(config, now=NOW, use_cache=False)
        expected = _tree(config.feeds.output)
        shutil.rmtree(config.feeds.output)
        shutil.rmtree(config.state_dir)
        with _forked(chunk), mock.patch("syndicator.build.emit.ITEM_BUDGET", budget):
            forked = build(config, now=NOW)
        assert _tree(config.feeds.output) == expected
        assert [str(p) for p in forked.problems] == [str(p) for p in here.problems]
    finally:
        shutil.rmtree(base, ignore_errors=True)


@needs_fork
def test_bodies_rendered_in_workers_are_in_the_cache_for_the_next_build(tmp_path):
    config = _example(tmp_path)
    with _forked():
        build(config, now=NOW)
    shutil.rmtree(config.feeds.output)  # every feed is written again, from the cached bodies

    def boom(post, **options):
        raise AssertionError(f"{post.source}: rendered again")

    with _forked(), mock.patch("syndicator.build.bodies.render_body", boom):
        report = build(config, now=NOW)
    assert report.problems == []
    assert _tree(config.feeds.output) == _tree(GOLDEN)
