"""Rendering and writing file by file (build/emit.py): one post that cannot be rendered is left
out and reported while the rest is published; a feed blocked by a symbolic link fails the build.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone

import feedparser

from syndicator.build import build
from syndicator.config import load
from syndicator.posts import content
from tests.conftest import REPO

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
GOLDEN_NOW = NOW  # tests/test_golden.py's


def _titles(config, rel):
    data = (config.feeds.output / rel).read_bytes()
    if rel.endswith(".json"):
        return [item["title"] for item in json.loads(data)["items"]]
    return [e.title for e in feedparser.parse(data).entries]


def _cli_build(config_path):
    return subprocess.run([sys.executable, "-m", "syndicator", "build", "--config", str(config_path)],
                          capture_output=True, text=True, timeout=120)


def test_a_post_whose_rendering_fails_is_reported_and_the_rest_published(site, write_post, monkeypatch):
    for day, name in ((1, "a"), (2, "bad"), (3, "c")):
        write_post(f"{name}.md", f"---\ntitle: {name.upper()}\ndate: 2024-01-0{day}\ntags: [t]\n---\nText of {name}.\n")
    config = load(site)
    real = content.render_body

    def broken(post, **options):  # stands in for a bug met by one post's body
        if post.source == "bad.md":
            raise RuntimeError("renderer bug")
        return real(post, **options)

    monkeypatch.setattr("syndicator.build.bodies.render_body", broken)
    report = build(config, now=NOW)
    assert [str(p) for p in report.problems] == [
        "posts/bad.md:1: cannot be rendered (RuntimeError: renderer bug); left out of the feeds"]
    assert report.rejected == 1 and report.failed == 0
    for rel in ("rss.xml", "atom.xml", "feed.json", "tags/t/rss.xml"):
        assert _titles(config, rel) == ["C", "A"], rel
    assert "Text of c." in (config.feeds.output / "index.html").read_text(encoding="utf-8")

    monkeypatch.setattr("syndicator.build.bodies.render_body", real)  # the bug fixed: nothing else changed
    again = build(config, now=NOW, brief=True)
    assert again.problems == [] and not again.from_record
    for rel in ("rss.xml", "atom.xml", "feed.json", "tags/t/rss.xml"):
        assert _titles(config, rel) == ["C", "BAD", "A"], rel


def test_a_feed_blocked_by_a_link_fails_the_command_and_the_rest_is_written(site, write_post, tmp_path):
    write_post("a.md", "---\ntitle: A\ndate: 2024-01-01\ntags: [x, y]\n---\nHello.\n")
    config = load(site)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (config.feeds.output / "tags").mkdir(parents=True)
    os.symlink(outside, config.feeds.output / "tags" / "x")
    for _attempt in range(2):  # the failed build leaves no record to answer the next one from
        done = _cli_build(site)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert "feeds/tags/x is a symbolic link; left alone" in done.stderr
        assert ", 3 not written in " in done.stdout  # its three formats
        assert list(outside.iterdir()) == []
        assert _titles(config, "tags/y/rss.xml") == ["A"] and _titles(config, "rss.xml") == ["A"]
    os.unlink(config.feeds.output / "tags" / "x")
    fixed = _cli_build(site)
    assert fixed.returncode == 0, fixed.stderr
    assert _titles(config, "tags/x/rss.xml") == ["A"]


def test_a_link_beside_the_feeds_is_a_warning_only(site, write_post, tmp_path):
    write_post("a.md", "---\ntitle: A\ndate: 2024-01-01\ntags: [x]\n---\nHello.\n")
    config = load(site)
    (config.feeds.output / "tags").mkdir(parents=True)
    os.symlink(tmp_path, config.feeds.output / "tags" / "not-a-feed")
    done = _cli_build(site)
    assert done.returncode == 0, done.stderr
    assert "warning: feeds/tags/not-a-feed is a symbolic link; left alone" in done.stderr


def test_the_item_cache_changes_no_byte_when_it_is_too_small_to_keep_anything(tmp_path, monkeypatch):
    """Items made again (evicted, or too big to keep) are the same bytes: the golden feeds."""
    golden = REPO / "tests" / "golden"
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    shutil.copytree(REPO / "posts", tmp_path / "posts")
    monkeypatch.setattr("syndicator.build.emit.ITEM_BUDGET", 4096)  # most items "huge", the rest evicted
    monkeypatch.setattr("syndicator.build.emit.ENTRIES_KEPT", 1)
    config = load(tmp_path / "config.toml")
    build(config, now=GOLDEN_NOW)
    produced = {p.relative_to(config.feeds.output).as_posix(): p.read_bytes()
                for p in sorted(config.feeds.output.rglob("*")) if p.is_file()}
    expected = {p.relative_to(golden).as_posix(): p.read_bytes() for p in sorted(golden.rglob("*")) if p.is_file()}
    assert produced == expected
