"""Crash safety: `syndicator crosspost` killed with SIGKILL at many points, then restarted.

The kill points are deterministic: crash_entry.py N runs the CLI with a ledger that SIGKILLs the
process at its Nth step (after a claim is committed, after a send returned or failed, after an
outcome is recorded); the fault is injected from the test side, production code has no hook. Runs cycle through N = 1..5 so every step of every endpoint is
hit, with a few platform faults (applied-then-504, a dropped connection) mixed in. Afterwards
every (post, endpoint) pair has exactly one remote object on the Mastodon, Bluesky and webhook
fakes (webhooks deduplicated by webhook-id), none is lost, and the chat webhook (at most once)
never posted twice.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from crosspost_helpers import write_config
from fakes import FakeBluesky, FakeDiscord, FakeMastodon, FakeWebhook
from fakes.fleet import fleet

from syndicator.config import load
from syndicator.crosspost.ledger import open_ledger

POSTS = 4


def _posts(folder: Path) -> list[str]:
    folder.mkdir(exist_ok=True)
    now = datetime.now(UTC)
    slugs = []
    for n in range(1, POSTS + 1):
        date = (now - timedelta(minutes=10 * (POSTS - n) + 5)).isoformat(timespec="seconds")
        slug = f"crash-post-{n}"
        (folder / f"{slug}.md").write_text(
            f"---\ntitle: Crash test post {n} ✨\ndate: {date}\ntags: [test, crash]\n---\n\n"
            f"Post number {n}, with a summary that goes on for a little while.\n",
            encoding="utf-8")
        slugs.append(slug)
    return slugs


ENTRY = Path(__file__).with_name("crash_entry.py")


def _run(config: Path, env: dict[str, str], crash_at: int | None) -> int:
    args = ["crosspost", "--config", str(config)]
    command = [sys.executable, "-m", "syndicator", *args] if crash_at is None \
        else [sys.executable, str(ENTRY), str(crash_at), *args]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    if crash_at is None or proc.returncode != -signal.SIGKILL:
        assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode


def test_sigkill_at_every_step_neither_loses_nor_duplicates(tmp_path: Path) -> None:
    with FakeMastodon() as masto, FakeBluesky() as bsky, FakeWebhook() as hook, \
            FakeDiscord() as discord:
        env, endpoints = fleet(masto, bsky, hook, discord)
        config = write_config(tmp_path, endpoints=endpoints)
        (tmp_path / "posts").mkdir()
        assert _run(config, env, None) == 0  # the baseline: no posts yet, nothing sent
        slugs = _posts(tmp_path / "posts")

        # Platform faults on top of the crashes: applied but answered 504, a dropped reply.
        masto.apply_then(504, match=lambda r: r.path == "/api/v1/statuses")
        bsky.apply_then(504, match=lambda r: r.path.endswith("createRecord"))
        hook.reset_next(match=lambda r: r.method == "POST")

        kills = 0
        for run in range(40):
            code = _run(config, env, crash_at=run % 5 + 1)
            if code == -signal.SIGKILL:
                kills += 1
                continue
            if code in (0, 1):  # finished before reaching its kill point
                with open_ledger(load(config).state_dir / "ledger.sqlite", readonly=True) as ledger:
                    open_rows = ledger.rows(states=["pending", "sending"])
                if not open_rows:
                    break
            else:
                pytest.fail(f"crosspost exited with {code}")
        print(f"runs: {run + 1}, kills: {kills}")
        assert kills >= 10
        for _ in range(5):  # let backoffs come due: finish without crashes
            if _run(config, env, None) == 0:
                break
            _age_ledger(config)

        with open_ledger(load(config).state_dir / "ledger.sqlite", readonly=True) as ledger:
            states = Counter((r.endpoint, r.state) for r in ledger.rows())
        assert states[("masto", "sent")] == POSTS
        assert states[("bsky", "sent")] == POSTS
        assert states[("hook", "sent")] == POSTS

        titles = Counter(s["status"].split("\n")[0] for s in masto.statuses)
        assert len(masto.statuses) == POSTS and set(titles.values()) == {1}
        assert len(bsky.records) == POSTS
        assert len({r["value"]["text"].split("\n")[0] for r in bsky.records.values()}) == POSTS
        by_id: dict[str, set[str]] = {}
        for d in hook.deliveries:
            by_id.setdefault(d["body"]["data"]["id"] if "data" in d["body"] else d["body"]["id"],
                             set()).add(d["id"])
        assert len(by_id) == POSTS and all(len(ids) == 1 for ids in by_id.values())
        # The chat webhook promises at most once: never two messages for one post.
        chat = Counter(m.get("content", "").split("\n")[0] for m in discord.messages)
        assert all(n == 1 for n in chat.values())
        assert len(slugs) == POSTS
        print("states", dict(states), "masto requests", len(masto.requests), "bsky logins",
              bsky.logins, "hook deliveries", len(hook.deliveries), "discord", len(discord.messages))


def _age_ledger(config: Path) -> None:
    """Make every scheduled retry due now (a test cannot wait out a 1-minute backoff)."""
    import sqlite3

    conn = sqlite3.connect(load(config).state_dir / "ledger.sqlite")
    conn.execute("UPDATE deliveries SET next_attempt_at = '2000-01-01T00:00:00.000000Z' "
                 "WHERE next_attempt_at IS NOT NULL")
    conn.commit()
    conn.close()
