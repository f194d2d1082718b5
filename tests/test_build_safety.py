"""Issue 8: the build never reaches outside feeds/, walks posts/ safely, keeps published ids,
survives a lost cache commit, and turns any failure reading one post into a path:line problem.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone

import feedparser

from syndicator.build import build
from syndicator.config import load

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
FEED_NAMES = ("rss.xml", "atom.xml", "feed.json")


def _cli_build(config, *extra, timeout=60):
    return subprocess.run([sys.executable, "-m", "syndicator", "build", "--config", str(config), *extra],
                          capture_output=True, text=True, timeout=timeout)


def _titles(config, rel="rss.xml"):
    return [e.title for e in feedparser.parse((config.feeds.output / rel).read_bytes()).entries]


def test_a_linked_folder_in_feeds_is_reported_and_its_target_untouched(site, write_post, tmp_path):
    write_post("2024-01-01-a.md", "---\ntitle: A\ntags: [x]\n---\nHello.\n")
    config = load(site)
    outside = tmp_path / "somebody-elses"
    outside.mkdir()
    for name in FEED_NAMES:
        (outside / name).write_bytes(b"not yours")
    (config.feeds.output / "tags").mkdir(parents=True)
    os.symlink(outside, config.feeds.output / "tags" / "x")  # the name of a current tag feed
    os.symlink(outside, config.feeds.output / "tags" / "old")  # and one no plan produces
    for attempt in range(2):
        report = build(config, now=NOW)
        assert sorted(p.name for p in outside.iterdir()) == sorted(FEED_NAMES)
        assert all(p.read_bytes() == b"not yours" for p in outside.iterdir())
        messages = [str(p) for p in report.problems]
        assert any("feeds/tags/x is a symbolic link; left alone" in m for m in messages), messages
        assert any("feeds/tags/old is a symbolic link; left alone" in m for m in messages), messages
        assert (config.feeds.output / "tags" / "x").is_symlink()
        assert _titles(config) == ["A"]
    later = _cli_build(site)  # reported, no traceback, on every later build
    assert "Traceback" not in later.stderr and later.returncode in (0, 1)
    assert "feeds/tags/x is a symbolic link; left alone" in later.stderr


def test_only_files_a_build_wrote_are_ever_removed(site, write_post):
    post = write_post("2024-01-01-a.md", "---\ntitle: A\ntags: [gone]\n---\nHello.\n")
    config = load(site)
    mine = config.feeds.output / "tags" / "handmade"
    mine.mkdir(parents=True)
    for name in FEED_NAMES:
        (mine / name).write_bytes(b"written by hand")
    (config.feeds.output / "authors").mkdir()
    (config.feeds.output / "authors" / "feed.json").write_bytes(b"{}")
    build(config, now=NOW)
    assert (config.feeds.output / "tags" / "gone" / "rss.xml").exists()
    post.write_text("---\ntitle: A\ntags: [kept]\n---\nHello.\n", encoding="utf-8")
    report = build(config, now=NOW)
    removed = sorted(p.relative_to(config.feeds.output).as_posix() for p in report.removed)
    assert removed == [f"tags/gone/{n}" for n in sorted(FEED_NAMES)]
    assert not (config.feeds.output / "tags" / "gone").exists()
    assert all((mine / n).read_bytes() == b"written by hand" for n in FEED_NAMES)
    assert (config.feeds.output / "authors" / "feed.json").read_bytes() == b"{}"


def test_temp_files_of_a_killed_build_are_removed_by_exact_prefix(site, write_post):
    write_post("2024-01-01-a.md", "---\ntitle: A\ntags: [x]\n---\nHello.\n")
    config = load(site)
    build(config, now=NOW)
    out = config.feeds.output
    leftovers = [out / ".rss.xml.tmp-a1b2c3d4", out / "tags/x/.feed.json.tmp-q_9z8y7x", out / ".feeds.opml.tmp-00ff00ff"]
    strangers = [out / ".rss.xml.tmp", out / "tags/x/.notes.tmp-1", out / "tags/x/rss.xml.tmp-1"]
    for path in leftovers + strangers:
        path.write_bytes(b"half a feed")
    build(config, now=NOW)
    assert [p for p in leftovers if p.exists()] == []
    assert all(p.exists() for p in strangers)


def test_two_links_to_the_posts_folder_do_not_hang_and_give_one_message_each(site, write_post):
    for n in range(1, 4):
        write_post(f"2024-01-0{n}-p{n}.md", f"---\ntitle: P{n}\n---\nText {n}.\n")
    posts = site.parent / "posts"
    os.symlink(".", posts / "again")
    os.symlink(".", posts / "more")
    result = _cli_build(site, timeout=30)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert [line for line in lines if "loop" in line] == [
        "posts/again:0: warning: symbolic link loop: leads back to the posts folder itself, which contains it; not followed",
        "posts/more:0: warning: symbolic link loop: leads back to the posts folder itself, which contains it; not followed",
    ]
    assert not [line for line in lines if "duplicate" in line]
    assert result.returncode == 0 and "3 published" in result.stdout
    assert _titles(load(site)) == ["P3", "P2", "P1"]


def test_a_new_file_cannot_take_a_published_posts_id(site, write_post):
    write_post("zz-first.md", "---\ntitle: Published\nid: tag:test.example,2024:keep\ndate: 2024-05-01\n---\nOld.\n")
    config = load(site)
    build(config, now=NOW)
    write_post("aa-copy.md", "---\ntitle: Intruder\nid: tag:test.example,2024:keep\ndate: 2020-01-01\n---\nNew.\n")
    report = build(config, now=NOW)
    assert _titles(config) == ["Published"]
    errors = [str(p) for p in report.problems]
    assert errors == ["posts/aa-copy.md:1: duplicate id 'tag:test.example,2024:keep': already the id of "
                      "posts/zz-first.md, which keeps it; posts/aa-copy.md is skipped"]


def test_a_new_file_cannot_take_a_published_address_even_without_the_state_folder(site, write_post):
    write_post("2024-05-09-b-post.md", "---\ntitle: Published\nslug: same\n---\nOld.\n")
    config = load(site)
    build(config, now=NOW)
    shutil.rmtree(config.state_dir)  # history now comes from the feeds already written
    write_post("2024-05-01-a-post.md", "---\ntitle: Intruder\nslug: same\n---\nNew.\n")  # earlier date
    report = build(config, now=NOW)
    assert _titles(config) == ["Published"]
    assert [p.path for p in report.problems] == ["posts/2024-05-01-a-post.md"]
    assert "is already the address of posts/2024-05-09-b-post.md, which keeps it" in report.problems[0].message


def test_without_history_the_earlier_publish_date_wins(site, write_post):
    write_post("b.md", "---\ntitle: Older\nid: tag:x,2024:one\ndate: 2024-01-01\n---\nx\n")
    write_post("a.md", "---\ntitle: Newer\nid: tag:x,2024:one\ndate: 2024-02-01\n---\ny\n")
    config = load(site)
    report = build(config, now=NOW)
    assert _titles(config) == ["Older"] and [p.path for p in report.problems] == ["posts/a.md"]


def test_undone_edit_after_a_lost_cache_commit_reaches_the_feeds(site, write_post, tmp_path):
    """The issue's deterministic sequence: build, save cache, edit, build, restore cache, undo, build."""
    post = write_post("2024-01-01-a.md", "---\ntitle: Cat\ntags: [t]\n---\nBody.\n")
    config = load(site)
    build(config, now=NOW)
    cache = config.state_dir / "cache.sqlite"
    saved = {p.name: p.read_bytes() for p in config.state_dir.glob("cache.sqlite*")}
    post.write_text(post.read_text().replace("Cat", "Car"), encoding="utf-8")
    build(config, now=NOW)
    assert _titles(config) == ["Car"]
    for p in config.state_dir.glob("cache.sqlite*"):
        p.unlink()
    for name, data in saved.items():
        (config.state_dir / name).write_bytes(data)
    post.write_text(post.read_text().replace("Car", "Cat"), encoding="utf-8")
    build(config, now=NOW)
    assert cache.exists()
    out = config.feeds.output
    incremental = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert _titles(config) == ["Cat"] and _titles(config, "tags/t/atom.xml") == ["Cat"]
    clean = build(config, now=NOW, use_cache=False)
    assert clean.written == []
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == incremental


def test_a_same_size_edit_within_one_timestamp_tick_of_the_last_build_is_seen(site, write_post):
    post = write_post("2024-01-01-a.md", "---\ntitle: Cat\n---\nBody.\n")
    config = load(site)
    build(config, now=NOW)
    st = post.stat()
    post.write_text(post.read_text().replace("Cat", "Car"), encoding="utf-8")
    os.utime(post, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime: one coarse tick
    build(config, now=NOW)
    assert _titles(config) == ["Car"]
