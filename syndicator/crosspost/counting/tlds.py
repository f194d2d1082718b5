"""The top-level domains that make Mastodon count a URL as characters_reserved_per_url.

Mastodon finds URLs with twitter-text (3.1.0), whose TLD list is frozen: it lacks newer TLDs
such as .music, .kids, .spa and .amazon, so Mastodon counts those URLs in full. We recognise a
TLD only when it is both in twitter-text's list (twitter_text_tlds.txt, exported from the
twitter-text npm package by tests/js/export_tlds.js; Apache-2.0, Copyright 2018 Twitter, Inc.)
and in the ICANN section of the Public Suffix List (the `publicsuffixlist` package's bundled
copy; nothing is fetched at run time). The list alone would already be right for today's
Mastodon; the PSL keeps out names withdrawn from the root since, and reserved names such as
.test, .example, .local, so a later twitter-text that drops them cannot make us undercount.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from publicsuffixlist import PublicSuffixList


def twitter_text_tlds() -> frozenset[str]:
    """twitter-text 3.1.0's generic and country-code TLDs, lower case."""
    data = resources.files(__package__).joinpath("twitter_text_tlds.txt").read_text("utf-8")
    return frozenset(line.strip() for line in data.splitlines() if line.strip())


@lru_cache(maxsize=1)
def mastodon_tlds() -> frozenset[str]:
    """TLDs in both twitter-text's list and the PSL's ICANN section (computed once)."""
    psl = PublicSuffixList(only_icann=True, accept_unknown=False)
    return frozenset(t for t in twitter_text_tlds() if psl.is_public(t))
