"""The orchestrator: planning, delivery semantics, retry policy, pauses, dry run, status/retry."""

from __future__ import annotations

import dataclasses
import json
import re
import stat
import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from crosspost_helpers import NOW, FakeClock, FakeEndpoint, chat, fake, fake_kinds, make_config, make_post  # noqa: F401

from syndicator import crosspost
from syndicator.cli import main
from syndicator.crosspost.policy import backoff
from syndicator.crosspost.ledger import Plan, open_ledger
from syndicator.crosspost.runner import _RunLock
from syndicator.crosspost.secrets import Credentials, SecretMode, read_credentials
from syndicator.crosspost.targets import build
from syndicator.crosspost_settings import KINDS, EndpointSettings
from syndicator.endpoints import ENDPOINTS
from syndicator.endpoints.base import Receipt
from syndicator.errors import AmbiguousError, AuthError, ConfigError, LedgerError, PermanentError, TransientError
from syndicator.config import load
from syndicator.model import Syndication
from syndicator.redact import one_line

H = timedelta(hours=1)
D = timedelta(days=1)


def go(config, posts, now=NOW, clock=None, **kwargs):
    clock = clock or FakeClock()
    return crosspost.run(config, posts, now=now, sleep=clock.sleep, clock=clock, **kwargs)


def rows(config, endpoint=None):
    with open_ledger(config.state_dir / "ledger.sqlite") as ledger:
        return {r.post_id: r for r in ledger.rows(endpoint=endpoint)}


def pid(n):
    return f"tag:example.org,2026:post-{n}"


def sent_ids(endpoint=None):
    return [p for (e, p, _k) in FakeEndpoint.sent if endpoint in (None, e)]


@pytest.fixture
def cfg(tmp_path, fake_kinds):
    return make_config(tmp_path, endpoints=[fake("masto"), fake("bsky")])


# -- planning -------------------------------------------------------------------------------


def test_first_run_records_existing_posts_as_skipped_and_sends_nothing(cfg):
    old = [make_post(i, age=i * H) for i in range(1, 4)]
    report = go(cfg, old)
    assert FakeEndpoint.sent == []
    assert len(report.skipped) == 6 and report.planned == 0
    assert {r.state for r in rows(cfg).values()} == {"skipped"}
    new = make_post(9, age=-H)  # published an hour after the first run
    go(cfg, old + [new], now=NOW + 2 * H)
    assert sorted(sent_ids()) == [pid(9), pid(9)]
    go(cfg, old + [new], now=NOW + 3 * H)
    assert len(FakeEndpoint.sent) == 2  # never again


def test_backfill_sends_the_newest_n_and_since_a_date(cfg):
    posts = [make_post(i, age=i * H) for i in range(1, 6)]
    go(cfg, posts, backfill=2, endpoint="masto")
    assert sent_ids("masto") == [pid(2), pid(1)]  # oldest first
    go(cfg, posts, since=NOW - 3.5 * H, endpoint="bsky")
    assert sent_ids("bsky") == [pid(3), pid(2), pid(1)]
    report = go(cfg, posts, backfill=5)
    assert any("new endpoints only" in n for n in report.notes)
    assert len(FakeEndpoint.sent) == 5


def test_backfill_never_sends_posts_older_than_max_age(tmp_path, fake_kinds):
    config = make_config(tmp_path, endpoints=[fake("masto", max_age="2d")])
    posts = [make_post(1, age=3 * D), make_post(2, age=D)]
    report = go(config, posts, backfill=10)
    assert sent_ids() == [pid(2)]
    assert (pid(1), "masto", "older than max_age (2d)") in report.skipped


def test_new_endpoint_is_baselined_while_the_old_one_sends(tmp_path, fake_kinds):
    posts = [make_post(1, age=2 * H)]
    go(make_config(tmp_path, endpoints=[fake("masto")]), posts)
    posts.append(make_post(2, age=-H))
    config = make_config(tmp_path, endpoints=[fake("masto"), fake("bsky")])
    go(config, posts, now=NOW + 2 * H)
    assert FakeEndpoint.sent and [(e, p) for e, p, _ in FakeEndpoint.sent] == [("masto", pid(2))]
    assert rows(config, "bsky")[pid(2)].state == "skipped"


def test_new_post_older_than_max_age_is_skipped(tmp_path, fake_kinds):
    config = make_config(tmp_path, endpoints=[fake("masto", max_age="1d")])
    go(config, [])
    report = go(config, [make_post(1, age=2 * D), make_post(2, age=H)])
    assert sent_ids() == [pid(2)]
    assert rows(config)[pid(1)].state == "skipped"
    assert report.skipped == [(pid(1), "masto", "older than max_age (1d)")]


def test_min_age_waits_after_the_post_appears(tmp_path, fake_kinds):
    config = make_config(tmp_path, endpoints=[fake("masto", min_age="10m")])
    go(config, [])
    post = make_post(1, age=timedelta(minutes=1))
    go(config, [post])
    assert FakeEndpoint.sent == []
    go(config, [post], now=NOW + timedelta(minutes=9))
    assert FakeEndpoint.sent == []
    go(config, [post], now=NOW + timedelta(minutes=11))
    assert sent_ids() == [pid(1)]


def test_drafts_and_future_posts_wait_until_published(tmp_path, fake_kinds):
    config = make_config(tmp_path, endpoints=[fake("masto")])
    go(config, [])
    draft = make_post(1, draft=True)
    future = make_post(2, age=-2 * H)
    go(config, [draft, future])
    assert FakeEndpoint.sent == [] and rows(config) == {}
    go(config, [draft, future], now=NOW + 3 * H)
    assert sent_ids() == [pid(2)]
    published = make_post(1)  # the draft flag removed
    go(config, [published, future], now=NOW + 3 * H)
    assert sent_ids() == [pid(2), pid(1)]


def test_syndicate_front_matter_is_honoured(cfg):
    go(cfg, [])
    posts = [
        make_post(1, syndicate=Syndication(enabled=False)),
        make_post(2, syndicate=Syndication(skip=("bsky",))),
        make_post(3, syndicate=Syndication(text=(("masto", "My own words"),))),
    ]
    go(cfg, posts)
    assert sorted((e, p) for e, p, _ in FakeEndpoint.sent) == [
        ("bsky", pid(3)), ("masto", pid(2)), ("masto", pid(3))]
    assert rows(cfg, "masto")[pid(3)].remote_url
    assert pid(1) not in rows(cfg)  # no row: removing `syndicate: false` later still sends


def test_edits_never_resend_and_delivery_is_oldest_first(cfg):
    go(cfg, [])
    posts = [make_post(i, age=i * timedelta(minutes=1)) for i in (3, 1, 2)]
    go(cfg, posts, endpoint="masto")
    assert sent_ids() == [pid(3), pid(2), pid(1)]
    edited = [make_post(1, title="Edited title", age=timedelta(minutes=1))]
    go(cfg, edited, endpoint="masto")
    assert len(FakeEndpoint.sent) == 3


# -- outcomes and the retry policy -----------------------------------------------------------


def _queue(cfg, n=1, endpoint="masto"):
    go(cfg, [], endpoint=endpoint)
    return [make_post(i) for i in range(1, n + 1)]


def test_transient_error_backs_off_and_reuses_the_key(cfg):
    posts = _queue(cfg, 2)
    FakeEndpoint.script["masto"] = [TransientError("down", status=503)]
    report = go(cfg, posts, endpoint="masto")
    assert [a.state for a in report.attempts] == ["pending"]  # the second post was left alone
    row = rows(cfg)[pid(1)]
    assert row.state == "pending" and row.attempts == 1
    due = row.next_attempt_at
    assert "2026-05-01T12:00:48" <= due <= "2026-05-01T12:01:12"  # 1 min ± 20 %
    go(cfg, posts, endpoint="masto", now=NOW + 30 * timedelta(seconds=1))
    assert sent_ids() == [pid(1), pid(2)]  # the first is not due yet; the next one goes
    go(cfg, posts, endpoint="masto", now=NOW + 2 * timedelta(minutes=1))
    keys = [k for _e, p, k in FakeEndpoint.sent if p == pid(1)]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert {r.state for r in rows(cfg).values()} == {"sent"}


def test_backoff_schedule_has_jitter_and_a_cap():
    import random

    rng = random.Random(1)
    expected = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600, 24 * 3600]
    for n, base in enumerate(expected, 1):
        delay = backoff(n, rng=rng).total_seconds()
        assert 0.8 * base <= delay <= 1.2 * base
    assert len({backoff(1, rng=rng) for _ in range(5)}) > 1


def test_retry_after_is_honoured_with_two_quick_retries(cfg):
    posts = _queue(cfg)
    FakeEndpoint.script["masto"] = [TransientError("429", status=429, retry_after=5.0)] * 2
    clock = FakeClock()
    report = go(cfg, posts, endpoint="masto", clock=clock)
    assert clock.sleeps == [5.0, 5.0]
    assert [a.state for a in report.attempts] == ["pending", "pending", "sent"]
    assert rows(cfg)[pid(1)].attempts == 3


def test_third_rate_limit_and_long_retry_after_are_scheduled(cfg):
    posts = _queue(cfg)
    FakeEndpoint.script["masto"] = [TransientError("429", status=429, retry_after=5.0)] * 3
    clock = FakeClock()
    go(cfg, posts, endpoint="masto", clock=clock)
    assert clock.sleeps == [5.0, 5.0] and rows(cfg)[pid(1)].state == "pending"
    FakeEndpoint.script["masto"] = [TransientError("429", status=429, retry_after=600.0)]
    later = NOW + H
    clock = FakeClock()
    go(cfg, posts, endpoint="masto", clock=clock, now=later)
    assert clock.sleeps == []  # never sleeps past 60 s in a run
    assert rows(cfg)[pid(1)].next_attempt_at >= "2026-05-01T13:10:00"


def test_gives_up_after_eight_attempts(cfg):
    posts = _queue(cfg)
    FakeEndpoint.script["masto"] = [TransientError("down", status=503)] * 20
    now = NOW
    for _ in range(8):
        go(cfg, posts, endpoint="masto", now=now)
        now += 2 * D
    row = rows(cfg)[pid(1)]
    assert row.state == "failed" and row.attempts <= 8 and "gave up" in row.last_error


def test_gives_up_after_48_hours(cfg):
    posts = _queue(cfg)
    FakeEndpoint.script["masto"] = [TransientError("down", status=503)] * 5
    go(cfg, posts, endpoint="masto")
    go(cfg, posts, endpoint="masto", now=NOW + 49 * H)
    row = rows(cfg)[pid(1)]
    assert (row.state, row.attempts) == ("failed", 2)


def test_permanent_error_fails_that_post_only(cfg):
    posts = _queue(cfg, 2)
    FakeEndpoint.script["masto"] = [PermanentError("422 too long", status=422)]
    go(cfg, posts, endpoint="masto")
    state = {p: r.state for p, r in rows(cfg).items()}
    assert state == {pid(1): "failed", pid(2): "sent"}
    go(cfg, posts, endpoint="masto", now=NOW + 3 * D)
    assert len(FakeEndpoint.sent) == 2  # no automatic retry


def test_auth_error_pauses_the_endpoint_and_others_carry_on(cfg):
    go(cfg, [])
    posts = [make_post(1), make_post(2)]
    FakeEndpoint.script["masto"] = [AuthError("401", status=401)]
    report = go(cfg, posts)
    assert "masto" in report.paused and "$FAKE_TOKEN" in report.paused["masto"]
    assert sorted(sent_ids("bsky")) == [pid(1), pid(2)]
    assert {r.state for r in rows(cfg, "masto").values()} == {"pending"}
    go(cfg, posts, now=NOW + D)
    assert len(sent_ids("masto")) == 1  # paused: not tried again
    assert crosspost.status(cfg)["endpoints"][0]["paused"]
    crosspost.retry(cfg, endpoint="masto", now=NOW + D)
    go(cfg, posts, now=NOW + D)
    masto = rows(cfg, "masto")
    assert {r.state for r in masto.values()} == {"sent"}
    assert masto[pid(1)].budget_used == 1  # the rejected attempt did not burn the budget


def test_an_error_before_anything_was_sent_never_makes_a_delivery_unknown(cfg):
    go(cfg, [])
    posts = [make_post(1), make_post(2)]
    FakeEndpoint.script["masto"] = [ConfigError("webhook secret starts with whsec_ but ...")]
    report = go(cfg, posts)
    masto = rows(cfg, "masto")
    assert {r.state for r in masto.values()} == {"pending"}  # not unknown: nothing was sent
    assert "configuration problem" in report.paused["masto"] and report.count("unknown") == 0
    assert sorted(sent_ids("bsky")) == [pid(1), pid(2)]  # the others carry on
    crosspost.retry(cfg, endpoint="masto", now=NOW + H)
    go(cfg, posts, now=NOW + H)
    assert {r.state for r in rows(cfg, "masto").values()} == {"sent"}
    assert FakeEndpoint.settled == []  # never treated as possibly applied


def test_undecodable_webhook_secret_stops_the_run_before_the_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("HOOK_SECRET", "whsec_not*base64")
    config = make_config(tmp_path, endpoints=[{"name": "hook", "type": "webhook",
                                               "url": "http://127.0.0.1:9/hook",
                                               "secret_env": "HOOK_SECRET"}])
    with pytest.raises(ConfigError, match=r"\$HOOK_SECRET"):
        crosspost.check_config(config)
    with pytest.raises(ConfigError, match=r"\$HOOK_SECRET"):
        go(config, [make_post(1)])
    assert not config.crosspost.ledger.exists()


def test_gone_endpoint_is_paused(cfg):
    posts = _queue(cfg)
    FakeEndpoint.script["masto"] = [PermanentError("410 gone", status=410)]
    report = go(cfg, posts, endpoint="masto")
    assert "gone" in report.paused["masto"]


def test_a_failing_endpoint_does_not_block_others(cfg):
    go(cfg, [])
    posts = [make_post(i) for i in range(1, 4)]
    FakeEndpoint.script["masto"] = [TransientError("down")] * 10
    go(cfg, posts)
    assert len(sent_ids("masto")) == 1
    assert {r.state for r in rows(cfg, "bsky").values()} == {"sent"}


def test_ambiguous_outcome_is_settled_without_duplicate(cfg):
    posts = _queue(cfg)
    err = AmbiguousError("504 after applying", status=504)
    err.applied = True
    FakeEndpoint.script["masto"] = [err]
    go(cfg, posts, endpoint="masto")
    row = rows(cfg)[pid(1)]
    assert row.state == "unknown" and row.next_attempt_at
    go(cfg, posts, endpoint="masto", now=NOW + H)
    assert FakeEndpoint.settled == [("masto", pid(1), row.key)]
    assert len(FakeEndpoint.sent) == 1  # settled as applied: not sent again
    assert rows(cfg)[pid(1)].state == "sent"


def test_chat_webhook_is_not_resent_when_unsure(tmp_path, fake_kinds):
    config = make_config(tmp_path, endpoints=[chat("chat")])
    posts = [make_post(1)]
    go(config, [])
    FakeEndpoint.script["chat"] = [AmbiguousError("timeout")]
    go(config, posts)
    row = rows(config)[pid(1)]
    assert row.state == "unknown" and row.next_attempt_at is None
    go(config, posts, now=NOW + D)
    assert len(FakeEndpoint.sent) == 1 and FakeEndpoint.settled == []
    assert crosspost.retry(config, now=NOW + D) == (0, 0, 0, 1)  # no way to check: kept
    go(config, posts, now=NOW + D)
    assert len(FakeEndpoint.sent) == 1 and rows(config)[pid(1)].state == "unknown"
    assert crosspost.retry(config, now=NOW + D, force=True).forced == 1
    go(config, posts, now=NOW + D)
    assert rows(config)[pid(1)].state == "sent" and len(FakeEndpoint.sent) == 2


def _interrupt(config, post_id, endpoint, key="k-crash"):
    """Leave a row in `sending`, as a crash between claim and record does."""
    with open_ledger(config.state_dir / "ledger.sqlite") as ledger:
        ledger.claim(post_id, endpoint, key=key, now=NOW)


def test_interrupted_delivery_is_settled_next_run(cfg):
    posts = _queue(cfg, 2)
    with open_ledger(cfg.state_dir / "ledger.sqlite") as ledger:
        from syndicator.crosspost.ledger import Plan
        ledger.plan("masto", [Plan(p.id, p.published, "pending", due=NOW) for p in posts], now=NOW)
    _interrupt(cfg, pid(1), "masto", key="applied-key")
    _interrupt(cfg, pid(2), "masto", key="lost-key")
    FakeEndpoint.applied["masto"] = {"applied-key": pid(1)}  # it reached the platform
    go(cfg, posts, endpoint="masto")
    assert [(p, k) for _e, p, k in FakeEndpoint.sent] == [(pid(2), "lost-key")]
    assert {r.state for r in rows(cfg).values()} == {"sent"}


@pytest.mark.parametrize("resend", [False, True])
def test_interrupted_chat_delivery(tmp_path, fake_kinds, resend):
    config = make_config(tmp_path, endpoints=[chat("chat", resend_when_unsure=resend)])
    go(config, [])
    posts = [make_post(1)]
    with open_ledger(config.state_dir / "ledger.sqlite") as ledger:
        from syndicator.crosspost.ledger import Plan
        ledger.plan("chat", [Plan(pid(1), NOW, "pending", due=NOW)], now=NOW)
    _interrupt(config, pid(1), "chat")
    go(config, posts)
    if resend:
        assert rows(config)[pid(1)].state == "sent" and len(FakeEndpoint.sent) == 1
    else:
        assert rows(config)[pid(1)].state == "unknown" and FakeEndpoint.sent == []


@pytest.mark.parametrize("outcome", [None, True, "ok-but-not-a-receipt", ValueError("bug")])
def test_only_a_receipt_counts_as_sent(cfg, outcome):
    posts = _queue(cfg)

    def weird(self, *a, **k):
        FakeEndpoint.sent.append((self.name, a[0].id, k["key"]))
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(FakeEndpoint, "send", weird)
        go(cfg, posts, endpoint="masto")
    assert rows(cfg)[pid(1)].state == "unknown"


def test_render_failure_is_retried_later(cfg, monkeypatch):
    posts = _queue(cfg)
    monkeypatch.setattr(FakeEndpoint, "render", lambda *a, **k: 1 / 0)
    go(cfg, posts, endpoint="masto")
    row = rows(cfg)[pid(1)]
    assert row.state == "pending" and "cannot render" in row.last_error and FakeEndpoint.sent == []


def test_pacing_is_per_endpoint(tmp_path, fake_kinds):
    config = make_config(tmp_path, endpoints=[fake("masto", pace="10s"), fake("bsky", pace="0s")])
    go(config, [])
    clock = FakeClock()
    go(config, [make_post(i) for i in range(1, 4)], clock=clock)
    assert clock.sleeps == [10.0, 10.0]
    assert len(FakeEndpoint.sent) == 6


def test_stop_is_checked_between_deliveries(cfg):
    posts = _queue(cfg, 3)
    stop = threading.Event()

    def send_then_stop(self, post, body, message, *, key, now):
        stop.set()
        return Receipt("1", "https://x/1")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(FakeEndpoint, "send", send_then_stop)
        report = go(cfg, posts, endpoint="masto", stop=stop)
    assert report.stopped and report.count("sent") == 1
    assert [r.state for r in rows(cfg).values()].count("pending") == 2


def test_one_run_at_a_time(cfg):
    go(cfg, [])
    with _RunLock(cfg.state_dir / "ledger.sqlite"):
        with pytest.raises(LedgerError, match="another crosspost run"):
            go(cfg, [make_post(1)])


def test_one_log_line_per_attempt(cfg, caplog):
    posts = _queue(cfg, 2)
    FakeEndpoint.script["masto"] = [PermanentError("nope", status=422)]
    with caplog.at_level("INFO", logger="syndicator"):
        go(cfg, posts, endpoint="masto")
    lines = [r.getMessage() for r in caplog.records if "(attempt" in r.getMessage()]
    assert lines == [f"crosspost {pid(1)} -> masto: failed (attempt 1): nope",
                     f"crosspost {pid(2)} -> masto: sent (attempt 1): https://masto.test/post-2"]


# -- dry run -----------------------------------------------------------------------------------


def test_dry_run_on_a_fresh_site_creates_nothing(cfg):
    report = go(cfg, [make_post(1), make_post(2, draft=True)], dry_run=True, backfill=1)
    assert not cfg.state_dir.exists()
    assert FakeEndpoint.sent == []
    sends = [p for p in report.previews if p.action == "send"]
    assert len(sends) == 2 and sends[0].length == len(sends[0].text) and sends[0].limit == 500
    assert sends[0].details == {"kind": "fake"}
    assert any(p.action == "wait" and p.reason == "draft" for p in report.previews)


def test_dry_run_touches_an_existing_ledger_not_at_all(cfg):
    go(cfg, [make_post(1)])
    FakeEndpoint.script["masto"] = [TransientError("down")]
    go(cfg, [make_post(1), make_post(2, age=-H)], now=NOW + 2 * H)
    folder = cfg.state_dir
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    posts = [make_post(1), make_post(2, age=-H), make_post(3, age=-2 * H),
             make_post(4, age=-2 * H, syndicate=Syndication(enabled=False))]
    report = go(cfg, posts, now=NOW + 3 * H, dry_run=True)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert after == before and len(FakeEndpoint.sent) == 2
    actions = {(p.endpoint, p.post_id): p.action for p in report.previews}
    assert actions[("masto", pid(2))] == "send"  # due again after its backoff
    assert actions[("masto", pid(3))] == "send" and actions[("bsky", pid(3))] == "send"
    assert (pid(4), "masto", "syndicate: false in front matter") in report.skipped


def test_dry_run_works_without_secrets(tmp_path, fake_kinds, monkeypatch):
    monkeypatch.delenv("FAKE_TOKEN")
    config = make_config(tmp_path, endpoints=[fake("masto")])
    report = go(config, [make_post(1)], dry_run=True, backfill=1)
    assert any("FAKE_TOKEN" in n for n in report.notes)
    with pytest.raises(ConfigError, match="FAKE_TOKEN"):
        go(config, [make_post(1)])


# -- config ------------------------------------------------------------------------------------


@pytest.mark.parametrize("table, message", [
    ({"name": "m", "type": "mastodn"}, "did you mean 'mastodon'"),
    ({"name": "m", "type": "fake", "token_env": "FAKE_TOKEN", "templte": "x"},
     "did you mean 'template'"),
    ({"name": "m", "type": "fake", "token": "abc"}, "secrets do not belong"),
    ({"name": "m", "type": "fake", "token_env": "NOT_SET_ANYWHERE"}, "NOT_SET_ANYWHERE"),
    ({"name": "m", "type": "fake"}, "token_env"),
    ({"name": "m", "type": "fake", "token_env": "FAKE_TOKEN", "template": "{titel}"}, "titel"),
    ({"name": "m", "type": "fake", "token_env": "FAKE_TOKEN", "max_age": "1h", "min_age": "2h"},
     "min_age"),
    ({"name": "bad name", "type": "fake", "token_env": "FAKE_TOKEN"}, "name must be"),
    ({**fake("m"), "resend_when_unsure": "yes"}, "resend_when_unsure must be"),
    ({**fake("m"), "resend_unsure": True}, "did you mean 'resend_when_unsure'"),
])
def test_config_errors_name_the_problem(tmp_path, fake_kinds, table, message):
    with pytest.raises(ConfigError, match=message):  # at load time, or when secrets are read
        crosspost.check_config(make_config(tmp_path, endpoints=[table]))


def test_endpoint_tables_are_parsed_once_into_typed_settings(tmp_path, fake_kinds):
    config = make_config(tmp_path, endpoints=[fake("masto", max_age="2d"), chat("chat")],
                         crosspost={"template": "{title}"})
    masto, talk = config.crosspost.endpoints
    assert isinstance(masto, EndpointSettings) and masto.max_age == 2 * D
    assert masto.template == "{title}" and masto.secret_env == {"token": "FAKE_TOKEN"}
    assert masto.resend_when_unsure is True and talk.resend_when_unsure is False
    assert config.crosspost.ledger == config.state_dir / "ledger.sqlite"
    with pytest.raises(dataclasses.FrozenInstanceError):
        masto.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        masto.options["x"] = 1  # type: ignore[index]
    with pytest.raises(ConfigError, match="did you mean 'mastodon'"):  # load time, not send time
        make_config(tmp_path, endpoints=[{"name": "m", "type": "mastodn"}])


@pytest.mark.parametrize("kind", ["mastodon", "bluesky", "micropub", "webhook", "discord",
                                  "slack"])
def test_resend_when_unsure_is_a_common_key(tmp_path, kind):
    cls = ENDPOINTS[kind]
    required = {"mastodon": {"instance": "https://m.example"}, "bluesky": {"handle": "a.test"},
                "micropub": {"endpoint": "https://mp.example"},
                "webhook": {"url": "https://hook.example"}}.get(kind, {})
    for given in (True, False, None):
        table = {"name": "e", "type": kind, **required,
                 **({} if given is None else {"resend_when_unsure": given})}
        config = make_config(tmp_path, endpoints=[table])
        settings = config.crosspost.endpoint("e")
        expected = KINDS[kind].resend_when_unsure if given is None else given
        assert settings.resend_when_unsure is expected
        endpoint = build(settings, Credentials({n: "x" for n in settings.secret_names}),
                         requests.Session())
        assert isinstance(endpoint, cls) and endpoint.resend_when_unsure is expected


def test_endpoint_names_are_unique(tmp_path, fake_kinds):
    with pytest.raises(ConfigError, match="used twice"):
        make_config(tmp_path, endpoints=[fake("m"), fake("m")])


def test_unknown_endpoint_option_suggests(tmp_path, fake_kinds):
    config = make_config(tmp_path, endpoints=[fake("masto")])
    with pytest.raises(ConfigError, match="did you mean 'masto'"):
        go(config, [], endpoint="mastp")


def test_secrets_file_must_be_private(tmp_path, fake_kinds):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[masto]\ntoken = "from-the-file-123"\n')
    os.chmod(secrets, 0o644)
    table = {"name": "masto", "type": "fake", "pace": "0s"}
    config = make_config(tmp_path, endpoints=[table], crosspost={"secrets_file": "secrets.toml"})
    with pytest.raises(ConfigError, match="chmod 600"):
        crosspost.check_config(config)
    os.chmod(secrets, 0o600)
    crosspost.check_config(config)
    found = read_credentials(config.crosspost, config.crosspost.endpoints,
                             mode=SecretMode.REQUIRED, file="config.toml")
    assert found["masto"].values == {"token": "from-the-file-123"}
    assert "from-the-file-123" not in repr(found) + repr(config)


# -- status and retry --------------------------------------------------------------------------


def test_status_and_retry(cfg):
    assert crosspost.status(cfg)["exists"] is False and not cfg.state_dir.exists()
    posts = _queue(cfg, 2)
    FakeEndpoint.script["masto"] = [PermanentError("422 rejected", status=422)]
    go(cfg, posts, endpoint="masto")
    data = crosspost.status(cfg)
    masto = next(e for e in data["endpoints"] if e["name"] == "masto")
    assert masto["counts"]["failed"] == 1 and masto["counts"]["sent"] == 1
    assert data["recent"][0]["remote_url"] == "https://masto.test/post-2"
    assert data["problems"][0]["last_error"] == "422 rejected"
    json.dumps(data)
    assert crosspost.retry(cfg, endpoint="masto", post_id=pid(2), now=NOW + H).total == 0
    assert crosspost.retry(cfg, post_id=pid(1), now=NOW + H).resend == 1
    go(cfg, posts, endpoint="masto", now=NOW + H)
    assert {r.state for r in rows(cfg, "masto").values()} == {"sent"}


# -- command line -------------------------------------------------------------------------------


def _site(tmp_path: Path) -> Path:
    from datetime import datetime, timezone

    posts = tmp_path / "posts"
    posts.mkdir()
    for n in (1, 2):
        date = (datetime.now(timezone.utc) - n * H).isoformat(timespec="seconds")
        (posts / f"post-{n}.md").write_text(
            f"---\ntitle: Post {n}\ndate: {date}\n---\n\nHello {n}.\n", encoding="utf-8")
    return tmp_path / "config.toml"


def test_cli_crosspost_status_retry(tmp_path, fake_kinds):
    make_config(tmp_path, endpoints=[fake("masto")])
    config_path = _site(tmp_path)
    runner = CliRunner()
    dry = runner.invoke(main, ["crosspost", "--config", str(config_path), "--dry-run",
                               "--backfill", "1"])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and "length" in dry.output and "/500" in dry.output
    assert "existed before the endpoint was added" in dry.output
    assert not (tmp_path / ".syndicator").exists()
    real = runner.invoke(main, ["crosspost", "--config", str(config_path), "--backfill", "1"])
    assert real.exit_code == 0, real.output
    assert "1 sent" in real.output
    table = runner.invoke(main, ["status", "--config", str(config_path)])
    assert table.exit_code == 0 and "masto" in table.output and "SENT" in table.output
    data = json.loads(runner.invoke(main, ["status", "--config", str(config_path), "--json"]).output)
    assert data["endpoints"][0]["counts"]["sent"] == 1
    again = runner.invoke(main, ["retry", "--config", str(config_path), "--endpoint", "masto"])
    assert again.exit_code == 0 and "re-queued 0 to send, 0 to check first" in again.output


def test_cli_errors_are_messages_not_tracebacks(tmp_path, fake_kinds, monkeypatch):
    make_config(tmp_path, endpoints=[fake("masto")])
    config_path = _site(tmp_path)
    monkeypatch.delenv("FAKE_TOKEN")
    result = CliRunner().invoke(main, ["crosspost", "--config", str(config_path)])
    assert result.exit_code == 2
    assert "FAKE_TOKEN" in result.output and "Traceback" not in result.output
    bad = CliRunner().invoke(main, ["retry", "--config", str(config_path), "--endpoint", "mast"])
    assert bad.exit_code != 0 and "did you mean 'masto'" in bad.output
    since = CliRunner().invoke(main, ["crosspost", "--config", str(config_path), "--since", "May"])
    assert since.exit_code == 2 and "--since" in since.output


@pytest.mark.parametrize("command", ["crosspost", "status", "retry"])
def test_commands_have_help(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and len(result.output) > 100


# -- with the real endpoint kinds and their local fakes ------------------------------------------


def test_bluesky_session_is_kept_in_a_private_file_not_the_ledger_nor_a_login_per_run(tmp_path, monkeypatch):
    from fakes import FakeBluesky, FakeMastodon

    with FakeBluesky() as bsky, FakeMastodon() as masto:
        monkeypatch.setenv("BSKY_PASSWORD", bsky.password)
        monkeypatch.setenv("MASTO_TOKEN", masto.token)
        config = make_config(tmp_path, endpoints=[
            {"name": "bsky", "type": "bluesky", "handle": bsky.handle, "service": bsky.url,
             "password_env": "BSKY_PASSWORD", "pace": "0s", "card": False},
            {"name": "masto", "type": "mastodon", "instance": masto.url,
             "token_env": "MASTO_TOKEN", "pace": "0s"}])
        now = NOW.replace(year=2026)
        go(config, [], now=now)
        masto.apply_then(504, match=lambda r: r.path == "/api/v1/statuses")
        for n in range(1, 4):
            later = now + n * H
            posts = [make_post(i, now=later, age=(n - i) * H + timedelta(minutes=1))
                     for i in range(1, n + 1)]
            go(config, posts, now=later)
        assert bsky.logins == 1 and len(bsky.records) == 3
        saved = config.state_dir / "sessions" / "bsky.json"
        tokens = json.loads(saved.read_text())
        assert tokens["accessJwt"] and tokens["refreshJwt"]
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
        assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
        ledger_bytes = b"".join(p.read_bytes() for p in config.state_dir.glob("ledger.sqlite*"))
        for token in (tokens["accessJwt"], tokens["refreshJwt"], bsky.password):
            assert token.encode() not in ledger_bytes  # "no secrets in the ledger" holds
        # The 504 after applying was settled with the same Idempotency-Key: no duplicate.
        assert len(masto.statuses) == 3
        assert {r.state for r in rows(config).values()} == {"sent"}


def _real_endpoints(tmp_path, monkeypatch, masto, bsky):
    monkeypatch.setenv("BSKY_PASSWORD", bsky.password)
    monkeypatch.setenv("MASTO_TOKEN", masto.token)
    return make_config(tmp_path, endpoints=[
        {"name": "bsky", "type": "bluesky", "handle": bsky.handle, "service": bsky.url,
         "password_env": "BSKY_PASSWORD", "pace": "0s", "card": False},
        {"name": "masto", "type": "mastodon", "instance": masto.url,
         "token_env": "MASTO_TOKEN", "pace": "0s"}])


def test_retry_settles_unknown_deliveries_before_any_resend(tmp_path, monkeypatch):
    from fakes import FakeBluesky, FakeMastodon

    with FakeBluesky() as bsky, FakeMastodon() as masto:
        config = _real_endpoints(tmp_path, monkeypatch, masto, bsky)
        go(config, [])
        masto.apply_then(504, match=lambda r: r.path == "/api/v1/statuses")
        bsky.apply_then(504, match=lambda r: r.path.endswith("createRecord"))
        posts = [make_post(1, age=timedelta(minutes=5))]
        report = go(config, posts, now=NOW + timedelta(minutes=1))
        assert report.count("unknown") == 2 and len(masto.statuses) == len(bsky.records) == 1
        later = NOW + 2 * H
        masto.keys.clear()  # Mastodon forgets an Idempotency-Key after an hour
        assert crosspost.retry(config, now=later) == (0, 2, 0, 0)
        assert {r.state for r in rows(config).values()} == {"unknown"}  # checked first, not resent
        go(config, posts, now=later)
        assert len(masto.statuses) == 1 and len(bsky.records) == 1  # found, not posted again
        done = rows(config)
        assert {r.state for r in done.values()} == {"sent"}
        assert done[pid(1)].remote_url and "verify_credentials" in {r.path.rsplit("/", 1)[-1]
                                                                   for r in masto.requests}


def test_status_shows_sending_as_its_own_state(cfg):
    go(cfg, [])
    posts = [make_post(1)]
    go(cfg, posts, endpoint="bsky")
    with open_ledger(cfg.state_dir / "ledger.sqlite") as ledger:  # a run killed mid-send
        ledger.plan("masto", [Plan(pid(1), NOW, "pending", due=NOW)], now=NOW)
        ledger.claim(pid(1), "masto", key="k-1", now=NOW)
    data = crosspost.status(cfg)
    masto = next(e for e in data["endpoints"] if e["name"] == "masto")
    assert masto["counts"]["sending"] == 1 and masto["counts"]["pending"] == 0
    assert [r["post_id"] for r in data["interrupted"]] == [pid(1)] and data["retrying"] == []
    table = CliRunner().invoke(main, ["status", "--config", str(cfg.path)])
    header, masto_line = table.output.splitlines()[1], table.output.splitlines()[2]
    assert header.split()[3:5] == ["PENDING", "SENDING"] and masto_line.split()[3:5] == ["0", "1"]
    assert "interrupted; settles on the next run" in table.output


def _mastodon(tmp_path, monkeypatch, masto, **extra):
    monkeypatch.setenv("MASTO_TOKEN", masto.token)
    return make_config(tmp_path, endpoints=[
        {"name": "masto", "type": "mastodon", "instance": masto.url, "token_env": "MASTO_TOKEN",
         "pace": "0s", **extra}])


def test_character_limit_422_is_refitted_once_and_resent_with_the_same_key(tmp_path, monkeypatch):
    from fakes import FakeMastodon
    from fakes.mastodon import count

    # Mastodon counts 450 where we think 500 fit (as when its URL or grapheme rules differ).
    with FakeMastodon(max_characters=450) as masto:
        config = _mastodon(tmp_path, monkeypatch, masto, max_characters=500)
        go(config, [])
        posts = [make_post(1, summary="word " * 200)]
        report = go(config, posts)
        assert report.count("sent") == 1 and len(masto.statuses) == 1
        creates = [r for r in masto.requests if r.path == "/api/v1/statuses"]
        assert len(creates) == 2  # refused once (422), then refitted
        keys = {r.headers["idempotency-key"] for r in creates}
        assert len(keys) == 1 and rows(config)[pid(1)].key in keys
        assert count(masto.statuses[0]["status"]) <= 400 < count(creates[0].form["status"][0])


def test_a_second_character_limit_422_fails_the_delivery(tmp_path, monkeypatch):
    from fakes import FakeMastodon

    with FakeMastodon(max_characters=100) as masto:
        config = _mastodon(tmp_path, monkeypatch, masto, max_characters=500)
        go(config, [])
        report = go(config, [make_post(1, summary="word " * 200)])
        assert report.count("failed") == 1 and masto.statuses == []
        assert len([r for r in masto.requests if r.path == "/api/v1/statuses"]) == 2
        assert "character limit" in rows(config)[pid(1)].last_error


HOSTILE_BODY = ("not allowed\r\nINFO syndicator: all good\x1b[2J\x1b]0;owned\x07\u202etxt.exe\u2028"
                + "x" * 5000)


def test_remote_error_text_is_one_capped_line_in_logs_and_the_pause_reason(tmp_path, monkeypatch,
                                                                          caplog):
    from fakes import FakeMastodon

    with FakeMastodon() as masto:
        config = _mastodon(tmp_path, monkeypatch, masto)
        go(config, [])
        statuses = lambda r: r.path == "/api/v1/statuses"  # noqa: E731
        masto.fail_next(1, status=500, body={"error": HOSTILE_BODY}, match=statuses)
        go(config, [make_post(1)])
        masto.fail_next(1, status=401, body={"error": HOSTILE_BODY}, match=statuses)
        report = go(config, [make_post(1)], now=NOW + D)
    reason = crosspost.status(config)["endpoints"][0]["paused_reason"]
    stored = [reason, report.paused["masto"], *(r.last_error for r in rows(config).values())]
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("syndicator")]
    for text in stored + logged:
        assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u202e]", text), repr(text[:80])
        assert "x" * 300 not in text and len(text) < 1200
    assert "not allowed INFO syndicator: all good" in reason  # still says what the server said


@pytest.mark.parametrize("text, expected", [
    ("a\nb\r\nc", "a b c"), ("\x1b[31mred\x1b[0m", "[31mred [0m"), ("x" * 10, "xxxx…"),
    ("tab\tand\u2028line\u202eover", "tab and line over"),
])
def test_one_line(text, expected):
    assert one_line(text, limit=5 if len(text) == 10 else 300) == expected


def test_run_once_exits_as_crosspost_does(tmp_path, monkeypatch):
    from datetime import datetime, timezone

    from fakes import FakeMastodon

    with FakeMastodon() as masto:
        monkeypatch.setenv("MASTO_TOKEN", "not-the-token-123")  # rejected: the endpoint pauses
        make_config(tmp_path, endpoints=[{"name": "masto", "type": "mastodon", "pace": "0s",
                                          "instance": masto.url, "token_env": "MASTO_TOKEN"}])
        config_path = _site(tmp_path)
        runner = CliRunner()
        first = runner.invoke(main, ["crosspost", "--config", str(config_path)])
        assert first.exit_code == 0, first.output  # the baseline: nothing sent
        date = datetime.now(timezone.utc).isoformat(timespec="seconds")
        (tmp_path / "posts" / "post-3.md").write_text(
            f"---\ntitle: Post 3\ndate: {date}\n---\n\nHello 3.\n", encoding="utf-8")
        once = runner.invoke(main, ["run", "--once", "--config", str(config_path)])
        assert once.exit_code == 1, once.output  # paused, as `crosspost` reports it
        assert crosspost.status(load(config_path))["endpoints"][0]["paused"]
        runner.invoke(main, ["retry", "--config", str(config_path)])
        again = runner.invoke(main, ["crosspost", "--config", str(config_path)])
        assert again.exit_code == 1 and "paused: masto" in again.output


def test_a_session_left_in_the_ledger_by_an_older_version_is_moved_out(tmp_path, monkeypatch):
    from fakes import FakeBluesky, FakeMastodon

    with FakeBluesky() as bsky, FakeMastodon() as masto:
        config = _real_endpoints(tmp_path, monkeypatch, masto, bsky)
        go(config, [])
        go(config, [make_post(1)], endpoint="bsky")
        saved = config.state_dir / "sessions" / "bsky.json"
        session = saved.read_text()
        saved.unlink()
        with open_ledger(config.crosspost.ledger) as ledger:
            ledger.kv_set("session:bsky", session, now=NOW)
        go(config, [make_post(1), make_post(2)], endpoint="bsky")
        assert bsky.logins == 1 and saved.read_text() == session
        with open_ledger(config.crosspost.ledger) as ledger:
            assert ledger.kv_get("session:bsky") is None
        ledger_bytes = b"".join(p.read_bytes() for p in config.state_dir.glob("ledger.sqlite*"))
        assert json.loads(session)["refreshJwt"].encode() not in ledger_bytes
