"""End to end: `syndicator run --serve` as a subprocess on a copy of the example site.

Real HTTP on 127.0.0.1 only: the daemon's server on a free port, fake platforms from
tests/fakes, a real feed reader (newsboat) and feedparser as clients.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import feedparser
import pytest
from daemon_helpers import DaemonProcess, copy_example_site, iso, post_text, wait_for
from fakes.bluesky import FakeBluesky
from fakes.mastodon import FakeMastodon
from fakes.micropub import FakeMicropub
from fakes.websub import FakeHub

TITLE = "Syndication from the shed, end to end"


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)


def served(daemon: DaemonProcess) -> str:
    """The daemon's base URL, read from its "serving ... on http://..." log line."""
    line = daemon.wait_log("serving ")
    return re.search(r"on (http://127\.0\.0\.1:\d+)/", line).group(1)


def save_post(posts: Path, name: str, text: str) -> None:
    """Save as an editor does: a temporary file renamed over the target."""
    tmp = posts / f".{name}.swp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, posts / name)


def feed_has(base: str, name: str, text: str) -> bool:
    status, body, _ = get(f"{base}/{name}")
    return status == 200 and text.encode("utf-8") in body


@pytest.fixture
def fakes():
    servers = {"mastodon": FakeMastodon(), "micropub": FakeMicropub(), "bluesky": FakeBluesky(),
               "hub": FakeHub()}
    for server in servers.values():
        server.start()
    yield servers
    for server in servers.values():
        server.stop()


def endpoint_site(tmp_path: Path, fakes: dict) -> tuple[Path, dict[str, str]]:
    """The example site with one [[endpoints]] per fake (secrets in env vars) and the hub."""
    extra = f"""
[[endpoints]]
name = "mastodon"
type = "mastodon"
instance = "{fakes['mastodon'].url}"
token_env = "E2E_MASTODON_TOKEN"

[[endpoints]]
name = "micropub"
type = "micropub"
endpoint = "{fakes['micropub'].url}"
token_env = "E2E_MICROPUB_TOKEN"
photo = false

[[endpoints]]
name = "bluesky"
type = "bluesky"
handle = "{fakes['bluesky'].handle}"
service = "{fakes['bluesky'].url}"
password_env = "E2E_BLUESKY_PASSWORD"
card = false
"""
    config = copy_example_site(tmp_path / "site", extra)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[feeds]\n", f'[feeds]\nhubs = ["{fakes["hub"].url}"]\n', 1),
                      encoding="utf-8")
    env = {"E2E_MASTODON_TOKEN": fakes["mastodon"].token,
           "E2E_MICROPUB_TOKEN": fakes["micropub"].token,
           "E2E_BLUESKY_PASSWORD": fakes["bluesky"].password}
    return config, env


def messages(fakes: dict, title: str) -> dict[str, int]:
    """How many messages each fake platform received mentioning `title`, and in all."""
    texts = {
        "mastodon": [s["status"] for s in fakes["mastodon"].statuses],
        "micropub": [json.dumps(e, ensure_ascii=False) for e in fakes["micropub"].entries],
        "bluesky": [p.get("text", "") for p in fakes["bluesky"].posts()],
    }
    out = {name: sum(title in t for t in items) for name, items in texts.items()}
    out["total"] = sum(len(items) for items in texts.values())
    return out


def test_new_post_is_served_and_crossposted_exactly_once(tmp_path, fakes):
    config, env = endpoint_site(tmp_path, fakes)
    with DaemonProcess(config, "--serve", "--port", "0", env=env) as daemon:
        base = served(daemon)
        wait_for(lambda: feed_has(base, "rss.xml", "<rss"))
        # the startup pass baselines the new endpoints: existing posts are skipped, none sent
        daemon.wait_log("crosspost: pass finished")
        assert messages(fakes, TITLE)["total"] == 0
        assert "first seen" in daemon.log

        now = datetime.now(timezone.utc)
        save_post(config.parent / "posts", "2026-e2e.md",
                  post_text(TITLE, date=iso(now - timedelta(minutes=1))))
        start = time.monotonic()
        for name in ("rss.xml", "atom.xml", "feed.json"):
            wait_for(lambda: feed_has(base, name, TITLE), timeout=5)
        latency = time.monotonic() - start
        assert latency < 3, f"feeds took {latency:.2f}s to show the new post"

        wait_for(lambda: all(messages(fakes, TITLE)[n] for n in ("mastodon", "micropub", "bluesky")),
                 timeout=15)
        time.sleep(1.5)  # a duplicate would arrive in this window
        assert messages(fakes, TITLE) == {"mastodon": 1, "micropub": 1, "bluesky": 1, "total": 3}

        # WebSub: the hub heard about the changed feeds, by their public URLs
        pinged = {url for url, _ in fakes["hub"].pings}
        assert "https://fieldnotes.example.org/feeds/rss.xml" in pinged
        assert "https://fieldnotes.example.org/feeds/atom.xml" in pinged

        # /healthz from the daemon: last build, published posts, cross-posting per endpoint
        status, body, _ = get(f"{base}/healthz")
        health = json.loads(body)
        assert status == 200 and health["last_build"] and health["published_posts"] >= 2
        sent = {e["name"]: e["counts"]["sent"] for e in health["crosspost"]["endpoints"]}
        assert sent == {"mastodon": 1, "micropub": 1, "bluesky": 1}
        for secret in env.values():
            assert secret not in body.decode() and secret not in daemon.log
        assert health["process"]["pid"] == daemon.proc.pid  # loopback sees the process
        # through a proxy (a loopback peer relaying someone else): no paths, no PID
        _, proxied, _ = get(f"{base}/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
        public = json.loads(proxied)
        assert '"pid"' not in proxied.decode() and str(config.parent) not in proxied.decode()
        assert public.keys() == health.keys() - {"process"}

        # feedparser: a second fetch with the ETag is answered 304
        first = feedparser.parse(f"{base}/rss.xml")
        assert first.status == 200 and first.bozo == 0 and first.etag
        assert any(e.title == TITLE for e in first.entries)
        second = feedparser.parse(f"{base}/rss.xml", etag=first.etag)
        assert second.status == 304 and not second.entries

        started = time.monotonic()
        assert daemon.stop() == 0
        assert time.monotonic() - started < 10
    assert "stopped" in daemon.log and "Traceback" not in daemon.log


def test_a_post_dated_two_seconds_ahead_appears_without_a_file_change(tmp_path):
    config = copy_example_site(tmp_path / "site")
    with DaemonProcess(config, "--serve", "--port", "0") as daemon:
        base = served(daemon)
        wait_for(lambda: feed_has(base, "rss.xml", "<rss"))
        title = "A letter that waited two seconds"
        due = (datetime.now(timezone.utc) + timedelta(seconds=3)).replace(microsecond=0)
        save_post(config.parent / "posts", "2026-scheduled.md", post_text(title, date=iso(due)))
        # the change is built at once, with the post still in the future...
        daemon.wait_log(f"next scheduled post at {due.isoformat()}")
        assert not feed_has(base, "rss.xml", title)
        assert datetime.now(timezone.utc) < due, "machine too slow for a 3 s lead"
        # ...and published when its time comes, nothing touched in between
        wait_for(lambda: feed_has(base, "rss.xml", title), timeout=10)
        appeared = datetime.now(timezone.utc)
        assert due <= appeared < due + timedelta(seconds=3)
        assert daemon.stop() == 0


def test_newsboat_stores_the_post_with_title_and_author(tmp_path):
    newsboat = shutil.which("newsboat")
    if newsboat is None:
        pytest.skip("newsboat not installed (Debian package `newsboat`; .ci/run installs it)")
    config = copy_example_site(tmp_path / "site")
    with DaemonProcess(config, "--serve", "--port", "0") as daemon:
        base = served(daemon)
        wait_for(lambda: feed_has(base, "rss.xml", "<rss"))
        now = datetime.now(timezone.utc)
        save_post(config.parent / "posts", "2026-newsboat.md",
                  post_text(TITLE, date=iso(now - timedelta(minutes=1)), author="tomas"))
        wait_for(lambda: feed_has(base, "atom.xml", TITLE), timeout=5)
        # One cache per feed: newsboat keys items by guid across feeds, so with both in one
        # cache the RSS items would be relabelled as the Atom feed's.
        for name in ("rss.xml", "atom.xml"):
            home = tmp_path / f"newsboat-{name}"
            home.mkdir()
            (home / "urls").write_text(f"{base}/{name}\n", encoding="utf-8")
            (home / "config").write_text("", encoding="utf-8")
            result = subprocess.run(
                [newsboat, "-x", "reload", "-u", str(home / "urls"), "-c", str(home / "cache.db"),
                 "-C", str(home / "config")], cwd=home, capture_output=True, text=True, timeout=60,
                env={**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home),
                     "XDG_DATA_HOME": str(home), "LANG": "C.UTF-8"})
            assert result.returncode == 0, result.stderr
            with sqlite3.connect(home / "cache.db") as db:
                rows = db.execute("SELECT title, author, url, feedurl FROM rss_item").fetchall()
            mine = [r for r in rows if r[0] == TITLE]
            assert len(mine) == 1, f"{name}: newsboat stored {rows}"
            assert mine[0][1] == "Tomás Lindqvist"
            assert mine[0][2].startswith("https://fieldnotes.example.org/")
            assert mine[0][3] == f"{base}/{name}"
            assert len(rows) >= 6  # the example posts as well
            # the co-authored example post shows both authors
            pair = [r[1] for r in rows if r[0].startswith("Pairing across time zones")]
            assert len(pair) == 1 and "Maya Okafor" in pair[0] and "Tomás Lindqvist" in pair[0], pair
        assert daemon.stop() == 0


def test_one_daemon_per_state_directory_signals_and_json_logs(tmp_path):
    config = copy_example_site(tmp_path / "site")
    with DaemonProcess(config, "--log-format", "json") as first:
        first.wait_log("daemon started")
        # a second `run` (and a --once from cron) refuses at once, naming the first
        for extra in ([], ["--once"]):
            started = time.monotonic()
            second = subprocess.run([sys.executable, "-m", "syndicator", "run", "--config",
                                     str(config), *extra], capture_output=True, text=True,
                                    timeout=30)
            assert second.returncode != 0
            assert f"PID {first.proc.pid}" in second.stderr
            assert time.monotonic() - started < 10
        # SIGHUP with a broken config: reported, the old config kept, still running
        good = config.read_text(encoding="utf-8")
        config.write_text(good + "\n[site\n", encoding="utf-8")
        first.proc.send_signal(signal.SIGHUP)
        first.wait_log("config reload failed")
        assert first.proc.poll() is None
        config.write_text(good, encoding="utf-8")
        # every line is a JSON object with time and level
        for line in first.lines:
            record = json.loads(line)
            assert {"time", "level", "message"} <= set(record)
        # SIGKILL leaves no stale lock: --once runs after it
        first.proc.kill()
        first.proc.wait()
    once = subprocess.run([sys.executable, "-m", "syndicator", "run", "--config", str(config),
                           "--once"], capture_output=True, text=True, timeout=60)
    assert once.returncode == 0, once.stderr
    assert (config.parent / "feeds" / "rss.xml").is_file()
