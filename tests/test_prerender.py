"""Posts rendered on both cores (build/prerender.py) give the same bytes as posts rendered in the
build's own process; a post that fails in a worker is reported, and a worker that dies only
costs time: the build renders the rest itself."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicator.build import build, prerender, scan
from syndicator.build.cache import Cache
from syndicator.build.crew import Crew
from syndicator.build.manifest import Manifest
from syndicator.config import load
from syndicator.posts import content
from tests.conftest import REPO
from tests.small_site import site_toml

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


def _scan_forked(forked: bool = True):
    """Scan in worker processes however few the files are: the same workers then render."""
    return mock.patch.multiple("syndicator.build.scan", _PARALLEL_FROM=1 if forked else 10**9, _CHUNK=4)


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


def _numbered_site(base: Path, count: int, text, *, mtime: int | None = None):
    """A site in `base` showing `count` items per feed, with posts p00.md... holding text(n) (dated `mtime`)."""
    (base / "posts").mkdir(parents=True)
    (base / "config.toml").write_text(site_toml(items=count), encoding="utf-8")
    for n in range(count):
        path = base / "posts" / f"p{n:02d}.md"
        path.write_text(text(n), encoding="utf-8")
        if mtime is not None:
            os.utime(path, (mtime, mtime))
    return load(base / "config.toml")


@needs_fork
def test_the_scan_workers_render_the_posts_they_kept(tmp_path):
    config = _numbered_site(tmp_path / "site", 40, lambda n: (
        f"---\ntitle: Post {n}\ndate: 2025-03-{n % 28 + 1:02d}T{n % 24:02d}:00:00Z\ntags: [t{n % 3}]\n---\n"
        f"Body *{n}*.\n"))
    build(config, now=NOW, use_cache=False)
    expected = _tree(config.feeds.output)
    shutil.rmtree(config.feeds.output)
    log = tmp_path / "log"
    real_parse, real_held = scan.PostFiles.parse, scan.Parsing.held

    def parse(self, rel):  # every file parsed (parse_file goes through it too)
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"parse {os.getpid()} {rel}\n")
        return real_parse(self, rel)

    def held(self, source, digest):
        post = real_held(self, source, digest)
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{'held' if post is not None else 'fetch'} {os.getpid()} {source}\n")
        return post

    with _forked(), _scan_forked(), mock.patch.object(scan.PostFiles, "parse", parse), \
            mock.patch.object(scan.Parsing, "held", held):
        report = build(config, now=NOW)
    assert report.problems == []
    assert _tree(config.feeds.output) == expected
    lines = [line.split() for line in log.read_text().splitlines()]
    parsers = {pid for kind, pid, _ in lines if kind == "parse"}
    renderers = {pid for kind, pid, _ in lines if kind in ("held", "fetch")}
    assert str(os.getpid()) not in parsers | renderers and renderers <= parsers  # one crew, both stages
    parsed_by = {rel: pid for kind, pid, rel in lines if kind == "parse"}
    kept = [(pid, rel) for kind, pid, rel in lines if kind == "held"]
    assert kept and all(parsed_by[rel] == pid for pid, rel in kept)  # from memory, in the worker that parsed it


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


@needs_fork
def test_a_scan_worker_killed_midway_costs_time_only(tmp_path, caplog):
    config = _example(tmp_path)
    real = scan.PostFiles.parse
    parent = os.getpid()
    victim = sorted(p.relative_to(config.posts_dir).as_posix() for p in config.posts_dir.rglob("*.md"))[3]

    def killed(self, rel):
        if os.getpid() != parent and rel == victim:
            os.kill(os.getpid(), signal.SIGKILL)  # a worker dies (out of memory, killed) mid-task
        return real(self, rel)

    with _forked(), _scan_forked(), mock.patch.object(scan.PostFiles, "parse", killed):
        report = build(config, now=NOW)
    assert report.problems == [] and report.failed == 0
    assert _tree(config.feeds.output) == _tree(GOLDEN)
    assert "parsing the rest in this process" in caplog.text
    assert not os.path.exists(f"/proc/{parent}/task/{parent}/children") or \
        open(f"/proc/{parent}/task/{parent}/children").read().split() == []  # every worker waited for
    again = build(config, now=NOW)  # the cache the broken scan left serves the next build
    assert again.problems == [] and _tree(config.feeds.output) == _tree(GOLDEN)


def test_an_edit_renders_here_and_a_cold_build_in_workers(tmp_path):
    base = tmp_path / "site"
    config = _numbered_site(base, 60, lambda n: (
        f"---\ntitle: Post {n}\ndate: 2025-04-{n % 28 + 1:02d}T{n % 24:02d}:00:00Z\ntags: [t]\n---\nBody {n}.\n"),
        mtime=1_700_000_000)  # long before the build
    started = []
    real = Crew.start

    def start(self):
        started.append(real(self))
        return started[-1]

    with mock.patch.object(Crew, "start", start):
        build(config, now=NOW)
        cold = list(started)
        with open(base / "posts" / "p07.md", "a", encoding="utf-8") as out:
            out.write("An edit.\n")
        started.clear()
        report = build(config, now=NOW)
    assert cold[-1] == _CAN_FORK  # 60 bodies to render: on both cores
    assert started == []  # one new body and 59 from the cache: here, no fork
    assert report.problems == []
    edited = _tree(config.feeds.output)
    shutil.rmtree(config.feeds.output)
    build(config, now=NOW, use_cache=False)
    assert _tree(config.feeds.output) == edited


def _rows_in_the_file(path: Path, table: str) -> int:
    """Rows of `table` in the database file itself (immutable: its write-ahead log is not read)."""
    db = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        db.close()


@needs_fork
def test_the_logs_are_copied_into_the_databases_before_the_build_closes_them(tmp_path):
    config = _example(tmp_path)
    seen = {}
    real_cache, real_manifest = Cache.close, Manifest.close

    def cache_close(self):
        seen.setdefault("bodies", _rows_in_the_file(self.path, "bodies"))
        real_cache(self)

    def manifest_close(self):
        if threading.current_thread() is threading.main_thread():
            seen.setdefault("owned", _rows_in_the_file(self.path, "owned"))
        real_manifest(self)

    with _forked(), _scan_forked(), mock.patch.object(Cache, "close", cache_close), \
            mock.patch.object(Manifest, "close", manifest_close):
        report = build(config, now=NOW)
    assert report.problems == [] and _tree(config.feeds.output) == _tree(GOLDEN)
    assert seen["bodies"] > 0  # the bodies the workers stored, in the file before the build's own close
    assert seen["owned"] > 0  # the owners the thread aside recorded, likewise


POSTS = st.lists(st.tuples(st.integers(1, 28), st.lists(st.sampled_from(["red", "green", "Red!", "blue"]), max_size=2),
                           st.sampled_from(["ann", "bob"]), st.sampled_from(["Short.", "A *longer* body.\n\nTwo.", ""]),
                           st.booleans()),
                 min_size=1, max_size=12)


def _after(pause: float, real):
    def later(*args):
        time.sleep(pause)
        return real(*args)

    return later


@needs_fork
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(posts=POSTS, items=st.integers(1, 4), chunk=st.integers(1, 3), budget=st.sampled_from([16 << 20, 300]),
       scan_forked=st.booleans(), pause=st.sampled_from([0.0, 0.2]))
def test_workers_write_what_one_process_writes(posts, items, chunk, budget, scan_forked, pause):
    """`pause`: the build plans slowly, so that the scan's workers render bodies ahead (build/ahead.py)."""
    base = Path(tempfile.mkdtemp(prefix="syndicator-prerender-"))
    try:
        (base / "posts").mkdir()
        (base / "config.toml").write_text(site_toml(items=items), encoding="utf-8")
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
        with _forked(chunk), _scan_forked(scan_forked), mock.patch("syndicator.build.emit.ITEM_BUDGET", budget), \
                mock.patch.object(prerender, "_tasks", _after(pause, prerender._tasks)):
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
