"""The delivery ledger: schema, constraints, transitions, and its invariants as a state machine."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from crosspost_helpers import NOW
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from syndicator.crosspost.ledger import SCHEMA_VERSION, Plan, open_ledger, stamp
from syndicator.errors import LedgerError


def _ledger(tmp_path: Path):
    return open_ledger(tmp_path / "state" / "ledger.sqlite")


def test_new_ledger_schema_wal_and_private_mode(tmp_path: Path) -> None:
    with _ledger(tmp_path) as ledger:
        assert ledger.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert ledger.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    path = tmp_path / "state" / "ledger.sqlite"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_states_are_a_closed_set_enforced_by_the_database(tmp_path: Path) -> None:
    with _ledger(tmp_path) as ledger:
        with pytest.raises(sqlite3.IntegrityError):
            ledger.conn.execute("INSERT INTO deliveries (post_id, endpoint, state, published, "
                                "created_at, updated_at) VALUES ('p', 'e', 'posted', 'x', 'x', 'x')")


def test_one_row_per_post_and_endpoint(tmp_path: Path) -> None:
    with _ledger(tmp_path) as ledger:
        plan = [Plan("p1", NOW, "pending", due=NOW)]
        assert ledger.plan("masto", plan, now=NOW) == 1
        assert ledger.plan("masto", [Plan("p1", NOW, "skipped", "again")], now=NOW) == 0
        assert ledger.get("p1", "masto").state == "pending"
        assert ledger.plan("bsky", plan, now=NOW) == 1
        with pytest.raises(sqlite3.IntegrityError):
            ledger.conn.execute("INSERT INTO deliveries (post_id, endpoint, state, published, "
                                "created_at, updated_at) VALUES ('p1', 'masto', 'pending', 'x', "
                                "'x', 'x')")


def test_claim_stores_key_before_sending_and_keeps_it(tmp_path: Path) -> None:
    with _ledger(tmp_path) as ledger:
        ledger.plan("masto", [Plan("p1", NOW, "pending", due=NOW)], now=NOW)
        before = ledger.claim("p1", "masto", key="k1", now=NOW)
        assert before.state == "pending" and before.attempts == 0
        row = ledger.get("p1", "masto")
        assert (row.state, row.key, row.attempts) == ("sending", "k1", 1)
        # another connection sees the claim: it was committed before any send
        other = sqlite3.connect(ledger.path)
        assert other.execute("SELECT state, key FROM deliveries").fetchone() == ("sending", "k1")
        other.close()
        ledger.record_retry("p1", "masto", error="503", next_at=NOW, now=NOW)
        ledger.claim("p1", "masto", key="k2", now=NOW)
        assert ledger.get("p1", "masto").key == "k1"  # retries reuse the key
        ledger.record_sent("p1", "masto", remote_id="9", remote_url="https://m/9", now=NOW)
        assert ledger.claim("p1", "masto", key="k3", now=NOW) is None


def test_sent_and_skipped_are_final_and_attempts_monotonic(tmp_path: Path) -> None:
    with _ledger(tmp_path) as ledger:
        ledger.plan("e", [Plan("a", NOW, "pending", due=NOW), Plan("b", NOW, "skipped", "old")],
                    now=NOW)
        ledger.claim("a", "e", key="k", now=NOW)
        ledger.record_sent("a", "e", remote_id="1", remote_url=None, now=NOW)
        for post in ("a", "b"):
            with pytest.raises(sqlite3.IntegrityError, match="final"):
                ledger.conn.execute("UPDATE deliveries SET state = 'pending' WHERE post_id = ?",
                                    (post,))
        with pytest.raises(sqlite3.IntegrityError, match="never decrease"):
            ledger.conn.execute("UPDATE deliveries SET attempts = 0 WHERE post_id = 'a'")
        assert ledger.claim("b", "e", key="k", now=NOW) is None
        assert ledger.requeue(now=NOW).total == 0


def test_outcomes_need_a_claimed_row(tmp_path: Path) -> None:
    with _ledger(tmp_path) as ledger:
        ledger.plan("e", [Plan("a", NOW, "pending", due=NOW)], now=NOW)
        with pytest.raises(LedgerError):
            ledger.record_sent("a", "e", remote_id="1", remote_url=None, now=NOW)


def test_due_orders_oldest_first_and_includes_interrupted(tmp_path: Path) -> None:
    with _ledger(tmp_path) as ledger:
        ledger.plan("e", [Plan("new", NOW, "pending", due=NOW),
                          Plan("old", NOW - timedelta(days=1), "pending", due=NOW),
                          Plan("later", NOW - timedelta(days=2), "pending",
                               due=NOW + timedelta(hours=1))], now=NOW)
        assert [r.post_id for r in ledger.due("e", now=NOW)] == ["old", "new"]
        ledger.claim("new", "e", key="k", now=NOW)  # a crash leaves it in `sending`
        assert [r.post_id for r in ledger.due("e", now=NOW)] == ["old", "new"]
        assert [r.post_id for r in ledger.due("e", now=NOW + timedelta(hours=2))] == \
            ["later", "old", "new"]


def test_requeue_keeps_attempts_but_resets_budget(tmp_path: Path) -> None:
    with _ledger(tmp_path) as ledger:
        ledger.plan("e", [Plan("a", NOW, "pending", due=NOW)], now=NOW)
        for _ in range(3):
            ledger.claim("a", "e", key="k", now=NOW)
            ledger.record_retry("a", "e", error="x", next_at=NOW, now=NOW)
        ledger.claim("a", "e", key="k", now=NOW)
        ledger.record_failed("a", "e", error="gave up", now=NOW)
        assert ledger.requeue(endpoint="other", now=NOW).total == 0
        assert ledger.requeue(endpoint="e", post_id="a", now=NOW).resend == 1
        row = ledger.get("a", "e")
        assert (row.state, row.attempts, row.budget_used, row.window_start) == ("pending", 4, 0, None)


def test_requeue_settles_unknown_rows_and_force_resends_with_a_fresh_key(tmp_path: Path) -> None:
    with _ledger(tmp_path) as ledger:
        ledger.plan("masto", [Plan("a", NOW, "pending", due=NOW)], now=NOW)
        ledger.plan("chat", [Plan("a", NOW, "pending", due=NOW)], now=NOW)
        for endpoint in ("masto", "chat"):
            ledger.claim("a", endpoint, key=f"k-{endpoint}", now=NOW)
            ledger.record_unknown("a", endpoint, error="504", next_at=None, now=NOW)
        later = NOW + timedelta(hours=2)
        done = ledger.requeue(now=later, uncheckable=["chat"])
        assert done == (0, 1, 0, 1)
        masto, chat = ledger.get("a", "masto"), ledger.get("a", "chat")
        assert (masto.state, masto.key, masto.next_attempt_at) == ("unknown", "k-masto", stamp(later))
        assert [r.post_id for r in ledger.due("masto", now=later)] == ["a"]  # settled next run
        assert (chat.state, chat.next_attempt_at) == ("unknown", None)  # no rule: kept
        assert ledger.requeue(now=later, force=True) == (0, 0, 2, 0)
        assert {(r.state, r.key) for r in ledger.rows()} == {("pending", None)}


def test_pause_and_endpoints_table(tmp_path: Path) -> None:
    with _ledger(tmp_path) as ledger:
        ledger.plan("e", [], now=NOW)
        assert ledger.endpoint("e").first_seen == stamp(NOW)
        ledger.pause("e", "credentials rejected", now=NOW)
        assert ledger.endpoint("e").paused and ledger.endpoint("e").paused_reason
        assert ledger.unpause("e") == 1 and not ledger.endpoint("e").paused
        assert ledger.endpoint("nope") is None


def test_kv_store(tmp_path: Path) -> None:
    with _ledger(tmp_path) as ledger:
        assert ledger.kv_get("session:b") is None
        ledger.kv_set("session:b", "{}", now=NOW)
        ledger.kv_set("session:b", '{"a": 1}', now=NOW)
        assert ledger.kv_get("session:b") == '{"a": 1}'
        ledger.kv_set("session:b", None, now=NOW)
        assert ledger.kv_get("session:b") is None


def test_readonly_never_creates_anything(tmp_path: Path) -> None:
    path = tmp_path / "state" / "ledger.sqlite"
    assert open_ledger(path, readonly=True) is None
    assert not (tmp_path / "state").exists()
    with open_ledger(path) as ledger:
        ledger.plan("e", [Plan("a", NOW, "pending", due=NOW)], now=NOW)
    before = sorted(os.listdir(path.parent))
    data = path.read_bytes()
    with open_ledger(path, readonly=True) as ro:
        assert ro.get("a", "e").state == "pending"
        with pytest.raises(LedgerError):
            ro.plan("e", [], now=NOW)
    assert sorted(os.listdir(path.parent)) == before and path.read_bytes() == data


def test_unknown_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(LedgerError, match="schema version 99"):
        open_ledger(path)


# -- the ledger as a state machine ------------------------------------------------------------

POSTS = st.sampled_from(["p1", "p2", "p3"])
ENDPOINTS = st.sampled_from(["masto", "bsky"])


class LedgerMachine(RuleBasedStateMachine):
    """Arbitrary sequences of ledger operations: sent never changes, attempts never decrease,
    a skipped delivery is never claimed (so never sent)."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.mkdtemp()
        self.ledger = open_ledger(Path(self.dir) / "ledger.sqlite")
        self.seen: dict[tuple[str, str], tuple] = {}  # last observed (state, attempts, remote)
        self.sent: dict[tuple[str, str], tuple] = {}
        self.skipped: set[tuple[str, str]] = set()
        self.t = NOW

    def teardown(self) -> None:
        self.ledger.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _tick(self):
        self.t += timedelta(seconds=1)
        return self.t

    @rule(post=POSTS, endpoint=ENDPOINTS, skipped=st.booleans())
    def plan(self, post, endpoint, skipped):
        state = "skipped" if skipped else "pending"
        self.ledger.plan(endpoint, [Plan(post, NOW, state, "why", due=NOW)], now=self._tick())

    @rule(post=POSTS, endpoint=ENDPOINTS, key=st.text(min_size=1, max_size=5))
    def claim(self, post, endpoint, key):
        before = self.ledger.claim(post, endpoint, key=key, now=self._tick())
        if before is not None:
            assert (post, endpoint) not in self.skipped, "a skipped delivery was claimed"
            assert (post, endpoint) not in self.sent, "a sent delivery was claimed"

    @rule(post=POSTS, endpoint=ENDPOINTS,
          outcome=st.sampled_from(["sent", "retry", "unknown", "unknown-final", "failed", "auth"]))
    def record(self, post, endpoint, outcome):
        row = self.ledger.get(post, endpoint)
        now = self._tick()
        try:
            if outcome == "sent":
                self.ledger.record_sent(post, endpoint, remote_id=f"r-{post}", remote_url=None, now=now)
            elif outcome in ("retry", "auth"):
                self.ledger.record_retry(post, endpoint, error="e", next_at=now, now=now,
                                         reset_budget=outcome == "auth")
            elif outcome.startswith("unknown"):
                self.ledger.record_unknown(post, endpoint, error="e", now=now,
                                           next_at=None if outcome.endswith("final") else now)
            else:
                self.ledger.record_failed(post, endpoint, error="e", now=now)
        except LedgerError:
            assert row is None or row.state != "sending"
        else:
            assert row is not None and row.state == "sending"

    @rule(endpoint=st.none() | ENDPOINTS, post=st.none() | POSTS, force=st.booleans(),
          held=st.sets(ENDPOINTS))
    def requeue(self, endpoint, post, force, held):
        before = {(r.post_id, r.endpoint): r for r in self.ledger.rows()}
        self.ledger.requeue(endpoint=endpoint, post_id=post, now=self._tick(), force=force,
                            uncheckable=held)
        for row in self.ledger.rows():
            old = before[(row.post_id, row.endpoint)]
            if old.state == "unknown" and not force:  # may have landed: settle, never resend
                assert (row.state, row.key) == ("unknown", old.key), "unknown requeued to resend"
                if row.endpoint in held:
                    assert row.next_attempt_at == old.next_attempt_at, "an unchecked row moved"

    @rule(post=POSTS, endpoint=ENDPOINTS)
    def skip(self, post, endpoint):
        self.ledger.skip(post, endpoint, reason="too old", now=self._tick())

    @rule(post=POSTS, endpoint=ENDPOINTS)
    def hold(self, post, endpoint):
        self.ledger.hold(post, endpoint, error="kept", now=self._tick())

    @rule(post=POSTS, endpoint=ENDPOINTS, state=st.sampled_from(["pending", "failed", "sending"]),
          attempts=st.integers(0, 3))
    def tamper(self, post, endpoint, state, attempts):
        """Even a direct UPDATE cannot break the invariants."""
        try:
            self.ledger.conn.execute("UPDATE deliveries SET state = ?, attempts = ? "
                                     "WHERE post_id = ? AND endpoint = ?",
                                     (state, attempts, post, endpoint))
        except sqlite3.IntegrityError:
            pass

    @invariant()
    def sent_is_forever_and_attempts_grow(self):
        for row in self.ledger.rows():
            k = (row.post_id, row.endpoint)
            prev = self.seen.get(k)
            if prev is not None:
                assert row.attempts >= prev[1], "attempts decreased"
                if prev[0] == "sent":
                    assert (row.state, row.remote_id) == ("sent", prev[2]), "left sent"
                if prev[0] == "skipped":
                    assert row.state == "skipped" and row.attempts == prev[1], "left skipped"
            self.seen[k] = (row.state, row.attempts, row.remote_id)
            if row.state == "sent":
                self.sent[k] = (row.remote_id,)
            if row.state == "skipped":
                self.skipped.add(k)


TestLedgerMachine = LedgerMachine.TestCase
TestLedgerMachine.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
