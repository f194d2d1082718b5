"""The text side of a Bluesky post record: langs, tags, the link card, and a lexicon check.

The PDS validates every record against app.bsky.feed.post; a record it refuses is never
posted, so these helpers make records it accepts, and record_problems() names anything in a
record that the lexicon would refuse, before it is sent (a bug, to be reported loudly).
"""

from __future__ import annotations

import logging
from typing import Any, Iterable

import langcodes
import regex

from ..crosspost.counting.graphemes import clusters, conservative_graphemes, utf8_bytes
from ..crosspost.fitting import clip

logger = logging.getLogger(__name__)

MAX_LANGS = 3
MAX_TAGS = 8
MAX_TAG_GRAPHEMES = 64
MAX_TAG_BYTES = 640
MAX_TEXT_GRAPHEMES = 300
MAX_TEXT_BYTES = 3000
MAX_DESCRIPTION_GRAPHEMES = 1000
# BCP 47 (RFC 5646) langtag or private use, as the lexicon's "language" format accepts; the
# first subtag two or three letters (as the official Python SDK also requires).
_LANGUAGE = regex.compile(
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|i)(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-x(?:-[A-Za-z0-9]{1,8})+)?")


def bcp47(lang: str) -> str | None:
    """The tag in BCP 47's canonical form ("en_US" -> "en-US", "iw" -> "he"), or None."""
    try:
        tag = langcodes.standardize_tag(lang.strip())
    except (ValueError, langcodes.tag_parser.LanguageTagError):
        return None
    return tag if _LANGUAGE.fullmatch(tag) else None


def record_langs(lang: str | None, *, endpoint: str) -> list[str]:
    """`langs` for a post: its language as BCP 47, or none (with a warning) if it is not one."""
    if not lang:
        return []
    tag = bcp47(lang)
    if tag is None:
        logger.warning("bluesky endpoint %s: language %r is not a BCP 47 tag; posting without "
                       "langs", endpoint, lang)
        return []
    return [tag]


def clip_tag(tag: str) -> str:
    """The tag cut on a grapheme boundary to 64 graphemes and 640 UTF-8 bytes ("" if none fit)."""
    kept: list[str] = []
    size = 0
    for cluster in clusters(tag):
        size += utf8_bytes(cluster)
        if size > MAX_TAG_BYTES or conservative_graphemes("".join(kept) + cluster) > MAX_TAG_GRAPHEMES:
            break
        kept.append(cluster)
    return "".join(kept)


def record_tags(tags: Iterable[str], *, skip: set[str]) -> list[str]:
    """Up to 8 tags (without '#'), each clipped, none casefold-equal to one in `skip`."""
    out: list[str] = []
    for tag in tags:
        clipped = clip_tag(tag)
        if clipped and clipped.casefold() not in skip and clipped not in out:
            out.append(clipped)
    return out[:MAX_TAGS]


def card_description(summary: str) -> str:
    """The link card's description: the summary, cut at a word or grapheme boundary."""
    return clip(summary, lambda s: conservative_graphemes(s) <= MAX_DESCRIPTION_GRAPHEMES)


def record_problems(record: dict[str, Any]) -> list[str]:
    """What in an app.bsky.feed.post record the lexicon refuses (empty when it is valid)."""
    text = str(record.get("text", ""))
    problems = []
    if conservative_graphemes(text) > MAX_TEXT_GRAPHEMES or utf8_bytes(text) > MAX_TEXT_BYTES:
        problems.append("text over 300 graphemes or 3000 bytes")
    langs = record.get("langs", [])
    if len(langs) > MAX_LANGS or any(not _LANGUAGE.fullmatch(str(x)) for x in langs):
        problems.append(f"langs {langs!r} not BCP 47 tags (at most 3)")
    tags = record.get("tags", [])
    if len(tags) > MAX_TAGS or any(not _tag_ok(str(t)) for t in tags):
        problems.append("tags: more than 8, or one empty, over 64 graphemes or over 640 bytes")
    problems += _facet_problems(text, record.get("facets", []))
    return problems


def _tag_ok(tag: str) -> bool:
    return bool(tag) and utf8_bytes(tag) <= MAX_TAG_BYTES and conservative_graphemes(tag) <= MAX_TAG_GRAPHEMES


def _facet_problems(text: str, facets: list[dict[str, Any]]) -> list[str]:
    encoded = text.encode("utf-8")
    problems, end = [], 0
    for facet in facets:
        start, stop = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        try:
            encoded[start:stop].decode("utf-8")
            whole = 0 <= start < stop <= len(encoded)
        except UnicodeDecodeError:
            whole = False
        if not whole or start < end:
            problems.append(f"facet {start}..{stop} outside the text, inside a character or overlapping")
        end = max(end, stop)
        for feature in facet["features"]:
            if feature["$type"].endswith("#tag") and not _tag_ok(feature["tag"]):
                problems.append(f"facet tag {feature['tag'][:20]!r}… over 64 graphemes or 640 bytes")
    return problems
