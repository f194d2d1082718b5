"""Bluesky text judged by the official libraries: @atproto/api's RichText (node) for facets,
the atproto SDK's lexicon models for records.

Our facets follow detectFacets() except where counting/richtext.py says we differ on purpose:
links after a quote, trailing punctuation / closing quotes / unbalanced ")" trimmed repeatedly,
and no facet for a tag the lexicon refuses. Each difference is checked to be one of those (a
link of ours that starts after a quote runs to the next space, as any link does, so it may hold
one that @atproto/api finds after a "(" inside it).
"""

from __future__ import annotations

import random

import pytest
from atproto_client import models
from endpoint_helpers import NOW, default_template, make_body, make_endpoint, make_post
from fakes import FakeBluesky
from hostile_text import hostile_parts, hostile_text
from js_reference import require_node_modules, run_js

from syndicator.crosspost.counting.graphemes import conservative_graphemes
from syndicator.crosspost.counting.richtext import facets
from syndicator.endpoints.bluesky import Bluesky
from syndicator.endpoints.bluesky_record import record_problems

RECORDS = 3000
CASES = [
    "☿ https://en.wikipedia.org/wiki/Mercury_(planet) is small",
    "(see https://en.wikipedia.org/wiki/Mercury_(planet)).",
    "(https://example.com/a) and \"https://example.org/b\", 'https://x.io/c'!",
    "“https://example.net/q?x=1” and «https://example.net/r»",
    "end https://example.com/a. next https://example.com/b), (https://example.com/c_(d))",
    "#tag #日本語 #2024 #a,b! ＃full #" + "a\u0301" * 10,
]
CLOSERS = set(".,;:!?\"'”’»›」』)")
OPENERS = set("\"'“‘«‹„‚「『")


@pytest.fixture(scope="module", autouse=True)
def node_modules() -> None:
    require_node_modules()


def _span(f: dict) -> tuple[int, int]:
    return f["index"]["byteStart"], f["index"]["byteEnd"]


def _differences(text: str, ours: list[dict], theirs: list[dict]) -> list[str]:
    """Every way our facets differ from @atproto/api's that is not a documented one."""
    data = text.encode("utf-8")
    mine = {_span(f)[0]: f for f in ours}
    starts = set(mine)
    bad = []
    for f in theirs:
        start, end = _span(f)
        o = mine.pop(start, None)
        if o is None and any(s < start < e and _after_quote(data, s) for s, e in map(_span, ours)):
            continue  # inside a link of ours that starts after a quote and runs to a space
        if o is None and any(g is not f and _overlap(f, g) and _span(g)[0] in starts
                             for g in theirs):
            continue  # theirs overlap (a tag or cashtag around a link); ours keep one
        if f["features"][0]["$type"].endswith("#tag"):
            tag = f["features"][0]["tag"]
            refused = len(tag.encode()) > 640 or conservative_graphemes(tag) > 64
            if (o is None) != refused or (o is not None and o != f):
                bad.append(f"tag {tag!r}: ours {o}")
            continue
        if o is None or not o["features"][0]["$type"].endswith("#link"):
            bad.append(f"link {data[start:end]!r} missing")
            continue
        trimmed = data[_span(o)[1]:end].decode("utf-8", "replace")
        uri, their_uri = o["features"][0]["uri"], f["features"][0]["uri"]
        if not (set(trimmed) <= CLOSERS and their_uri.startswith(uri)
                and their_uri[len(uri):] == trimmed):
            bad.append(f"link {data[start:end]!r} vs ours {data[slice(*_span(o))]!r}")
    for start, o in mine.items():  # ours only: a link right after a quote
        if not (o["features"][0]["$type"].endswith("#link") and _after_quote(data, start)):
            bad.append(f"extra {data[slice(*_span(o))]!r}")
    return bad


def _overlap(f: dict, g: dict) -> bool:
    return _span(f)[0] < _span(g)[1] and _span(g)[0] < _span(f)[1]


def _after_quote(data: bytes, start: int) -> bool:
    return data[:start].decode("utf-8")[-1:] in OPENERS


def test_facets_match_atproto_api_but_for_the_documented_differences() -> None:
    rng = random.Random(300)
    texts = CASES + [hostile_text(rng, words=rng.randint(1, 60)) for _ in range(RECORDS)]
    theirs = run_js("bluesky_facets.js", texts)
    bad = [(t, d) for t, f in zip(texts, theirs) if (d := _differences(t, facets(t), f))]
    assert bad == []
    # Not vacuous: thousands of links and tags compared, and the documented cases occur.
    compared = sum(len(f) for f in theirs)
    assert compared > RECORDS and sum(len(facets(t)) for t in texts) > compared
    assert [f["features"][0]["uri"] for f in facets(CASES[1])] == [
        "https://en.wikipedia.org/wiki/Mercury_(planet)"]


def test_every_generated_record_passes_the_lexicon_models() -> None:
    rng = random.Random(42)
    with FakeBluesky() as fake:
        ep = make_endpoint(Bluesky, "sky", {"handle": fake.handle, "service": fake.url},
                           {"password": fake.password}, timeout=5.0)
        failures, sent = [], 0
        for n in range(RECORDS):
            parts = hostile_parts(rng)
            post = make_post(n, title=parts["title"], url=f"https://test.example/{n}/",
                             tags=[t[1:] for t in parts["hashtags"]] + [hostile_text(rng, words=2)],
                             lang=rng.choice(["en", "en_US", "pt_br", "english", None, "zh_Hant_TW"]))
            body = make_body(str(parts["summary"]))
            message = ep.render(post, body, template=default_template(ep))
            key = ep.new_key(now=NOW)
            ep.send(post, body, message, key=key, now=NOW)
            record = fake.records[key]["value"]
            sent += 1
            try:
                models.AppBskyFeedPost.Record.model_validate(
                    record, context={"strict_string_format": True})
            except Exception as exc:  # noqa: BLE001 - counted and shown below
                failures.append((record["text"], str(exc)[:200]))
            failures += [(record["text"], p) for p in record_problems(record)]
    assert sent == RECORDS and failures == []
