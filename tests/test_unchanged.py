"""A build that would change nothing answers from the last finished build's record (issue 12), and only then."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone

import pytest

import syndicator.build.pipeline as pipeline
from syndicator.build import build
from syndicator.config import load

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
POST = "---\ntitle: {title}\ndate: 2025-06-01\ntags: [keep]\nmood_ring: blue\n---\nBody text.\n"


def _age(path, seconds: float = 10.0) -> None:
    """Date a file back, as a file saved well before the build is (coarse timestamps are another test)."""
    stamp = path.stat().st_mtime_ns - int(seconds * 1e9)
    os.utime(path, ns=(stamp, stamp))


@pytest.fixture
def built(site, write_post):
    post = write_post("2025-06-01-a.md", POST.format(title="Alpha"))
    write_post("2099-01-01-later.md", "---\ntitle: Later\n---\nNot yet.\n")
    for path in (site.parent / "posts").iterdir():
        _age(path)
    config = load(site)
    first = build(config, now=NOW, brief=True)
    assert not first.from_record and first.written
    return config, post, first


def test_nothing_changed_is_answered_from_the_record_with_the_same_counts_and_problems(built):
    config, _post, first = built
    rss = config.feeds.output / "rss.xml"
    before = rss.stat().st_mtime_ns
    again = build(config, now=NOW, brief=True)
    assert again.from_record
    assert (again.files, again.published_count, again.future, again.rejected) == (2, 1, 1, 0)
    assert [str(p) for p in again.problems] == [str(p) for p in first.problems]
    assert any("mood_ring" in p.message for p in again.problems)
    assert again.unchanged == len(first.written) and not again.written
    assert rss.stat().st_mtime_ns == before


def test_an_edited_post_is_built(built):
    config, post, _first = built
    post.write_text(POST.format(title="Omega"))  # same size, new mtime
    report = build(config, now=NOW, brief=True)
    assert not report.from_record
    assert "Omega" in (config.feeds.output / "rss.xml").read_text()


def test_an_output_file_changed_by_hand_is_written_again(built):
    config, _post, _first = built
    atom = config.feeds.output / "atom.xml"
    good = atom.read_bytes()
    atom.write_bytes(b"<feed/>")
    report = build(config, now=NOW, brief=True)
    assert not report.from_record and atom.read_bytes() == good
    (config.feeds.output / "tags" / "keep" / "feed.json").unlink()
    assert not build(config, now=NOW, brief=True).from_record
    assert (config.feeds.output / "tags" / "keep" / "feed.json").is_file()


def test_a_scheduled_post_coming_due_is_built(built):
    config, _post, _first = built
    later = datetime(2099, 1, 2, tzinfo=timezone.utc)
    report = build(config, now=later, brief=True)
    assert not report.from_record and report.published_count == 2
    assert "Later" in (config.feeds.output / "rss.xml").read_text()


def test_a_build_that_did_not_finish_vouches_for_nothing(built, monkeypatch):
    """The record is forgotten before a build writes anything: killed half-way, the next one runs in full."""
    config, post, _first = built
    stat = post.stat()
    post.write_text(POST.format(title="Omega"))

    def crash(*_args, **_kwargs):
        raise RuntimeError("killed mid-build")

    monkeypatch.setattr(pipeline, "_build", crash)
    with pytest.raises(RuntimeError):
        build(config, now=NOW, brief=True)
    monkeypatch.undo()
    post.write_text(POST.format(title="Alpha"))  # the edit undone: same bytes, same mtime as recorded
    os.utime(post, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert not build(config, now=NOW, brief=True).from_record


def test_a_post_changed_too_close_to_the_last_scan_is_not_trusted(site, write_post):
    """A filesystem whose clock step hides an edit (same size, same mtime) must not hide it from the feeds."""
    post = write_post("2025-06-01-a.md", POST.format(title="Alpha"))
    # stamped in whole seconds, 10 s ahead: too close to both builds' scans even on a loaded machine (the
    # coming second alone failed when the first build's scan started over a second later)
    coming = (int(time.time()) + 10) * 10**9
    os.utime(post, ns=(coming, coming))
    config = load(site)
    build(config, now=NOW, brief=True)
    stat = post.stat()
    post.write_text(POST.format(title="Omega"))
    os.utime(post, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    report = build(config, now=NOW, brief=True)
    assert not report.from_record
    assert "Omega" in (config.feeds.output / "rss.xml").read_text()


def test_without_brief_the_build_runs_and_reports_posts(built):
    config, _post, _first = built
    report = build(config, now=NOW + timedelta(seconds=1), keep_posts=True)
    assert not report.from_record and [p.title for p in report.posts] == ["Alpha"]
