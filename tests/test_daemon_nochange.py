"""A daemon build with nothing changed answers from the last build's record, and forgets nothing."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path

from daemon_helpers import write_minimal_site

from syndicator import config as config_module
from syndicator.build import build
from syndicator.daemon import Daemon

NEW_POST = "---\ntitle: Second\ndate: 2026-01-03\nauthor: ann\n---\n\nAnother.\n"


def _old_site(tmp_path: Path) -> config_module.Config:
    """The minimal site with its post dated an hour back (a fresh mtime is never trusted)."""
    config = config_module.load(write_minimal_site(tmp_path))
    hour_ago = time.time() - 3600
    for post in config.posts_dir.iterdir():
        os.utime(post, (hour_ago, hour_ago))
    return config


def test_nothing_changed_is_answered_from_the_record_and_keeps_the_published_posts(tmp_path):
    config = _old_site(tmp_path)
    daemon = Daemon(config, crosspost=lambda *a, **k: None, threaded=False)  # the real build
    assert daemon.build(datetime.now(timezone.utc))
    first = daemon.builds.report
    assert not first.from_record and [p.source for p in daemon.published] == ["2026-01-01-hello.md"]
    news = daemon.builds.run(config, datetime.now(timezone.utc))
    assert daemon.builds.report.from_record  # no post read
    assert news.new_posts == () and news.changed == ()
    assert daemon.published == first.published and daemon.health().published_posts == 1

    (config.posts_dir / "2026-01-03-second.md").write_text(NEW_POST, encoding="utf-8")
    news = daemon.builds.run(config, datetime.now(timezone.utc))
    assert not daemon.builds.report.from_record
    assert [p.source for p in news.new_posts] == ["2026-01-03-second.md"]  # only it is new
    assert [p.source for p in daemon.published] == ["2026-01-03-second.md", "2026-01-01-hello.md"]
    assert "Second" in (config.feeds.output / "rss.xml").read_text(encoding="utf-8")


def test_a_crosspost_pass_still_reads_the_posts(tmp_path):
    config = _old_site(tmp_path)
    daemon = Daemon(config, crosspost=lambda *a, **k: None, threaded=False)
    assert daemon.build(datetime.now(timezone.utc))
    assert daemon.build(datetime.now(timezone.utc), keep_posts=True)
    report = daemon.builds.report
    assert not report.from_record and [p.title for p in report.posts] == ["Hello"]


def test_a_record_left_by_another_build_with_other_posts_is_not_taken(tmp_path):
    config = _old_site(tmp_path)
    daemon = Daemon(config, crosspost=lambda *a, **k: None, threaded=False)
    assert daemon.build(datetime.now(timezone.utc))
    second = config.posts_dir / "2026-01-03-second.md"
    second.write_text(NEW_POST, encoding="utf-8")
    hour_ago = time.time() - 3600
    os.utime(second, (hour_ago, hour_ago))
    build(config, now=datetime.now(timezone.utc), brief=False)  # `syndicator build` in another shell
    news = daemon.builds.run(config, datetime.now(timezone.utc))
    assert [p.source for p in news.new_posts] == ["2026-01-03-second.md"]
    assert daemon.health().published_posts == 2
