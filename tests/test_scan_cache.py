"""The build cache gives back exactly what parsing gives: after a cold scan on worker processes,
after small edits (side rows) and after many (the snapshot written anew) (issue 12)."""

from __future__ import annotations

import os

from syndicator.build.cache import Cache
from syndicator.build.scan import scan
from syndicator.config import load
from syndicator.posts.loader import index_entries, parse_file

_OLD = 1_700_000_000  # an mtime well before any scan: trusted by size and mtime


def _write(site, n: int, *, edit: str = "") -> None:
    posts = site.parent / "posts"
    for i in range(n):
        path = posts / f"2024-01-{i % 28 + 1:02d}-post-{i:04d}.md"
        bad = i % 97 == 5  # some files are rejected, with a problem each
        path.write_text(f"---\ntitle: Post {i}{edit}\ntags: [t{i % 7}, shared]\nimage_credit: somebody\n"
                        f"{'date: 2024-02-30' if bad else ''}\n---\nBody {i}.\n", encoding="utf-8")
        os.utime(path, (_OLD, _OLD))


def _parsed_directly(config, rels):
    """Each file parsed on its own, in this process: the slow path the cache must equal."""
    return {rel: parse_file(config, rel) for rel in rels}


def _check(config, found, cache_path) -> None:
    direct = _parsed_directly(config, found.entries)
    expected = {rel: entry for rel, (entry, _post) in direct.items()}
    if found.held is not None:  # a full scan keeps the files' problems apart from its entries (build/parsed.py)
        assert found.entries == {rel: (*entry[:3], ()) for rel, entry in expected.items()}
        assert list(found.index()[1]) == index_entries(config, expected)[1]
    else:
        assert found.entries == expected
    reopened = Cache(cache_path, config.fingerprint, config.authors)
    try:
        assert reopened.entries() == expected  # the cache keeps each entry with its problems
        assert reopened.db.execute("SELECT count(DISTINCT gen) FROM snapshot").fetchone()[0] == 1  # no leftovers
        good = [rel for rel, (_entry, post) in direct.items() if post is not None]
        assert reopened.posts(good) == {rel: direct[rel][1] for rel in good}
    finally:
        reopened.close()


def test_cold_scan_on_workers_then_small_and_large_edits_read_back_equal(site):
    _write(site, 520)  # over the parallel threshold: parsed in chunks on worker processes
    config = load(site)
    path = config.state_dir / "cache.sqlite"
    cache = Cache(path, config.fingerprint, config.authors)
    try:
        with cache.db:  # rows a killed scan's workers left: never read, dropped by the next save
            cache.db.execute("INSERT INTO snapshot (gen, data) VALUES (7, x'00')")
        cold = scan(config, cache=cache)
        assert cold.parsed == 520 and sum(e[2] is None for e in cold.entries.values()) == 6
        warned = {p.path for p in cold.index()[1] if "image_credit" in p.message}
        assert cold.held is not None and warned == {f"posts/{rel}" for rel, e in cold.entries.items() if e[2]}
        _check(config, cold, path)
        assert scan(config, cache=cache).parsed == 0

        _write(site, 3, edit=" (edited)")  # a few: side rows beside the snapshot
        small = scan(config, cache=cache)
        assert small.parsed == 3 and small.entries["2024-01-01-post-0000.md"][2].id
        _check(config, small, path)

        _write(site, 400, edit=" (again)")  # many, some cached: the snapshot is written anew from all entries
        (site.parent / "posts" / "2024-01-02-post-0001.md").unlink()
        large = scan(config, cache=cache)
        assert large.parsed == 399 and len(large.entries) == 519
        _check(config, large, path)
    finally:
        cache.close()


def test_a_cached_post_row_from_other_bytes_is_not_taken_for_the_file(site):
    """A row left by a build that never saved its entries (killed) names the path but not these bytes."""
    _write(site, 3)
    config = load(site)
    path = config.state_dir / "cache.sqlite"
    cache = Cache(path, config.fingerprint, config.authors)
    try:
        found = scan(config, cache=cache)
        rows = dict(cache.db.execute("SELECT path, data FROM posts"))
        first, second = sorted(rows)[:2]
        with cache.db:
            cache.db.execute("UPDATE posts SET data=? WHERE path=?", (rows[second], first))
        again = scan(config, cache=cache)
        assert again.parsed == 0
        stubs, _problems = again.index()
        assert [p.title for p in again.posts(stubs)] == [p.title for p in found.posts(stubs)] == [
            "Post 0", "Post 1", "Post 2"]
    finally:
        cache.close()
