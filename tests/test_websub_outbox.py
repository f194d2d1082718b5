"""WebSub pings are never lost: recorded durably after the feed write, retried with backoff,
sent by `syndicator build` as well as the daemon, and after a crash between write and ping."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from fakes import FakeHub

from syndicator.cli import main
from syndicator.config import load
from syndicator.crosspost.websub_outbox import announce

ENTRY = Path(__file__).with_name("websub_crash_entry.py")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def _site(root: Path, hub: str) -> Path:
    (root / "posts").mkdir(parents=True, exist_ok=True)
    _post(root, 1)
    config = root / "config.toml"
    config.write_text('[site]\ntitle = "Hub test"\nurl = "https://example.org/"\n\n'
                      f'[feeds]\noutput = "feeds"\nhubs = ["{hub}"]\nper_tag = false\n'
                      "per_category = false\nper_author = false\n", encoding="utf-8")
    return config


def _post(root: Path, n: int) -> None:
    (root / "posts" / f"post-{n}.md").write_text(
        f"---\ntitle: Post {n}\ndate: 2026-01-0{n}\n---\n\nText {n}.\n", encoding="utf-8")


def _build(config: Path, crash: str | None = None) -> subprocess.CompletedProcess:
    args = ["build", "--config", str(config)]
    command = [sys.executable, "-m", "syndicator", *args] if crash is None \
        else [sys.executable, str(ENTRY), crash, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_PROXY": "127.0.0.1"})


FEEDS = {"https://example.org/feeds/rss.xml", "https://example.org/feeds/atom.xml",
         "https://example.org/feeds/feed.json"}


def test_build_pings_the_hubs_for_the_feeds_it_wrote(tmp_path):
    with FakeHub() as hub:
        config = _site(tmp_path, hub.url)
        result = CliRunner().invoke(main, ["build", "--config", str(config)])
        assert result.exit_code == 0, result.output
        assert {url for url, _ in hub.pings} == FEEDS and len(hub.pings) == 3
        assert "websub: 3 ping(s) sent, 0 pending" in result.output
        again = CliRunner().invoke(main, ["build", "--config", str(config)])
        assert len(hub.pings) == 3 and "0 ping(s) sent" in again.output  # nothing changed


def test_a_hub_answering_503_is_asked_again_with_backoff(tmp_path):
    with FakeHub() as hub:
        config = load(_site(tmp_path, hub.url))
        CliRunner().invoke(main, ["build", "--config", str(config.path)])
        _post(tmp_path, 2)
        hub.fail_next(3, status=503)
        CliRunner().invoke(main, ["build", "--config", str(config.path)])
        assert len(hub.pings) == 3  # the three new versions were refused
        with requests.Session() as session:
            now = datetime.now(timezone.utc)
            early = announce(config, now=now + timedelta(seconds=10), session=session)
            assert (early.sent, early.pending) == (0, 3)  # backing off: not yet
            assert early.next_due is not None and early.next_due > now + timedelta(seconds=30)
            later = announce(config, now=now + timedelta(minutes=2), session=session)
        assert (later.sent, later.pending) == (3, 0)
        assert {url for url, _ in hub.pings[3:]} == FEEDS


@pytest.mark.parametrize("point", ["record", "send"])
def test_sigkill_between_feed_write_and_ping_loses_no_ping(tmp_path, point):
    with FakeHub() as hub:
        config = _site(tmp_path, hub.url)
        assert _build(config).returncode == 0 and len(hub.pings) == 3
        _post(tmp_path, 2)
        killed = _build(config, crash=point)
        assert killed.returncode == -signal.SIGKILL
        feed = (tmp_path / "feeds" / "rss.xml").read_text(encoding="utf-8")
        assert "Post 2" in feed and len(hub.pings) == 3  # written, not pinged
        after = _build(config)
        assert after.returncode == 0, after.stderr
        assert "feeds: 0 written" in after.stdout  # the build itself sees nothing new...
        assert {url for url, _ in hub.pings[3:]} == FEEDS  # ...yet the hubs hear of it
        assert "3 ping(s) sent, 0 pending" in after.stdout
