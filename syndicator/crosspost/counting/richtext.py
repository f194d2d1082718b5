"""Bluesky rich-text facets: links and hashtags found as @atproto/api's RichText finds them.

detectFacets() in @atproto/api links `https?://` followed by non-space, and bare domains with a
known TLD (linked as https://), when they start the text or follow whitespace or `(`; it drops
one trailing `.,;:!?` and a trailing `)` when the link has no `(`. Hashtags follow whitespace,
need a character that is not a digit, space or punctuation, and lose trailing punctuation.
Cashtags ($ and one to five letters or digits) become tags "$TICKER".

Where we differ, on purpose (tests/test_fitting.py has the cases):
- a link may also start right after a quote (" ' “ ‘ « ‹ „ ‚ 「 『), and a closing quote
  ending it is not part of it;
- trailing punctuation, closing quotes and unbalanced `)` are all trimmed, repeatedly, so
  `(see …/Mercury_(planet)).` links `…/Mercury_(planet)`;
- facets never overlap (see facets());
- a hashtag over 64 graphemes (counted both ways) or 640 UTF-8 bytes gets no facet: the
  lexicon refuses it, where @atproto/api would make an invalid record.
Offsets are UTF-8 bytes, end exclusive, sorted, never overlapping. Mentions need a handle
lookup and are left as text.
"""

from __future__ import annotations

from functools import lru_cache

import regex
from publicsuffixlist import PublicSuffixList

from .graphemes import conservative_graphemes, utf8_bytes

MAX_TAG_GRAPHEMES = 64
MAX_TAG_BYTES = 640
LINK = "app.bsky.richtext.facet#link"
TAG = "app.bsky.richtext.facet#tag"

_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"  # JS \s
_OPEN_QUOTES = "\"'“‘«‹„‚「『"
_CLOSERS = ".,;:!?\"'”’»›」』"
_URL = regex.compile(
    rf"(?:^|(?<=[{_SPACE}(]|(?P<quote>[{_OPEN_QUOTES}])))"
    rf"(?P<link>https?://[^{_SPACE}]+|(?P<domain>[a-z][a-z0-9]*(?:\.[a-z0-9]+)+)[^{_SPACE}]*)",
    regex.I | regex.M)
_INVISIBLE = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_TAG = regex.compile(
    rf"(?:^|(?<=[{_SPACE}]))[#＃](?P<tag>(?!\ufe0f)[^{_SPACE}{_INVISIBLE}]*"
    rf"[^\d{_SPACE}\p{{P}}{_INVISIBLE}]+[^{_SPACE}{_INVISIBLE}]*)", regex.M)
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")
_CASHTAG = regex.compile(rf"(?:^|(?<=[{_SPACE}(]))\$(?P<ticker>[A-Za-z][A-Za-z0-9]{{0,4}})"
                         rf"(?=[{_SPACE}.,;:!?)\"'\u2019]|\Z)")




@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    """The bundled Public Suffix List, ICANN section, unknown TLDs refused (loaded once)."""
    return PublicSuffixList(only_icann=True, accept_unknown=False)


def _is_tld(label: str) -> bool:
    """@atproto/api's test: the last label, exactly as written, is a known TLD (lower case)."""
    return label == label.lower() and _psl().is_public(label)


def _trim_link(link: str) -> str:
    """Drop trailing punctuation, closing quotes and unbalanced `)`, as long as any is left."""
    while link:
        if link[-1] in _CLOSERS:
            link = link[:-1]
        elif link[-1] == ")" and link.count(")") > link.count("("):
            link = link[:-1]
        else:
            return link
    return link


def _facet(text: str, start: int, end: int, feature: dict[str, str]) -> dict:
    byte_start = utf8_bytes(text[:start])
    return {"index": {"byteStart": byte_start, "byteEnd": byte_start + utf8_bytes(text[start:end])},
            "features": [feature]}


def link_facets(text: str) -> list[tuple[dict, bool]]:
    """Link facets, each with whether it starts right after a quote (our addition):
    `https?://` links and bare domains with a known TLD (linked as https://)."""
    out = []
    for m in _URL.finditer(text):
        link = _trim_link(m.group("link"))
        if m.group("domain") is not None:
            domain = m.group("domain")
            if len(link) < len(domain) or not _is_tld(domain.rsplit(".", 1)[1]):
                continue
            uri = "https://" + link
        else:
            if not link.partition("://")[2]:  # a bare scheme ("https://") links nothing
                continue
            uri = link
        facet = _facet(text, m.start("link"), m.start("link") + len(link), {"$type": LINK, "uri": uri})
        out.append((facet, m.group("quote") is not None))
    return out


def tag_facets(text: str) -> list[dict]:
    """Hashtag facets; a tag the lexicon would refuse (over 64 graphemes or 640 bytes) gets none."""
    out = []
    for m in _TAG.finditer(text):
        tag = _TRAILING_PUNCTUATION.sub("", m.group("tag"))
        if (not tag or conservative_graphemes(tag) > MAX_TAG_GRAPHEMES
                or utf8_bytes(tag) > MAX_TAG_BYTES):
            continue
        out.append(_facet(text, m.start(), m.start("tag") + len(tag), {"$type": TAG, "tag": tag}))
    return out


def cashtag_facets(text: str) -> list[dict]:
    """Cashtags ($AAPL): tag facets whose tag is "$" and the ticker in upper case."""
    return [_facet(text, m.start(), m.end(), {"$type": TAG, "tag": "$" + m.group("ticker").upper()})
            for m in _CASHTAG.finditer(text)]


def facets(text: str) -> list[dict]:
    """Link, hashtag and cashtag facets: UTF-8 byte offsets, end exclusive, sorted, no overlaps.

    Where two would overlap, the one @atproto/api also makes wins, links first: a cashtag after
    a "(" inside a link is part of the link, and a hashtag beats a link after a quote in it.
    """
    links = link_facets(text)
    kept: list[dict] = []
    for facet in ([f for f, quoted in links if not quoted] + tag_facets(text)
                  + cashtag_facets(text) + [f for f, quoted in links if quoted]):
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        if all(end <= k["index"]["byteStart"] or k["index"]["byteEnd"] <= start for k in kept):
            kept.append(facet)
    return sorted(kept, key=lambda f: f["index"]["byteStart"])
