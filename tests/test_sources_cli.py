"""The feed-source commands as a user runs them: `crosspost --source` (and --dry-run),
`sources` (and --json), `status` and `retry --source`, in a subprocess against local fakes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fakes import FakeFeedServer, FakeWebhook
from sources_helpers import config_with_sources, fixture, rss


def _cli(config: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "syndicator", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=60, env=os.environ.copy())
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture()
def blog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with FakeFeedServer() as host, FakeWebhook() as hook:
        monkeypatch.setenv("HOOK_SECRET", hook.secret)
        url = host.publish("/feed/", fixture("wordpress-rss.xml"))
        config = config_with_sources(tmp_path, sources=[{"name": "blog", "url": url}], endpoints=[
            {"name": "hook", "type": "webhook", "url": hook.url, "secret_env": "HOOK_SECRET",
             "pace": "0s", "max_age": "3650d"}])
        yield host, hook, config


def test_dry_run_shows_messages_and_touches_nothing(blog) -> None:
    host, hook, config = blog
    proc = _cli(config, "crosspost", "--source", "blog", "--dry-run", "--backfill", "1")
    assert proc.returncode == 0, proc.stderr
    assert "[hook] https://fieldnotes.example/?p=212  'Three bridges before breakfast'" in proc.stdout
    assert "| Three bridges before breakfast" in proc.stdout
    assert "2 post(s): in the feed at the source's first poll" in proc.stdout
    assert hook.deliveries == [] and not (config.parent / ".syndicator").exists()


def test_poll_list_release_and_status(blog) -> None:
    host, hook, config = blog
    assert _cli(config, "crosspost", "--source", "blog").returncode == 0
    many = [(f"g{i}", f"https://fieldnotes.example/n{i}/", f"New {i}", "Mon, 30 Nov 2026 05:00:00 +0000")
            for i in range(7)]
    host.publish("/feed/", rss(many))
    proc = _cli(config, "crosspost", "--source", "blog")  # a manual poll ignores the interval
    assert "7 held" in proc.stdout and hook.deliveries == []
    listing = json.loads(_cli(config, "sources", "--json").stdout)
    assert listing[0]["etag"] == '"v2"' and len(listing[0]["held"]) == 7
    assert listing[0]["counts"] == {"baseline": 3, "held": 7}
    assert "7 held (`syndicator retry --source blog`)" in _cli(config, "status").stdout
    assert "held: 7 entries" in _cli(config, "sources").stdout
    assert "released 7 held entries of blog" in _cli(config, "retry", "--source", "blog").stdout
    assert _cli(config, "crosspost", "--source", "blog").returncode == 0
    assert len({d["body"]["data"]["id"] for d in hook.deliveries}) == 7


def test_unknown_source_is_a_config_error(blog) -> None:
    host, hook, config = blog
    proc = _cli(config, "crosspost", "--source", "bolg")
    assert proc.returncode == 2 and "no source named 'bolg' (did you mean 'blog'?)" in proc.stderr


def test_a_failed_poll_exits_1_with_a_message(blog) -> None:
    host, hook, config = blog
    host.status("/feed/", 503, {"Retry-After": "30"})
    proc = _cli(config, "crosspost", "--source", "blog")
    assert proc.returncode == 1 and "HTTP 503" in proc.stdout
    assert "failed" in json.loads(_cli(config, "sources", "--json").stdout)[0]["status"]
