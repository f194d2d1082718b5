"""Bodies rendered ahead (build/ahead.py): a crew worker renders the bodies of its likeliest shown
posts while the build plans, the render tasks of those posts come back to it and use them, and the
feeds are the bytes a build in one process writes. The warm state is encoded in a thread."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import syndicator.build.pipeline as pipeline
from syndicator.build import ahead, bodies, build, prerender
from syndicator.build.ahead import Ahead
from syndicator.config import load
from syndicator.model import Body
from tests.incremental_steps import age
from tests.small_site import site_toml

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
_CAN_FORK = (os.cpu_count() or 1) > 1 and threading.active_count() == 1
needs_fork = pytest.mark.skipif(not _CAN_FORK, reason="needs two cores and no other threads to fork workers")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _site(base: Path, count: int = 40):
    (base / "posts").mkdir(parents=True)
    (base / "config.toml").write_text(site_toml(items=4), encoding="utf-8")
    for n in range(count):
        (base / "posts" / f"p{n:02d}.md").write_text(
            f"---\ntitle: Post {n}\ndate: 2025-03-{n % 28 + 1:02d}T{n % 24:02d}:00:00Z\ntags: [t{n % 5}]\n---\n"
            f"Body *{n}* 🙂 and [a link](/x/{n}/).\n", encoding="utf-8")
    return load(base / "config.toml")


def _workers_everywhere():
    """A crew for the scan and the rendering however few the posts, with time to render ahead before the tasks."""
    real = prerender._tasks

    def later(*args):
        time.sleep(0.4)  # the build plans slowly: the workers render ahead meanwhile
        return real(*args)

    return (mock.patch.multiple("syndicator.build.scan", _PARALLEL_FROM=1, _CHUNK=4),
            mock.patch.multiple("syndicator.build.prerender", PARALLEL_FROM=1, CHUNK=2),
            mock.patch.object(prerender, "_tasks", later))


def _logged(log: Path, label: str, real):
    def logged(*args, **options):
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{label} {os.getpid()} {args[-1].source if label == 'ahead' else args[0].source}\n")
        return real(*args, **options)

    return logged


@needs_fork
def test_workers_render_their_likeliest_posts_ahead_and_their_tasks_use_them(tmp_path):
    config = _site(tmp_path / "site")
    build(config, now=NOW, use_cache=False)
    expected = _tree(config.feeds.output)
    shutil.rmtree(config.feeds.output)
    log = tmp_path / "log"
    scan_patch, render_patch, tasks_patch = _workers_everywhere()
    with scan_patch, render_patch, tasks_patch, \
            mock.patch.object(ahead, "rendered", _logged(log, "ahead", ahead.rendered)), \
            mock.patch.object(bodies, "render_body", _logged(log, "body", bodies.render_body)):
        report = build(config, now=NOW)
    assert report.problems == [] and _tree(config.feeds.output) == expected
    lines = [tuple(line.split()) for line in log.read_text().splitlines()]
    early = {(pid, rel) for kind, pid, rel in lines if kind == "ahead"}
    rendered = Counter((pid, rel) for kind, pid, rel in lines if kind == "body")
    assert early and str(os.getpid()) not in {pid for pid, _rel in rendered}
    assert all(rendered[one] == 1 for one in early)  # a body rendered ahead is not rendered again by its worker
    by_post = Counter(rel for _pid, rel in rendered.elements())
    assert any(by_post[rel] == 1 for _pid, rel in early)  # its task came back to it (unless another worker took it)
    shutil.rmtree(config.feeds.output)  # the bodies rendered ahead are in the cache: nothing renders again

    def boom(post, **options):
        raise AssertionError(f"{post.source}: rendered again")

    with mock.patch.object(bodies, "render_body", boom):
        assert build(config, now=NOW).problems == []
    assert _tree(config.feeds.output) == expected


@settings(max_examples=200, deadline=None)
@given(html=st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF)),
       summary=st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF)))
def test_a_body_held_ahead_comes_back_the_same(html, summary):
    held = Ahead(workers=2)
    held.keep("d1", Body(html=html, summary=summary))
    assert held.take(["d0", "d1"]) == {"d1": Body(html=html, summary=summary)}
    assert held.take(["d1"]) == {}  # handed out once


@needs_fork
def test_the_budget_and_failures_stop_nothing_but_rendering_ahead(tmp_path):
    config = _site(tmp_path / "site")
    (config.posts_dir / "p39.md").write_text("---\ntitle: Bad\ndate: 2025-03-31T00:00:00Z\ntags: [t0]\n---\n{{< x >}}\n",
                                             encoding="utf-8")
    here = build(config, now=NOW, use_cache=False)
    expected = _tree(config.feeds.output)
    shutil.rmtree(config.feeds.output)
    scan_patch, render_patch, tasks_patch = _workers_everywhere()

    def fails(config, post):
        raise RuntimeError("cannot render ahead")

    with scan_patch, render_patch, tasks_patch, mock.patch.object(ahead, "BUDGET", 1):
        assert [str(p) for p in build(config, now=NOW).problems] == [str(p) for p in here.problems]
    assert _tree(config.feeds.output) == expected
    shutil.rmtree(config.feeds.output)
    shutil.rmtree(config.state_dir)
    with scan_patch, render_patch, tasks_patch, mock.patch.object(ahead, "rendered", fails):
        assert [str(p) for p in build(config, now=NOW).problems] == [str(p) for p in here.problems]
    assert _tree(config.feeds.output) == expected


@pytest.mark.parametrize("fails", [False, True])
def test_the_warm_state_is_encoded_aside_and_the_next_build_answers_from_its_record(tmp_path, fails):
    config = _site(tmp_path / "site", count=6)
    age(config.posts_dir.iterdir(), 100)  # not changed within a timestamp tick of the scan ("racy clean")
    main = threading.get_ident()
    threads = []
    real = pipeline._State.encode

    def encode(self):
        threads.append(threading.get_ident())
        if fails and threading.get_ident() != main:
            raise OSError("disk full")
        return real(self)

    with mock.patch.object(pipeline._State, "encode", encode):
        build(config, now=NOW, brief=True)
    assert threads[0] != main and (main in threads) == fails  # another thread; the build's own after a failure

    def boom(*args, **options):
        raise AssertionError("built again")

    with mock.patch.object(pipeline, "run", boom):  # nothing changed: answered from the record
        assert build(config, now=NOW, brief=True).published_count == 6


@pytest.mark.parametrize("alongside", [pipeline.WARM_ALONGSIDE, 0])
def test_a_small_sites_warm_state_is_encoded_while_its_posts_render(tmp_path, alongside):
    """Up to WARM_ALONGSIDE post files, the state's encoding may start before the last post is rendered
    (the rendering waits here until it does); above, only once every post is rendered."""
    config = _site(tmp_path / "site", count=6)
    started, seen = threading.Event(), []
    real_encode, real_prerender = pipeline._State.encode, prerender.prerender

    def encode(self):
        started.set()
        return real_encode(self)

    def rendering(*args, **options):
        seen.append(started.wait(timeout=1.5))  # before the first post comes back
        yield from real_prerender(*args, **options)

    with mock.patch.object(pipeline._State, "encode", encode), mock.patch.object(pipeline, "WARM_ALONGSIDE", alongside), \
            mock.patch("syndicator.build.emit.prerender", rendering):
        report = build(config, now=NOW, brief=True)
    assert seen == [alongside > 0] and started.is_set() and report.memory is not None


@settings(max_examples=200, deadline=None)
@given(holders=st.lists(st.sampled_from([None, 0, 1, 2]), max_size=40), chunk=st.integers(1, 5))
def test_render_tasks_go_to_the_worker_holding_their_posts(holders, chunk):
    from syndicator.posts.loader import Stub

    stubs = [Stub(f"p{n}.md", f"id{n}", f"u{n}", f"s{n}", float(n), False, (), (), (), f"d{n}", None)
             for n in range(len(holders))]
    needs = {stub.source: prerender.Need(("rss",), False) for stub in stubs}
    held = {stub.source: home for stub, home in zip(stubs, holders) if home is not None}
    with mock.patch.object(prerender, "CHUNK", chunk):
        tasks, homes = prerender._tasks(stubs, needs, held)
    assert len(tasks) == len(homes)
    assert sorted(one.source for task in tasks for one in task) == sorted(held.keys() | {s.source for s in stubs})
    position = {stub.source: n for n, stub in enumerate(stubs)}
    for task, home in zip(tasks, homes):
        assert 0 < len(task) <= chunk and all(held.get(one.source) == home for one in task)
        assert [position[one.source] for one in task] == sorted(position[one.source] for one in task)
        assert all(one.digest == f"d{position[one.source]}" and one.need == needs[one.source] for one in task)
    firsts = [position[task[0].source] for task in tasks]
    assert firsts == sorted(firsts)  # in the order the files first list their posts
    for home in set(homes):  # each worker's posts in as few tasks as CHUNK allows
        mine = [one for task, h in zip(tasks, homes) if h == home for one in task]
        assert len([h for h in homes if h == home]) == -(-len(mine) // chunk)
