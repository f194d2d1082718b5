"""The warm state is kept in content-named pieces (build/blobs.py): an edit writes only the pieces it
changes, no piece outlives the record that names it, and a piece gone missing costs a full build,
never a wrong one (issue 12)."""

from __future__ import annotations

import os
import pickle

from syndicator.build import build
from syndicator.build.cache import Cache
from syndicator.build.unchanged import Record
from syndicator.build.blobs import FOLDER, Blobs
from syndicator.build.filerows import CHUNK
from tests.incremental_steps import NOW, age, post_text, site_config, tree


def _site(tmp_path, count):
    posts = tmp_path / "posts"
    posts.mkdir()
    for i in range(count):
        (posts / f"p{i:04d}.md").write_text(post_text(title=f"T{i}", day=i % 9 + 1, tags=["red"], author="ann",
                                                      draft=False, slug=f"s{i}", body="Body."), encoding="utf-8")
    age(posts.iterdir(), 100)
    return posts


def _named(config):
    """The chunk pieces and feed pieces the last build's record names."""
    cache = Cache(config.state_dir / "cache.sqlite", config.fingerprint, config.authors)
    try:
        index = pickle.loads(Record.loads(cache.last_build()).warm)
    finally:
        cache.close()
    return [name for _count, name, _split in index[3]], [name for _key, _members, name in index[5]]


def _pieces(config):
    folder = config.state_dir / FOLDER
    return {name: (folder / name).stat().st_ino for name in os.listdir(folder)}


def test_an_edit_writes_only_the_chunk_it_changed_and_leaves_no_piece_unnamed(tmp_path):
    posts = _site(tmp_path, 3 * CHUNK)  # three chunks of rows
    warm = site_config(tmp_path, "warm")
    build(warm, now=NOW, brief=True)
    before = _pieces(warm)
    chunks, groups = _named(warm)
    assert len(chunks) == 3 and set(before) == set(chunks) | set(groups)  # (feeds listing the same posts share one)
    with open(posts / "p0010.md", "a", encoding="utf-8") as handle:  # an old post: no feed shows it
        handle.write("Edited line.\n")
    age([posts / "p0010.md"], 50)
    report = build(warm, now=NOW, brief=True)
    assert report.incremental and not report.written
    after = _pieces(warm)
    new = set(after) - set(before)
    assert len(new) == 1  # the first chunk's rows (the post is in no feed's members)
    assert {name: ino for name, ino in after.items() if name not in new} == \
        {name: ino for name, ino in before.items() if name in after}  # the others untouched
    assert len(after) == len(before)  # the old first chunk is gone with the record that named it
    chunks, groups = _named(warm)
    assert set(after) == set(chunks) | set(groups) and new <= set(chunks)


def test_a_missing_piece_costs_a_full_build_with_the_same_feeds(tmp_path):
    posts = _site(tmp_path, 40)
    warm, cold = site_config(tmp_path, "warm"), site_config(tmp_path, "cold")
    build(warm, now=NOW, brief=True)
    for name in _pieces(warm):
        os.unlink(Blobs(warm.state_dir).folder / name)
        break
    (posts / "p0039.md").write_text(post_text(title="New", day=9, tags=["blue"], author="bob", draft=False,
                                              slug="s39", body="New body."), encoding="utf-8")
    age([posts / "p0039.md"], 50)
    report = build(warm, now=NOW, brief=True)
    assert not report.incremental and report.written
    build(cold, now=NOW, use_cache=False)
    assert tree(warm.feeds.output) == tree(cold.feeds.output)
    assert len(_pieces(warm)) > 1  # written whole again
