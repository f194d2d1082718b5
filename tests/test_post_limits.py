"""Issue 8, loader side: one post can neither stop the build nor exhaust memory."""

from __future__ import annotations

import os
import tracemalloc
from datetime import datetime, timezone

import feedparser

from syndicator.build import build
from syndicator.config import load

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _titles(config):
    return [e.title for e in feedparser.parse((config.feeds.output / "rss.xml").read_bytes()).entries]


def test_a_post_over_the_size_limit_is_rejected_before_it_is_read(site, write_post):
    write_post("2024-01-01-ok.md", "---\ntitle: Fine\n---\nSmall.\n")
    huge = write_post("2024-01-02-huge.md", "---\ntitle: Huge\n---\n")
    with open(huge, "r+b") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: 64 MB on paper, nothing on disk
    config = load(site)
    tracemalloc.start()
    report = build(config, now=NOW)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [str(p) for p in report.problems] == [
        "posts/2024-01-02-huge.md:1: the file is 67,108,864 bytes, over the limit of 10,485,760 "
        "([limits] max_post_bytes); not read"]
    assert _titles(config) == ["Fine"]
    assert peak < 16 * 1024 * 1024, peak


def test_the_size_limit_is_configurable(site, write_post):
    site.write_text(site.read_text() + "\n[limits]\nmax_post_bytes = 100\n", encoding="utf-8")
    write_post("2024-01-01-ok.md", "---\ntitle: Fine\n---\nSmall.\n")
    write_post("2024-01-02-long.md", "---\ntitle: Long\n---\n" + "word " * 40)
    report = build(load(site), now=NOW)
    assert [p.path for p in report.problems] == ["posts/2024-01-02-long.md"]
    assert "over the limit of 100 ([limits] max_post_bytes)" in report.problems[0].message


def test_a_fifo_named_like_a_post_neither_blocks_nor_publishes(site, write_post):
    write_post("2024-01-01-ok.md", "---\ntitle: Fine\n---\nSmall.\n")
    os.mkfifo(site.parent / "posts" / "2024-01-02-pipe.md")
    config = load(site)
    report = build(config, now=NOW)
    assert _titles(config) == ["Fine"] and report.files == 1


def test_impossible_dates_are_problems_naming_the_file(site, write_post):
    write_post("2024-01-01-ok.md", "---\ntitle: Fine\n---\nSmall.\n")
    write_post("2024-01-02-feb.md", "---\ntitle: Feb\ndate: 2025-02-30\n---\nx\n")
    config = load(site)
    report = build(config, now=NOW)
    assert _titles(config) == ["Fine"]
    assert [p.path for p in report.problems] == ["posts/2024-01-02-feb.md"]
    assert report.problems[0].line >= 1 and report.problems[0].severity == "error"


def test_any_unexpected_exception_reading_one_post_is_a_problem_and_the_rest_publish(site, write_post, monkeypatch):
    write_post("2024-01-01-ok.md", "---\ntitle: Fine\n---\nSmall.\n")
    write_post("2024-01-02-boom.md", "---\ntitle: Boom\n---\nx\n")
    from syndicator.posts import loader

    real = loader.read

    def flaky(config, relpath, data, **kw):
        if "boom" in relpath:
            raise KeyError("a bug in the reader")
        return real(config, relpath, data, **kw)

    monkeypatch.setattr(loader, "read", flaky)
    config = load(site)
    report = build(config, now=NOW, use_cache=False)
    assert [str(p) for p in report.problems] == [
        "posts/2024-01-02-boom.md:1: could not read this post (KeyError: 'a bug in the reader'); skipped"]
    assert _titles(config) == ["Fine"]
