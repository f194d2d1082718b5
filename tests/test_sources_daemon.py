"""Feed sources in the daemon (`syndicator run`) and in /healthz."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fakes import FakeFeedServer, FakeWebhook
from sources_helpers import config_with_sources, rss

from syndicator.config import load
from syndicator.daemon.core import Daemon
from syndicator.server.health import StatusCache

T0 = datetime(2026, 11, 30, 6, 0, tzinfo=timezone.utc)
DATE = "Mon, 30 Nov 2026 05:00:00 +0000"


def _items(n: int) -> list[tuple]:
    return [(f"g{i}", f"https://blog.example/{i}/", f"Post {i}", DATE) for i in range(n)]


@pytest.fixture()
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with FakeFeedServer() as host, FakeWebhook() as hook:
        monkeypatch.setenv("HOOK_SECRET", hook.secret)
        url = host.publish("/feed.xml", rss(_items(2)))
        path = config_with_sources(tmp_path, sources=[{"name": "blog", "url": url, "every": "10m"}],
                                   endpoints=[{"name": "hook", "type": "webhook", "url": hook.url,
                                               "secret_env": "HOOK_SECRET", "pace": "0s"}])
        yield host, hook, path


def test_the_daemon_polls_each_source_on_its_interval(setup) -> None:
    host, hook, path = setup
    clock = [T0]
    daemon = Daemon(load(path), clock=lambda: clock[0], threaded=False)
    daemon.poll_sources("startup")  # what loop() asks for first
    assert host.hits("/feed.xml") == 1 and hook.deliveries == []
    host.publish("/feed.xml", rss(_items(3)))
    for minutes in (1, 5, 9):  # the daemon looks every minute; the source is due every 10
        clock[0] = T0 + timedelta(minutes=minutes)
        daemon.poll_sources("schedule")
    assert host.hits("/feed.xml") == 1
    clock[0] = T0 + timedelta(minutes=10)
    daemon.poll_sources("schedule")
    assert host.hits("/feed.xml") == 2
    assert [d["body"]["data"]["id"] for d in hook.deliveries] == ["g2"]
    assert [j.tags for j in daemon.scheduler.jobs if "sources" in j.tags]


def test_run_once_polls_sources(setup) -> None:
    host, hook, path = setup
    (path.parent / "posts").mkdir()
    proc = subprocess.run([sys.executable, "-m", "syndicator", "--config", str(path), "run", "--once",
                           "--log-level", "info"], capture_output=True, text=True, timeout=60,
                          env=os.environ.copy())
    assert proc.returncode == 0, proc.stderr
    assert "sources: pass finished (once): sources: 1 polled" in proc.stderr
    assert host.hits("/feed.xml") == 1


def test_healthz_shows_sources_and_what_they_hold(setup) -> None:
    host, hook, path = setup
    config = load(path)
    daemon = Daemon(config, clock=lambda: T0, threaded=False)
    daemon.poll_sources("startup")
    host.publish("/feed.xml", rss(_items(9)))
    daemon.clock = lambda: T0 + timedelta(minutes=10)
    daemon.poll_sources("schedule")
    health = StatusCache(lambda: config).get()
    (row,) = health["sources"]
    assert row["name"] == "blog" and row["held"] == 7 and row["entries_seen"] == 9
    assert row["status"] == "ok" and row["failures"] == 0
    json.dumps(health)  # plain JSON
