"""Feed sources end to end: a fake blog host on 127.0.0.1 serving real-world feed shapes, the
poller, the ledger and a fake signed-webhook endpoint (which records every delivery)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fakes import FakeFeedServer, FakeWebhook
from sources_helpers import config_with_sources, fixture, rss

from syndicator.config import load
from syndicator.sources.run import run
from syndicator.sources.status import release, sources_status

T0 = datetime(2026, 11, 30, 6, 0, tzinfo=timezone.utc)
DATE = "Mon, 30 Nov 2026 05:00:00 +0000"


@pytest.fixture()
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A feed host, a webhook endpoint and a function writing a config with given sources."""
    with FakeFeedServer() as host, FakeWebhook() as hook:
        monkeypatch.setenv("HOOK_SECRET", hook.secret)

        def configure(*sources: dict) -> object:
            path = config_with_sources(tmp_path, sources=sources, endpoints=[
                {"name": "hook", "type": "webhook", "url": hook.url, "secret_env": "HOOK_SECRET",
                 "pace": "0s", "max_age": "3650d"}])
            return load(path)

        yield host, hook, configure


def sent_ids(hook: FakeWebhook) -> Counter:
    """entry id -> number of distinct deliveries."""
    by_id: dict[str, set[str]] = {}
    for d in hook.deliveries:
        by_id.setdefault(d["body"]["data"]["id"], set()).add(d["id"])
    return Counter({k: len(v) for k, v in by_id.items()})


def items(n: int, *, start: int = 0, scheme: str = "https") -> list[tuple]:
    return [(f"{scheme}://blog.example/?p={i}", f"{scheme}://blog.example/{i}/", f"Post {i}", DATE)
            for i in range(start, start + n)]


def test_first_poll_is_a_baseline_then_304_costs_one_small_request(site) -> None:
    host, hook, configure = site
    url = host.publish("/feed/", fixture("wordpress-rss.xml"))
    config = configure({"name": "blog", "url": url})
    report = run(config, now=T0)
    assert [p.count("baseline") for p in report.polls] == [3]
    assert hook.deliveries == []
    report = run(config, now=T0 + timedelta(minutes=15))
    assert report.polls[0].outcome == "not modified"
    path, headers = host.requests[-1]
    assert headers["if-none-match"] == '"v1"' and "if-modified-since" in headers
    assert headers["user-agent"].startswith("syndicator/") and "gzip" in headers["accept-encoding"]
    assert hook.deliveries == []
    (row,) = sources_status(config, now=T0)
    assert row["etag"] == '"v1"' and row["entries_seen"] == 3 and row["status"] == "not modified"


def test_new_entry_is_sent_once_and_edits_never_resend(site) -> None:
    host, hook, configure = site
    url = host.publish("/feed.xml", rss(items(2)))
    config = configure({"name": "blog", "url": url})
    run(config, now=T0)
    host.publish("/feed.xml", rss(items(3)))
    run(config, now=T0 + timedelta(minutes=15))
    assert sent_ids(hook) == {"https://blog.example/?p=2": 1}
    edited = items(3)
    edited[2] = (edited[2][0], edited[2][1], "Post 2, typo fixed", DATE)
    host.publish("/feed.xml", rss(edited))
    run(config, now=T0 + timedelta(minutes=30))
    assert sent_ids(hook) == {"https://blog.example/?p=2": 1}
    body = hook.deliveries[0]["body"]["data"]
    assert body["title"] == "Post 2" and body["url"] == "https://blog.example/2/"


def test_guid_churn_with_same_links_is_not_sent_again(site) -> None:
    host, hook, configure = site
    url = host.publish("/feed.xml", rss(items(3, scheme="http")))
    config = configure({"name": "blog", "url": url})
    run(config, now=T0)
    # The blog moved to https and www.; a tracking parameter crept into the links.
    churned = [(f"https://www.blog.example/?p={i}", f"https://www.blog.example/{i}/?utm_source=rss",
                f"Post {i}", DATE) for i in range(3)]
    host.publish("/feed.xml", rss(churned + [("https://www.blog.example/?p=9",
                                              "https://www.blog.example/9/", "Post 9", DATE)]))
    report = run(config, now=T0 + timedelta(minutes=15))
    assert report.polls[0].count("duplicate") == 3
    assert sent_ids(hook) == {"https://www.blog.example/?p=9": 1}


def test_duplicate_guids_and_missing_guids(site) -> None:
    host, hook, configure = site
    url = host.publish("/feed.xml", rss([]))
    config = configure({"name": "blog", "url": url})
    run(config, now=T0)
    host.publish("/feed.xml", rss([
        ("same-guid", "https://blog.example/a/", "A", DATE),   # one guid, two pages
        ("same-guid", "https://blog.example/b/", "B", DATE),
        (None, "https://blog.example/c/", "C", DATE),           # no guid: keyed by link
        (None, "https://blog.example/", "D", DATE),             # no guid, home link: title+date
        (None, "https://blog.example/", "E", DATE),
    ]))
    run(config, now=T0 + timedelta(minutes=15))
    ids = sent_ids(hook)
    assert set(v for v in ids.values()) == {1} and len(ids) == 5
    assert "https://blog.example/a/" in ids and "https://blog.example/c/" in ids
    assert sum(k.startswith("urn:syndicator:blog:") for k in ids) == 2


def test_permanent_redirect_is_stored_temporary_is_not(site, caplog) -> None:
    host, hook, configure = site
    host.publish("/new.xml", rss(items(1)))
    host.publish("/tmp.xml", rss(items(1)))
    old = host.redirect("/old.xml", "/new.xml", 301)
    hop = host.redirect("/hop.xml", "/tmp.xml", 302)
    config = configure({"name": "moved", "url": old}, {"name": "hopping", "url": hop})
    run(config, now=T0)
    assert "moved permanently" in caplog.text
    run(config, now=T0 + timedelta(minutes=15))
    assert host.hits("/old.xml") == 1 and host.hits("/new.xml") == 2
    assert host.hits("/hop.xml") == 2 and host.hits("/tmp.xml") == 2
    rows = {r["name"]: r for r in sources_status(config, now=T0)}
    assert rows["moved"]["url"].endswith("/new.xml") and rows["hopping"]["url"].endswith("/hop.xml")


def test_410_disables_the_source_until_retry(site) -> None:
    host, hook, configure = site
    url = host.status("/gone.xml", 410)
    config = configure({"name": "gone", "url": url})
    report = run(config, now=T0)
    assert report.polls[0].outcome == "gone"
    run(config, now=T0 + timedelta(hours=5))
    assert host.hits("/gone.xml") == 1
    (row,) = sources_status(config, now=T0)
    assert row["status"].startswith("disabled:") and "retry --source gone" in row["status"]
    host.publish("/gone.xml", rss(items(1)))
    assert release(config, "gone", now=T0 + timedelta(hours=6)) == (0, True)
    assert run(config, now=T0 + timedelta(hours=6)).polls[0].outcome == "new"


def test_429_retry_after_is_honoured_even_by_a_manual_poll(site) -> None:
    host, hook, configure = site
    url = host.status("/busy.xml", 429, {"Retry-After": "7200"})
    config = configure({"name": "busy", "url": url, "every": "15m"})
    assert run(config, now=T0).polls[0].outcome == "failed"
    later = run(config, now=T0 + timedelta(hours=1), only="busy")
    assert later.polls[0].outcome == "not due" and "Retry-After" in later.polls[0].detail
    assert host.hits("/busy.xml") == 1
    host.publish("/busy.xml", rss(items(1)))
    assert run(config, now=T0 + timedelta(hours=2, seconds=1)).polls[0].outcome == "new"


def test_interval_holds_across_runs(site) -> None:
    host, hook, configure = site
    url = host.publish("/feed.xml", rss(items(1)))
    config = configure({"name": "blog", "url": url, "every": "1h"})
    run(config, now=T0)
    for minutes in (1, 30, 59):
        assert run(config, now=T0 + timedelta(minutes=minutes)).polls[0].outcome == "not due"
    assert host.hits("/feed.xml") == 1
    run(config, now=T0 + timedelta(minutes=60))
    assert host.hits("/feed.xml") == 2


BAD = {
    "not-xml": b"<html><body>Maintenance</body></html>",
    "not-json": b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
    "truncated": rss(items(3))[:-40],
    "wrong-encoding": '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                      '<title>Café</title><item><title>Été</title><guid>x</guid></item>'
                      '</channel></rss>'.encode("latin-1"),
    "entity-bomb": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
                   + b"".join(b'<!ENTITY %s "%s">' % (b"a" * (i + 2), b"&" + b"a" * (i + 1) + b";" * 1) * 1
                              for i in range(8)) + b']><rss version="2.0"><channel><title>&aaaaaaaaa;</title></channel></rss>',
}


def test_bad_bytes_fail_one_poll_and_stop_nothing_else(site, caplog) -> None:
    host, hook, configure = site
    good = host.publish("/good.xml", rss(items(1)))
    bad = {name: host.publish(f"/{name}", b"") for name in BAD}
    huge = host.stream("/huge.xml", 1 << 30)
    config = configure({"name": "good", "url": good}, {"name": "huge", "url": huge},
                       *({"name": n, "url": u} for n, u in bad.items()))
    run(config, now=T0)  # baselines (the bad ones fail anyway: they are empty)
    for name, body in BAD.items():
        host.publish(f"/{name}", body)
    host.publish("/good.xml", rss(items(2)))
    report = run(config, now=T0 + timedelta(minutes=15))
    outcomes = {p.source: (p.outcome, p.detail) for p in report.polls}
    assert outcomes["good"][0] == "new"
    assert sent_ids(hook) == {"https://blog.example/?p=1": 1}
    for name in [*BAD, "huge"]:
        assert outcomes[name][0] == "failed", (name, outcomes[name])
    assert "larger than the 10 MiB limit" in outcomes["huge"][1]
    assert "entity" in outcomes["entity-bomb"][1]
    assert "truncated" in outcomes["truncated"][1]
    assert "wrong encoding" in outcomes["wrong-encoding"][1]
    assert "Traceback" not in caplog.text
    rows = {r["name"]: r for r in sources_status(config, now=T0)}
    assert rows["huge"]["failures"] == 2 and rows["good"]["failures"] == 0


def test_a_burst_of_new_entries_is_held_until_released(site) -> None:
    host, hook, configure = site
    url = host.publish("/feed.xml", rss(items(2)))
    config = configure({"name": "blog", "url": url})
    run(config, now=T0)
    host.publish("/feed.xml", rss(items(20)))  # a theme update re-dated everything, say
    report = run(config, now=T0 + timedelta(minutes=15))
    assert report.polls[0].count("held") == 18 and hook.deliveries == []
    (row,) = sources_status(config, now=T0)
    assert len(row["held"]) == 18 and "Post 7" in row["held"]
    assert release(config, "blog", now=T0 + timedelta(minutes=16)) == (18, False)
    run(config, now=T0 + timedelta(minutes=31))
    assert len(sent_ids(hook)) == 18 and set(sent_ids(hook).values()) == {1}


def test_backfill_opts_in_to_the_newest_entries(site) -> None:
    host, hook, configure = site
    dated = [(f"g{i}", f"https://blog.example/{i}/", f"Post {i}",
              f"Mon, {23 + i} Nov 2026 05:00:00 +0000") for i in range(4)]
    url = host.publish("/feed.xml", rss(dated))
    config = configure({"name": "blog", "url": url})
    run(config, now=T0, backfill=2)
    assert sorted(sent_ids(hook)) == ["g2", "g3"]


def test_real_world_feeds_map_to_posts(site) -> None:
    host, hook, configure = site
    urls = {n: host.publish(f"/{n}", b"<rss version='2.0'><channel></channel></rss>")
            for n in ("wp", "mt", "json", "amp")}
    config = configure(*({"name": n, "url": u} for n, u in urls.items()))
    run(config, now=T0)
    host.publish("/wp", fixture("wordpress-rss.xml"))
    host.publish("/mt", fixture("movabletype-atom.xml"), content_type="application/atom+xml")
    host.publish("/json", fixture("jsonfeed.json"), content_type="application/feed+json")
    host.publish("/amp", fixture("rss-corrupted-ampersands.xml"))
    report = run(config, now=T0 + timedelta(minutes=15))
    held = {p.source: p.count("held") for p in report.polls}
    assert held == {"wp": 0, "mt": 6, "json": 0, "amp": 0}
    # feedparser's own ill-formed sample really is cut short (it ends "</rss"): a failed poll.
    amp = [p for p in report.polls if p.source == "amp"][0]
    assert amp.outcome == "failed" and "truncated" in amp.detail
    got = {d["body"]["data"]["id"]: d["body"]["data"] for d in hook.deliveries}
    wp = got["https://fieldnotes.example/?p=212"]
    assert wp["image"]["alt"] == "Stone piers in a shallow river at dawn"
    assert wp["tags"] == ["Walks", "bridges"] and wp["authors"][0]["name"] == "Ines Okafor"
    assert got["https://fieldnotes.example/?p=207"]["image"]["url"].endswith("bench-map.png")
    assert got["https://fieldnotes.example/?p=201"]["image"]["url"].endswith("shoes.jpg")
    js = got["https://tidepool.example/2026/anemones/"]
    assert js["image"]["url"].endswith("anemone.jpg") and js["tags"] == ["tidepools", "Marine life"]
    assert js["authors"][0]["name"] == "Mara Lindqvist"
    assert datetime.fromisoformat(js["published"]) == datetime(2026, 11, 28, 9, tzinfo=timezone.utc)
    assert got["2"]["title"] == "Low tide timetable"
    # Released, the 2009 entries are older than max_age (10 years here): skipped, not sent.
    assert release(config, "mt", now=T0 + timedelta(minutes=16)) == (6, False)
    run(config, now=T0 + timedelta(minutes=31))
    assert len(hook.deliveries) == len(got)
    conn = sqlite3.connect(config.state_dir / "ledger.sqlite")
    row = conn.execute("SELECT state, reason FROM deliveries WHERE post_id = ?",
                       ("tag:touchnokia.ru,2009://1.666",)).fetchone()
    assert row == ("skipped", "older than max_age (3650d)")


def test_ledger_tables_for_sources_are_in_the_ledger_database(site) -> None:
    host, hook, configure = site
    config = configure({"name": "blog", "url": host.publish("/f", rss(items(1)))})
    run(config, now=T0)
    conn = sqlite3.connect(config.state_dir / "ledger.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    states = conn.execute("SELECT state, reason FROM deliveries").fetchall()
    assert states == [("skipped", "in the feed at the source's first poll (opt in with --backfill N)")]
