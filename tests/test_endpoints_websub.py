"""WebSub pings against FakeHub."""

from __future__ import annotations

import pytest
from endpoint_helpers import closed_port_url, session
from fakes import FakeHub

from syndicator.endpoints.websub import ping, ping_hubs
from syndicator.errors import TransientError

FEEDS = ["https://test.example/feeds/rss.xml", "https://test.example/feeds/atom.xml"]


def test_pings_every_hub_for_every_changed_feed() -> None:
    with FakeHub() as one, FakeHub() as two:
        assert ping_hubs(session(), [one.url, two.url], FEEDS, timeout=5) == []
        for hub in (one, two):
            assert hub.pings == [(f, f) for f in FEEDS]
            assert all(r.form["hub.mode"] == ["publish"] for r in hub.requests)


def test_failures_become_problem_strings_and_others_carry_on() -> None:
    with FakeHub() as hub:
        hub.fail_next(1, status=500, body="boom")
        down = closed_port_url("/hub")
        problems = ping_hubs(session(), [hub.url, down], FEEDS[:1] * 2, timeout=5)
        assert len(problems) == 2 and "500" in problems[0] and "127.0.0.1" in problems[1]
        ping_hubs(session(), [hub.url], FEEDS[:1], timeout=5)
        assert hub.pings == [(FEEDS[0], FEEDS[0])]


def test_ping_raises_transient() -> None:
    with FakeHub() as hub:
        hub.fail_next(1, status=400)
        with pytest.raises(TransientError):
            ping(session(), hub.url, FEEDS[0], timeout=5)
