"""A build that will parse every post file of a big posts folder forks its workers before it walks the
folder (build/entry.py, pipeline.forked_crew; issue 12: at 100,000 posts the workers held 8-11 MB of
the walk's pages that the parent's scan copied): the walk runs with the workers there, the feeds are
the bytes a build forking after the walk writes, and a build after it (the cache has scanned) walks first."""

from __future__ import annotations

import os
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

import syndicator.build.cold_walk as cold_walk
import syndicator.build.entry as entry
from syndicator.build import build
from syndicator.config import load
from tests.small_site import site_toml

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)
needs_fork = pytest.mark.skipif(threading.active_count() != 1, reason="a process with threads never forks workers")


def _children() -> set[int]:
    return set(map(int, Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()))


def _site(root: Path, posts: int) -> Path:
    root.mkdir()
    (root / "config.toml").write_text(site_toml(items=5), encoding="utf-8")
    folder = root / "posts"
    folder.mkdir()
    for n in range(posts):
        tag = ("alpha", "beta", "gamma")[n % 3]
        folder.joinpath(f"p{n:04d}.md").write_text(
            f"---\ntitle: Post {n}\ndate: 2024-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00Z\n"
            f"tags: [{tag}]\n---\nBody {n}.\n", encoding="utf-8")
        os.utime(folder / f"p{n:04d}.md", (1_700_000_000, 1_700_000_000))
    return root


def _outputs(root: Path) -> dict[str, bytes]:
    out = load(root / "config.toml").feeds.output
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _walks_seeing_workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    # the walk in this process, as in a process that built before (a command's first build walks in a
    # forked child instead, build/cold_walk.py: tests/test_cold_walk.py), whichever test ran first
    monkeypatch.setattr(cold_walk, "worth_it", lambda: False)
    seen: list[int] = []
    walk = entry.discover

    def counted(config):  # type: ignore[no-untyped-def]
        seen.append(len(_children()))
        return walk(config)

    monkeypatch.setattr(entry, "discover", counted)
    return seen


@needs_fork
def test_a_cold_build_of_450_posts_walks_with_its_workers_forked_and_writes_the_same_feeds(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # two workers on any machine
    first, second = _site(tmp_path / "first", 450), _site(tmp_path / "second", 450)
    seen = _walks_seeing_workers(monkeypatch)
    report = build(load(first / "config.toml"), now=NOW, brief=True)
    assert seen == [2] and _children() == set()  # forked before the walk; none left behind
    assert report.published_count == 450 and report.written
    again = build(load(first / "config.toml"), now=NOW, brief=True)  # the cache has scanned: the walk comes first
    assert seen == [2, 0] and again.from_record

    monkeypatch.setattr(entry, "_every_file_parsed", lambda config, cache: False)  # forked after the walk, as before
    other = build(load(second / "config.toml"), now=NOW, brief=True)
    assert seen == [2, 0, 0] and other.published_count == 450
    assert _outputs(first) == _outputs(second) and len(_outputs(first)) > 5


def test_a_small_or_cached_site_walks_first(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    small = _site(tmp_path / "small", 30)
    seen = _walks_seeing_workers(monkeypatch)
    build(load(small / "config.toml"), now=NOW, brief=True)
    assert seen == [0]
    config = load(small / "config.toml")
    assert entry._every_file_parsed(config, None) is False  # 30 files: the scan parses them here
    for n in range(30, 400):
        (config.posts_dir / f"p{n:04d}.md").write_text("---\ntitle: x\ndate: 2024-01-01\n---\n", encoding="utf-8")
    assert entry._every_file_parsed(config, None) is True
    build(config, now=NOW, brief=True)  # the cache scanned before: its entries spare the parsing
    assert seen == [0, 0]
