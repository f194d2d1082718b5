"""Scan workers store only the posts that may reach a feed (build/shortlist.py): every feed's newest
posts over all files are among those the workers keep, and builds after a cold build whose
workers kept a shortlist write what builds without the cache write."""

from __future__ import annotations

import os
import threading
from datetime import datetime, timezone
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from syndicator.build import build
from syndicator.build.cache import Cache
from syndicator.build.plan import FUTURE, groups, newest_first, split, status
from syndicator.build.shortlist import Shortlist
from syndicator.config import load
from syndicator.model import Author
from syndicator.posts.loader import Stub
from tests.incremental_steps import NOW, POSTS, STEPS, replay, site_config, tree
from tests.incremental_steps import age as _age

_CAN_FORK = (os.cpu_count() or 1) > 1 and threading.active_count() == 1
CONFIG = """
[site]
title = "T"
url = "https://t.example/"

[authors.ann]
name = "Ann"

[authors.bob]
name = "Bob"

[feeds]
items = 2
per_tag = true
per_category = true
per_author = true
"""
STUBS = st.lists(st.tuples(st.integers(0, 40), st.lists(st.sampled_from("abcd"), max_size=2),
                           st.sampled_from(["x", "y"]), st.sampled_from(["ann", "bob"]), st.booleans(),
                           st.sampled_from([None, None, 5, 30])),
                 min_size=1, max_size=60)


def _forked_scan():
    """Parse in worker processes however few the files are."""
    return mock.patch.multiple("syndicator.build.scan", _PARALLEL_FROM=1, _CHUNK=2)


def _site_and_stubs(base, rows):
    """The small site's config in `base`, the build's time, and a Stub for each generated row."""
    (base / "config.toml").write_text(CONFIG, encoding="utf-8")
    stubs = [Stub(f"p{n}.md", f"id{n}", f"u{n}", f"s{n}", float(day), draft, tuple(tags), (category,),
                  (Author(key=author, name=author),), f"d{n}", expires)
             for n, (day, tags, category, author, draft, expires) in enumerate(rows)]
    return load(base / "config.toml"), datetime.fromtimestamp(20, timezone.utc), stubs


@settings(max_examples=80, deadline=None)
@given(rows=STUBS, parts=st.integers(1, 4), keep=st.integers(1, 5), limit=st.sampled_from([1, 3, 1024]))
def test_the_shortlists_of_any_split_hold_every_feeds_newest_posts(tmp_path_factory, rows, parts, keep, limit):
    config, now, stubs = _site_and_stubs(tmp_path_factory.mktemp("shortlist"), rows)
    held: set[str] = set()
    with mock.patch("syndicator.build.shortlist._FIRST_PRUNE", limit):  # prune often
        for part in range(parts):
            shortlist = Shortlist(config, now=now, keep=keep)
            for stub in stubs[part::parts]:
                shortlist.add(stub, object())
            held |= {rel for rel, _post in shortlist.posts()}
    published = split(stubs, now).published
    wanted = {s.source for top in groups(config, newest_first(published), keep=keep).values() for s in top.items}
    future = {s.source for s in stubs if status(s, now.timestamp()) == FUTURE}
    assert wanted | future <= held


@pytest.mark.skipif(not _CAN_FORK, reason="needs two cores and no other threads to fork workers")
def test_a_cold_build_stores_only_the_shortlist_and_builds_after_it_agree(tmp_path):
    posts = tmp_path / "posts"
    posts.mkdir()
    for n in range(30):
        (posts / f"p{n:02d}.md").write_text(f"---\ntitle: P{n}\ndate: 2025-01-{n % 28 + 1:02d}\ntags: [t{n % 3}]\n---\n"
                                            f"Body {n}.\n", encoding="utf-8")
    _age(posts.iterdir(), 100)
    warm, cold = site_config(tmp_path, "warm"), site_config(tmp_path, "cold")
    with _forked_scan():
        build(warm, now=NOW, brief=True)
    cache = Cache(warm.state_dir / "cache.sqlite", warm.fingerprint, warm.authors)
    try:
        stored = {row[0] for row in cache.db.execute("SELECT path FROM posts")}
    finally:
        cache.close()
    assert 0 < len(stored) < 30  # items = 2, a reserve of 4 per feed
    for doomed in sorted(stored)[:6]:  # remove posts the feeds list: later ones come from their files
        (posts / doomed).unlink()
    report = build(warm, now=NOW, brief=True)
    build(cold, now=NOW, use_cache=False)
    assert tree(tmp_path / "warm" / "feeds") == tree(tmp_path / "cold" / "feeds")
    assert report.problems == []


@pytest.mark.skipif(not _CAN_FORK, reason="needs two cores and no other threads to fork workers")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])
@given(first=st.lists(POSTS, min_size=3, max_size=10), steps=STEPS)
def test_builds_after_shortlisted_scans_equal_full_builds(first, steps):
    """tests/test_incremental.py's property, with every full scan parsed in worker processes."""
    replay(first, steps, warm_build=lambda config, now: build(config, now=now, brief=True), around=_forked_scan)


@given(n=st.integers(0, 700), size=st.integers(1, 70))
def test_scan_tasks_hand_out_every_file_once_in_order_the_last_ones_small(n, size):
    from syndicator.build.scan import _tasks

    rels = [f"p{i:04d}.md" for i in range(n)]
    tasks = _tasks(rels, size)
    assert [rel for task in tasks for rel in task] == rels
    sizes = [len(task) for task in tasks]
    assert all(0 < k <= size for k in sizes) and sizes == sorted(sizes, reverse=True)  # the small ones last
    assert sum(k for k in sizes if k == size) >= n - 5 * size  # only the last few are small


@settings(max_examples=80, deadline=None)
@given(rows=STUBS, parts=st.integers(1, 4), items=st.integers(1, 6), workers=st.integers(1, 3))
def test_the_likely_shown_posts_are_each_feeds_first_held_ones_likeliest_first(tmp_path_factory, rows, parts, items,
                                                                               workers):
    config, now, stubs = _site_and_stubs(tmp_path_factory.mktemp("likely"), rows)
    shortlist = Shortlist(config, now=now, keep=items)
    for stub in stubs[::parts]:
        shortlist.add(stub, stub)  # the stub stands for its post
    held = [stub for stub, _post in shortlist.held.values() if status(stub, now.timestamp()) != FUTURE]
    published = newest_first([s for s in held if status(s, now.timestamp()) == "published"])
    best: dict[str, int] = {}  # each post's best position in any feed among those held
    for top in groups(config, published, keep=len(published) + 1).values():
        for position, stub in enumerate(top.items):
            best[stub.source] = min(best.get(stub.source, position), position)
    likely = [post.source for post in shortlist.likely_shown(items, workers=workers)]
    assert len(set(likely)) == len(likely)
    assert set(likely) == {rel for rel, position in best.items() if position * workers < items}
    assert [best[rel] for rel in likely] == sorted(best[rel] for rel in likely)  # the likeliest first
