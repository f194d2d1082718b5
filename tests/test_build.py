"""The build stage: which feeds exist, incremental rewrites, removal, determinism, bad posts."""

from __future__ import annotations

import errno
import os
import shutil
import threading
from dataclasses import replace
from datetime import datetime, timezone

import feedparser

from syndicator.build import build
from syndicator.build.parallel import fork_map
from syndicator.config import load

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _files(out):
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def test_feeds_per_tag_category_and_author_and_opml(site, write_post):
    write_post("2024-01-01-a.md", "---\ntitle: A\ntags: [Café, x]\ncategories: [Notes]\n---\nHello.\n")
    write_post("2024-01-02-b.md", "---\ntitle: B\nauthors: [ann, bob]\ntags: [x]\n---\nWorld.\n")
    config = load(site)
    report = build(config, now=NOW, keep_posts=True)
    assert report.problems == [] and [p.title for p in report.posts] == ["B", "A"]
    files = _files(config.feeds.output)
    for folder in ("", "tags/café/", "tags/x/", "categories/notes/", "authors/ann/", "authors/bob/"):
        for name in ("rss.xml", "atom.xml", "feed.json"):
            assert folder + name in files
    assert "feeds.opml" in files
    author_feed = feedparser.parse((config.feeds.output / "authors/bob/atom.xml").read_bytes())
    assert [e.title for e in author_feed.entries] == ["B"]
    opml = (config.feeds.output / "feeds.opml").read_text()
    assert "https://test.example/feeds/tags/caf%C3%A9/rss.xml" in opml


def test_rebuild_writes_only_changed_feeds_and_removes_vanished_tags(site, write_post):
    write_post("2024-01-01-a.md", "---\ntitle: A\ntags: [keep]\n---\nHello.\n")
    post = write_post("2024-01-02-b.md", "---\ntitle: B\ntags: [gone]\n---\nWorld.\n")
    config = load(site)
    first = build(config, now=NOW)
    assert len(first.written) == len(_files(config.feeds.output))
    again = build(config, now=NOW)
    assert again.written == [] and again.removed == []
    post.write_text("---\ntitle: B\ntags: [keep]\n---\nWorld, edited.\n", encoding="utf-8")
    os.utime(post, ns=(post.stat().st_atime_ns, post.stat().st_mtime_ns + 10**9))
    edited = build(config, now=NOW)
    assert not (config.feeds.output / "tags/gone").exists()
    assert {p.relative_to(config.feeds.output).parent.as_posix() for p in edited.removed} == {"tags/gone"}
    written = {p.relative_to(config.feeds.output).as_posix() for p in edited.written}
    assert "tags/keep/rss.xml" in written and "authors/ann/atom.xml" in written
    assert b"World, edited." in (config.feeds.output / "rss.xml").read_bytes()


def test_same_input_same_bytes_with_and_without_cache(site, write_post, tmp_path):
    write_post("2024-01-01-a.md", "---\ntitle: A ☕\ntags: [t]\n---\nHello *there*.[^1]\n\n[^1]: Note.\n")
    config = load(site)
    build(config, now=NOW)
    first = {f: (config.feeds.output / f).read_bytes() for f in _files(config.feeds.output)}
    for f in first:
        (config.feeds.output / f).unlink()
    build(config, now=datetime(2026, 6, 1, tzinfo=timezone.utc), use_cache=False)
    second = {f: (config.feeds.output / f).read_bytes() for f in _files(config.feeds.output)}
    assert first == second


def test_future_post_appears_when_due_and_draft_never(site, write_post):
    write_post("2026-03-01-later.md", "---\ntitle: Later\n---\nSoon.\n")
    write_post("2024-01-01-draft.md", "---\ntitle: Draft\ndraft: true\n---\nNo.\n")
    write_post("2024-01-01-now.md", "---\ntitle: Now\n---\nYes.\n")
    config = load(site)
    before = build(config, now=NOW, keep_posts=True)
    assert [p.title for p in before.posts] == ["Now"] and before.future == 1 and before.drafts == 1
    assert before.next_due == datetime(2026, 3, 1, tzinfo=config.site.timezone)
    after = build(config, now=datetime(2026, 3, 2, tzinfo=timezone.utc), keep_posts=True)
    assert [p.title for p in after.posts] == ["Later", "Now"] and after.next_due is None
    titles = [e.title for e in feedparser.parse((config.feeds.output / "rss.xml").read_bytes()).entries]
    assert titles == ["Later", "Now"]


def test_broken_posts_are_reported_and_the_rest_publish(site, write_post):
    write_post("2024-01-01-good.md", "---\ntitle: Good\n---\nFine.\n")
    write_post("2024-01-02-bad.md", "---\ntitle: [unclosed\n---\nx\n")
    config = load(site)
    report = build(config, now=NOW, keep_posts=True)
    assert report.rejected == 1 and [p.title for p in report.posts] == ["Good"]
    assert str(report.problems[0]) == ("posts/2024-01-02-bad.md:3: invalid YAML front matter: did not find "
                                       "expected ',' or ']' (while parsing a flow sequence started on line 2)")
    assert [e.title for e in feedparser.parse((config.feeds.output / "atom.xml").read_bytes()).entries] == ["Good"]


def test_unwritable_output_keeps_old_feed_and_reports(site, write_post, monkeypatch):
    write_post("2024-01-01-a.md", "---\ntitle: A\n---\nx\n")
    config = load(site)
    build(config, now=NOW)
    old = (config.feeds.output / "rss.xml").read_bytes()
    write_post("2024-01-02-b.md", "---\ntitle: B\n---\ny\n")

    def disk_full(fd):  # the fault comes from the disk, so it happens as root too
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    report = build(config, now=NOW)
    monkeypatch.undo()
    assert (config.feeds.output / "rss.xml").read_bytes() == old
    assert any(p.message == "cannot write feed (No space left on device); the old file is kept"
               and p.path.endswith("rss.xml") for p in report.problems)
    assert report.written == [] and not [f for f in _files(config.feeds.output) if "/." in "/" + f]
    again = build(config, now=NOW)  # the failed files were not recorded as written: retried
    assert b"<title>B</title>" in (config.feeds.output / "rss.xml").read_bytes() and again.problems == []


def test_no_temporary_files_left_behind(site, write_post):
    write_post("2024-01-01-a.md", "---\ntitle: A\n---\nx\n")
    config = load(site)
    build(config, now=NOW)
    assert not [f for f in _files(config.feeds.output) if "/." in "/" + f]


def _tagged(context, item):
    return context["tag"], item * 2, os.getpid()


def test_fork_map_hands_the_context_to_every_worker():
    items = list(range(200))
    forked = list(fork_map(_tagged, items, context={"tag": "ctx"}, min_items=1, chunksize=7))
    here = list(fork_map(_tagged, items, context={"tag": "ctx"}, min_items=10_000))
    assert [r[:2] for r in forked] == [r[:2] for r in here] == [("ctx", i * 2) for i in items]
    assert {r[2] for r in here} == {os.getpid()}
    # Workers are forked unless there is one core or other threads run (see parallel.py).
    can_fork = (os.cpu_count() or 1) > 1 and threading.active_count() == 1
    assert (os.getpid() not in {r[2] for r in forked}) == can_fork


def test_report_is_plain_data_with_the_posts_and_their_bodies(site, write_post):
    write_post("2024-01-01-a.md", "---\ntitle: A\n---\nHello *there*.\n")
    write_post("2024-01-02-b.md", "---\ntitle: B\ndraft: true\n---\nNot yet.\n")
    config = load(site)
    report = build(config, now=NOW, keep_posts=True)
    assert build(config, now=NOW).posts == []  # only asked for: loading every post costs time
    shutil.rmtree(config.posts_dir)  # reading the report must not need the files or the cache
    shutil.rmtree(config.state_dir)
    (post,) = report.posts
    assert post.title == "A" and report.bodies[post.digest].html == "<p>Hello <em>there</em>.</p>\n"
    assert [s.id for s in report.published] == [post.id]


def test_kept_posts_come_with_a_body_or_their_source_text(site, write_post):
    write_post("2024-01-01-a.md", "---\ntitle: A\n---\nHello *there*.\n")
    config = load(site)
    build(config, now=NOW)  # renders A's body into the feeds and the cache
    again = build(config, now=NOW, keep_posts=True)  # renders nothing: the body comes from the cache
    (post,) = again.posts
    assert again.written == [] and again.bodies[post.digest].html == "<p>Hello <em>there</em>.</p>\n"
    write_post("2024-01-02-b.md", "---\ntitle: B\n---\nSecond.\n")
    one_item = replace(config, feeds=replace(config.feeds, items=1))  # A is in no feed any more
    report = build(one_item, now=NOW, keep_posts=True, use_cache=False)
    newer, older = report.posts
    assert newer.digest in report.bodies and older.digest not in report.bodies
    assert older.title == "A" and older.body == "Hello *there*.\n"  # so cross-posting can render it
