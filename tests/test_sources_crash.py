"""Crash safety of feed sources: `syndicator crosspost --source` SIGKILLed during polls and
deliveries, then restarted, until everything is delivered.

Two kinds of kill: deterministic ones at a ledger step (crash_entry.py N: after a claim is
committed, after a send returned, after `sent` is recorded), kills at a random moment from
outside, and kills inside a poll (once the feed request has reached the slow host, before it
answers, so they land there whatever the machine's load). The feed changes
while this goes on. Afterwards every new entry has exactly one remote object on Mastodon,
Bluesky and the webhook (deduplicated by webhook-id), none is lost, and Discord (at most
once) never posted one twice.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from fakes import FakeBluesky, FakeDiscord, FakeFeedServer, FakeMastodon, FakeWebhook
from fakes.fleet import fleet
from sources_helpers import config_with_sources, rss

from syndicator.config import load
from syndicator.crosspost.ledger import open_ledger

ENTRY = Path(__file__).with_name("crash_entry.py")


def _feed(n: int) -> bytes:
    now = datetime.now(UTC)
    return rss([(f"https://blog.example/?p={i}", f"https://blog.example/{i}/", f"Entry {i} ✨",
                 format_datetime(now - timedelta(minutes=60 - i))) for i in range(n)])


def _command(config: Path, crash_at: int | None) -> list[str]:
    args = ["crosspost", "--source", "blog", "--config", str(config)]
    return [sys.executable, "-m", "syndicator", *args] if crash_at is None \
        else [sys.executable, str(ENTRY), str(crash_at), *args]


def _run(config: Path, env: dict[str, str], *, crash_at: int | None = None,
         kill_after: float | None = None, kill_in_poll: tuple[FakeFeedServer, float] | None = None) -> int:
    """Run one crosspost; kill it after `kill_after` s, or `kill_in_poll`'s delay after its feed
    request reached the (slow) host, so the kill lands inside the poll whatever the machine's load."""
    seen = kill_in_poll[0].arrivals if kill_in_poll else 0
    proc = subprocess.Popen(_command(config, crash_at), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if kill_in_poll is not None:
        host, delay = kill_in_poll
        deadline = time.monotonic() + 60
        while host.arrivals == seen and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(delay)
        kill_after = 0.0
    try:
        _, err = proc.communicate(timeout=kill_after if kill_after is not None else 60)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        return -signal.SIGKILL
    if proc.returncode != -signal.SIGKILL:
        assert "Traceback" not in err, err
    return proc.returncode


def test_sigkill_during_polls_and_deliveries_loses_and_repeats_nothing(tmp_path: Path) -> None:
    rng = random.Random(11)
    with FakeFeedServer() as host, FakeMastodon() as masto, FakeBluesky() as bsky, \
            FakeWebhook() as hook, FakeDiscord() as discord:
        env, endpoints = fleet(masto, bsky, hook, discord)
        url = host.publish("/feed.xml", _feed(2))
        config = config_with_sources(tmp_path, sources=[{"name": "blog", "url": url}], endpoints=endpoints)
        assert _run(config, env) == 0  # the baseline: the two entries there are skipped
        host.publish("/feed.xml", _feed(5))
        host.delay = 0.3
        masto.apply_then(504, match=lambda r: r.path == "/api/v1/statuses")
        bsky.apply_then(504, match=lambda r: r.path.endswith("createRecord"))
        kills = {"step": 0, "random": 0, "mid-poll": 0}
        for run in range(36):
            if run == 12:
                host.publish("/feed.xml", _feed(8))  # more entries arrive mid-way
            # Kills at a ledger step need deliveries still to do: the first runs all kill at a step
            # (each leaves most of the work), later ones alternate. A random kill comes before a
            # run could finish even on an idle machine (the feed host alone takes 0.3 s a poll).
            if run < 8 or run % 2:
                code = _run(config, env, crash_at=run % 5 + 1)
                kills["step"] += code == -signal.SIGKILL
            elif run % 4 == 2:  # inside the poll: after the request reached the host, before its answer
                code = _run(config, env, kill_in_poll=(host, rng.uniform(0.0, 0.2)))
                kills["random"] += code == -signal.SIGKILL
                kills["mid-poll"] += code == -signal.SIGKILL and _mid_poll(config)
            else:
                code = _run(config, env, kill_after=rng.uniform(0.2, 1.0))
                kills["random"] += code == -signal.SIGKILL
                kills["mid-poll"] += code == -signal.SIGKILL and _mid_poll(config)
            assert code in (0, 1, -signal.SIGKILL), code
        host.delay = 0.0
        for _ in range(6):  # no more crashes: let backoffs come due and finish
            _age(config)
            time.sleep(0.1)
            _run(config, env)
        print("kills", kills)
        assert kills["step"] >= 4 and kills["random"] >= 4 and kills["mid-poll"] >= 1

        new = [f"https://blog.example/?p={i}" for i in range(2, 8)]
        with open_ledger(load(config).state_dir / "ledger.sqlite", readonly=True) as ledger:
            states = Counter((r.endpoint, r.state) for r in ledger.rows() if r.post_id in new)
            skipped = {r.post_id for r in ledger.rows(states=["skipped"])}
        for name in ("masto", "bsky", "hook"):
            assert states[(name, "sent")] == len(new), (name, states)
        assert skipped == {"https://blog.example/?p=0", "https://blog.example/?p=1"}
        assert sorted(Counter(s["status"].split("\n")[0] for s in masto.statuses).values()) == [1] * 6
        assert len(bsky.records) == 6
        assert len({r["value"]["text"].split("\n")[0] for r in bsky.records.values()}) == 6
        by_id: dict[str, set[str]] = {}
        for d in hook.deliveries:
            by_id.setdefault(d["body"]["data"]["id"], set()).add(d["id"])
        assert sorted(by_id) == sorted(new) and all(len(ids) == 1 for ids in by_id.values())
        chat = Counter(m.get("content", "").split("\n")[0] for m in discord.messages)
        assert all(n == 1 for n in chat.values())


def _mid_poll(config: Path) -> bool:
    """Whether the last kill came between a poll's intent (last_fetch) and its outcome."""
    conn = sqlite3.connect(load(config).state_dir / "ledger.sqlite")
    row = conn.execute("SELECT last_fetch, last_ok FROM sources WHERE name = 'blog'").fetchone()
    conn.close()
    return bool(row and row[0] and (row[1] is None or row[1] < row[0]))


def _age(config: Path) -> None:
    """Make every scheduled retry due now (a test cannot wait out a backoff)."""
    conn = sqlite3.connect(load(config).state_dir / "ledger.sqlite")
    conn.execute("UPDATE deliveries SET next_attempt_at = '2000-01-01T00:00:00.000000Z' "
                 "WHERE next_attempt_at IS NOT NULL")
    conn.commit()
    conn.close()
