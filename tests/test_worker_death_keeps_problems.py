"""A full scan whose worker dies part-way keeps every file's entry and problems in the build cache: its
entries hold no problems (build/parsed.py keeps them apart), so the cache keeps the batches the tasks pickled,
the workers' and those parsed here, never a snapshot made from the entries."""
from __future__ import annotations

import os
import threading
from datetime import datetime, timezone

import pytest

import syndicator.build.scan as scan_module
from syndicator.build.cache import Cache, PostWriter, loads
from syndicator.config import load
from tests.small_site import site_toml

needs_fork = pytest.mark.skipif(threading.active_count() != 1, reason="a process with threads never forks workers")
NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


def _site(root, posts):
    root.mkdir()
    (root / "config.toml").write_text(site_toml(items=5), encoding="utf-8")
    folder = root / "posts"
    folder.mkdir()
    for n in range(posts):
        extra = "image_credit: x\n" if n % 3 == 0 else ""
        folder.joinpath(f"p{n:04d}.md").write_text(f"---\ntitle: Post {n}\ndate: 2024-01-{1 + n % 28:02d}\n{extra}---\nB {n}.\n",
                                                   encoding="utf-8")
        os.utime(folder / f"p{n:04d}.md", (1_700_000_000, 1_700_000_000))
    return load(root / "config.toml")


_PARSE = scan_module._parse_chunk
_STATE: dict[str, int] = {"tasks": 0, "after": 0}


def _dies_at_its_third_task(work, rels):  # type: ignore[no-untyped-def]
    """scan._parse_chunk, but a worker dies (as if killed) at its third task: before it, or after storing it."""
    if os.getpid() == _STATE["parent"]:
        return _PARSE(work, rels)
    _STATE["tasks"] += 1
    if _STATE["tasks"] == 3 and not _STATE["after"]:
        os._exit(9)
    answer = _PARSE(work, rels)
    if _STATE["tasks"] == 3:
        os._exit(9)  # stored (the batch is in the cache), never answered: the parent parses these files again
    return answer


_dies_at_its_third_task.__module__, _dies_at_its_third_task.__qualname__ = scan_module.__name__, "_parse_chunk"


@needs_fork
@pytest.mark.parametrize("batch_bytes", [1, 1 << 40])  # a worker stores each batch at once, or holds them all
@pytest.mark.parametrize("after", [0, 1])
def test_a_full_scan_whose_worker_dies_keeps_every_files_problems_in_the_cache(tmp_path, monkeypatch, after,
                                                                               batch_bytes):
    monkeypatch.setattr(PostWriter, "BATCH_BYTES", batch_bytes)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setitem(_STATE, "after", after)
    config = _site(tmp_path / "site", 600)
    monkeypatch.setitem(_STATE, "parent", os.getpid())
    monkeypatch.setattr(scan_module, "_parse_chunk", _dies_at_its_third_task)
    found = scan_module.scan(config, cache=Cache(config.state_dir / "cache.sqlite", config.fingerprint, config.authors))
    assert found.parsed == 600
    warned = {p.path for p in found.index()[1]}
    assert len(warned) == 200
    cache = Cache(config.state_dir / "cache.sqlite", config.fingerprint, config.authors)
    try:
        kept = cache.entries()
    finally:
        cache.close()
    assert len(kept) == 600 and kept.keys() == set(found.entries)
    assert {p.path for entry in kept.values() for p in entry[3]} == warned  # (they were lost: held apart)
    assert {rel: entry[2] for rel, entry in kept.items()} == {rel: entry[2] for rel, entry in found.entries.items()}


@needs_fork
@pytest.mark.parametrize("batch_bytes", [1, 5000, 1 << 40])
def test_a_full_scans_batches_are_stored_once_whoever_stores_them(tmp_path, monkeypatch, batch_bytes):
    """The workers store their batches of entries as they go, a few together, or leave them all to the
    scanning process (PostWriter.BATCH_BYTES): every file's entry is in the cache, in exactly one row."""
    monkeypatch.setattr(PostWriter, "BATCH_BYTES", batch_bytes)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    config = _site(tmp_path / "site", 600)
    found = scan_module.scan(config, cache=Cache(config.state_dir / "cache.sqlite", config.fingerprint, config.authors))
    cache = Cache(config.state_dir / "cache.sqlite", config.fingerprint, config.authors)
    try:
        rows = [loads(data, config.authors) for (data,) in cache.db.execute("SELECT data FROM snapshot")]
        kept = cache.entries()
    finally:
        cache.close()
    paths = [rel for row in rows for rel, _entry in row]
    assert sorted(paths) == sorted(found.entries) and len(paths) == 600  # each file once
    assert {rel: entry[2] for rel, entry in kept.items()} == {rel: entry[2] for rel, entry in found.entries.items()}
