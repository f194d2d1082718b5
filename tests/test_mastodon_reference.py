"""Mastodon's count by an independent counter: twitter-text 3.1.0 with Mastodon's overrides.

tests/js/mastodon_count.js (node) counts the way Mastodon's StatusLengthValidator does. Every
fitted status must be within the limit by that count, and our count must never be below it.
"""

from __future__ import annotations

import random
import subprocess

import pytest
from hostile_text import hostile_parts, hostile_text
from js_reference import JS, require_node_modules, run_js

from syndicator.crosspost.counting.mastodon import mastodon_urls
from syndicator.crosspost.counting.tlds import twitter_text_tlds
from syndicator.crosspost.fitting import Parts, fit, mastodon_length, mastodon_limits

TEMPLATE = "{title}\n\n{summary}\n\n{hashtags}\n\n{url}"
STATUSES = 3000
SPOILERS = ["", "", "CW: food", "spoilers for https://example.com/" + "x" * 30, "क्षत्रिय 👩🏾‍💻"]


@pytest.fixture(scope="module", autouse=True)
def node_modules() -> None:
    require_node_modules()


def test_twitter_text_tld_list_is_the_npm_packages() -> None:
    exported = subprocess.run(["node", str(JS / "export_tlds.js")], capture_output=True,
                              text=True, check=True).stdout.split()
    assert frozenset(exported) == twitter_text_tlds() and len(exported) > 1000


def test_the_issue_cases_count_as_mastodon_counts_them() -> None:
    cases = ["https://example.music/" + "a" * 30, "https://site.test/" + "b" * 30,
             "go https://example.com/search?q=a+ now", "https://example.com/path= x",
             "https://example.com/wiki/Foo_(bar", "https://example.com@host",
             "https://en.wikipedia.org/wiki/Mercury_(planet)", "क्षत्रिय", "(https://ex.com/a)."]
    theirs = run_js("mastodon_count.js", [{"text": t} for t in cases])
    ours = [mastodon_length(t) for t in cases]
    assert ours == [r["count"] for r in theirs]
    assert [[list(s) for s in mastodon_urls(t)] for t in cases] == [r["urls"] for r in theirs]
    assert ours[-2] == 5  # Ruby's count, without Unicode 15.1's GB9c


def test_raw_hostile_text_is_never_undercounted() -> None:
    rng = random.Random(20261130)
    items = [{"text": hostile_text(rng, words=rng.randint(1, 80)), "spoiler": rng.choice(SPOILERS)}
             for _ in range(STATUSES)]
    theirs = run_js("mastodon_count.js", items)
    under = [(i["text"], ours, r["count"]) for i, r in zip(items, theirs)
             if (ours := mastodon_length(i["text"], spoiler_text=i["spoiler"])) < r["count"]]
    assert under == []
    # Not vacuous: most texts have URLs, and we agree with Mastodon on nearly all of them.
    same = sum(mastodon_length(i["text"], spoiler_text=i["spoiler"]) == r["count"]
               for i, r in zip(items, theirs))
    assert sum(bool(r["urls"]) for r in theirs) > STATUSES // 2 and same > STATUSES * 0.9


def test_fitted_hostile_statuses_are_within_the_limit_by_mastodons_count() -> None:
    rng = random.Random(9)
    items, limits = [], []
    for _ in range(STATUSES):
        maximum, spoiler = rng.choice([100, 280, 500, 500]), rng.choice(SPOILERS)
        fitted = fit(TEMPLATE, Parts(**hostile_parts(rng)), mastodon_limits(maximum, spoiler_text=spoiler))
        assert fitted.fits
        items.append({"text": fitted.text, "spoiler": spoiler})
        limits.append(maximum)
    theirs = run_js("mastodon_count.js", items)
    over = [(i["text"], r["count"], m) for i, r, m in zip(items, theirs, limits) if r["count"] > m]
    assert over == []
    # Not vacuous: fitting had work to do, and the texts came close to the limit.
    assert sum(r["count"] >= m - 30 for r, m in zip(theirs, limits)) > STATUSES // 2
