"""Templates, hashtags, platform counters and fitting a post's summary into a limit.

Pure functions, no I/O. Counting (counting/) follows crosspost.md: grapheme clusters (UAX #29),
never len(), and each platform's own rule for URLs. Fitting priority: keep the URL and the title, drop whole
hashtags from the end, shorten the summary at a word boundary with "…", and only then shorten
the title the same way. A cut never lands inside a URL, a hashtag, an @mention or a grapheme
cluster.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

import regex

from ..errors import ConfigError
from ..model import Body, Post
# Counters and facets live in counting/; these names stay importable from here.
from .counting.graphemes import conservative_graphemes as conservative_graphemes
from .counting.graphemes import graphemes as graphemes
from .counting.graphemes import utf8_bytes as utf8_bytes
from .counting.graphemes import utf16_units as utf16_units
from .counting.mastodon import mastodon_length as mastodon_length
from .counting.richtext import facets as facets


FIELDS = ("title", "summary", "url", "hashtags", "author", "date")
ELLIPSIS = "…"

_GRAPHEME = regex.compile(r"\X")
_WORD_BOUNDARY = regex.compile(r"(?w)\b")
# A whitespace-delimited token that must never be cut: URLs, hashtags, mentions. "Whitespace" is
# Python's (str.split), which also counts U+001C..U+001F; the regex module's \s does not.
_NS = r"[^\s\x1c-\x1f]"
_PROTECTED = regex.compile(rf"(?<!{_NS})(?:[#＃@]{_NS}*|www\.{_NS}*)|{_NS}*://{_NS}*")


# -- templates ----------------------------------------------------------------------------


def check_template(template: str, *, where: str = "template") -> None:
    """Raise ConfigError unless the template uses only the known plain fields."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc} (write literal braces as {{{{ and }}}})") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in FIELDS:
            raise ConfigError(f"{where}: unknown field {{{name}}} (known: "
                              + ", ".join("{" + f + "}" for f in FIELDS) + ")")
        if spec or conversion:
            raise ConfigError(f"{where}: field {{{name}}} takes no conversion or format spec")


def format_template(template: str, values: dict[str, str]) -> str:
    """Fill the template's fields without ever evaluating an expression (no str.format)."""
    check_template(template)
    out = []
    for literal, name, _, _ in string.Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(values.get(name, ""))
    return _tidy("".join(out))


def _tidy(text: str) -> str:
    """Remove the gaps empty fields leave: trailing spaces, doubled spaces, blank line runs."""
    text = regex.sub(r"[ \t]+\n", "\n", text)
    text = regex.sub(r"(?<=\S) {2,}(?=\S)", " ", text)
    text = regex.sub(r"\n{3,}", "\n\n", text)
    return text.strip(" \t\n")


# -- hashtags -----------------------------------------------------------------------------


def hashtag(tag: str) -> str | None:
    """ "machine learning" -> "#MachineLearning"; None when nothing usable is left.

    One word keeps its case ("iOS"); several are CamelCased. A tag needs a letter (an
    all-digit "#2024" is not a hashtag on Mastodon or Bluesky) and at most 64 characters.
    """
    words = [w for w in regex.split(r"[\W_]+", tag) if w]
    if not words:
        return None
    name = words[0] if len(words) == 1 else "".join(w[:1].upper() + w[1:] for w in words)
    if not regex.search(r"[^\W\d_]", name) or len(_GRAPHEME.findall(name)) > 64:
        return None
    return "#" + name


def hashtags(tags: Iterable[str]) -> tuple[str, ...]:
    """Hashtags for a post's tags, in order, without case-insensitive duplicates."""
    seen: set[str] = set()
    out = []
    for tag in tags:
        h = hashtag(tag)
        if h and h.casefold() not in seen:
            seen.add(h.casefold())
            out.append(h)
    return tuple(out)


# -- counters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """One way a platform measures text, and the most it accepts."""

    unit: str  # "characters", "graphemes", "bytes"
    measure: Callable[[str], int]
    maximum: int


def fits(text: str, limits: Sequence[Limit]) -> bool:
    """Whether the text is within every limit."""
    return all(lim.measure(text) <= lim.maximum for lim in limits)


def mastodon_limits(max_characters: int = 500, url_length: int = 23, *, spoiler_text: str = "",
                    margin: int = 0) -> tuple[Limit, ...]:
    """Mastodon: the status and its content warning together within max_characters - margin.

    The measure counts spoiler_text + status as Mastodon does; `margin` (>= 0) leaves that many
    characters unused, for a refit after the server disagreed with our count.
    """
    if margin < 0:
        raise ValueError("margin must be >= 0")
    return (Limit("characters",
                  lambda t: mastodon_length(t, url_length=url_length, spoiler_text=spoiler_text),
                  max_characters - margin),)


# The PDS counts with Intl.Segmenter, whose Unicode version depends on its ICU: count both ways.
BLUESKY_LIMITS = (Limit("graphemes", conservative_graphemes, 300), Limit("bytes", utf8_bytes, 3000))
# Discord's limit is 2000 "characters"; UTF-16 units are never fewer than what it counts.
DISCORD_LIMITS = (Limit("characters", utf16_units, 2000),)


# -- fitting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parts:
    """The values a template can use; hashtags are whole '#Tag' strings."""

    title: str = ""
    summary: str = ""
    url: str = ""
    hashtags: tuple[str, ...] = ()
    author: str = ""
    date: str = ""

    def values(self) -> dict[str, str]:
        """Field name -> text, for format_template."""
        return {"title": self.title, "summary": self.summary, "url": self.url,
                "hashtags": " ".join(self.hashtags), "author": self.author, "date": self.date}


@dataclass(frozen=True)
class Fitted:
    """The fitted text, the parts it was made from, and what was removed to make it fit."""

    text: str
    parts: Parts | None  # None for a post's own text
    dropped: tuple[str, ...]
    fits: bool


def _one_line(text: str) -> str:
    return " ".join(text.split())


def parts_for(post: Post, body: Body) -> Parts:
    """Template values for a post: whitespace folded, hashtags from tags, date as YYYY-MM-DD."""
    return Parts(
        title=_one_line(post.title), summary=_one_line(body.summary), url=post.url,
        hashtags=hashtags(post.tags), author=", ".join(_one_line(a.name) for a in post.authors),
        date=post.published.date().isoformat(),
    )


def cut_points(text: str) -> list[int]:
    """Offsets where text may be cut: word and grapheme boundaries outside protected tokens."""
    clusters = {m.end() for m in _GRAPHEME.finditer(text)}
    inside = set()
    for m in _PROTECTED.finditer(text):
        inside.update(range(m.start() + 1, m.end()))
    return [p for p in (m.start() for m in _WORD_BOUNDARY.finditer(text))
            if 0 < p < len(text) and p in clusters and p not in inside]


def _rstrip_clusters(text: str) -> str:
    """Drop trailing whitespace, whole clusters only (a Prepend mark may own a space)."""
    clusters = _GRAPHEME.findall(text)
    while clusters and clusters[-1].isspace():
        clusters.pop()
    return "".join(clusters)


def _shortened(text: str, p: int) -> str:
    head = _rstrip_clusters(text[:p])
    if not head:
        return ""
    last = head.split()[-1]
    # "…" glued to a URL or hashtag would change it; give it a space of its own.
    return head + (" " + ELLIPSIS if _PROTECTED.fullmatch(last) else ELLIPSIS)


def shorten(text: str, ok: Callable[[str], bool]) -> str:
    """The longest word-boundary prefix of text plus "…" that ok() accepts, or ""."""
    points = cut_points(text)
    lo, hi, best = 0, len(points) - 1, ""
    while lo <= hi:  # ok() is monotone in the prefix length, so bisect
        mid = (lo + hi) // 2
        candidate = _shortened(text, points[mid])
        if candidate and ok(candidate):
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    return best


def clip(text: str, ok: Callable[[str], bool]) -> str:
    """The text if ok() accepts it, else shorten(), or for one long word, whole grapheme
    clusters plus "…" (for labels)."""
    if ok(text):
        return text
    short = shorten(text, ok)
    if short:
        return short
    clusters = _GRAPHEME.findall(text)
    lo, hi = 0, len(clusters)
    while lo < hi:  # the most clusters that still fit with the ellipsis
        mid = (lo + hi + 1) // 2
        if ok("".join(clusters[:mid]) + ELLIPSIS):
            lo = mid
        else:
            hi = mid - 1
    return "".join(clusters[:lo]) + ELLIPSIS if lo else ""


def fit(template: str, parts: Parts, limits: Sequence[Limit]) -> Fitted:
    """Render the template and fit it: drop hashtags, then shorten the summary, then the title."""
    check_template(template)

    def render(p: Parts) -> str:
        return format_template(template, p.values())

    def done(p: Parts, dropped: list[str]) -> Fitted | None:
        text = render(p)
        return Fitted(text, p, tuple(dropped), True) if fits(text, limits) else None

    used = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if "hashtags" not in used:  # nothing to drop: do not report them as dropped
        parts = replace(parts, hashtags=())
    dropped: list[str] = []
    result = done(parts, dropped)
    while result is None and parts.hashtags:
        dropped.append(parts.hashtags[-1])
        parts = replace(parts, hashtags=parts.hashtags[:-1])
        result = done(parts, dropped)
    if result is None and parts.summary:
        short = shorten(parts.summary, lambda s: fits(render(replace(parts, summary=s)), limits))
        dropped.append("summary shortened" if short else "summary")
        parts = replace(parts, summary=short)
        result = done(parts, dropped)
    if result is None and parts.title:
        short = shorten(parts.title, lambda s: fits(render(replace(parts, title=s)), limits))
        dropped.append("title shortened" if short else "title")
        parts = replace(parts, title=short)
        result = done(parts, dropped)
    return result or Fitted(render(parts), parts, tuple(dropped), False)


def fit_text(text: str, limits: Sequence[Limit]) -> Fitted:
    """A post's own text: kept as written if it fits, else shortened at a word boundary."""
    if fits(text, limits):
        return Fitted(text, None, (), True)
    short = shorten(text, lambda s: fits(s, limits))
    return Fitted(short or text, None, ("own text shortened",), bool(short))


def fit_post(post: Post, body: Body, *, template: str, own_text: str | None,
             limits: Sequence[Limit]) -> Fitted:
    """The post's own text for this endpoint if it has one, else the template; fitted."""
    if own_text is not None:
        return fit_text(own_text, limits) if limits else Fitted(own_text, None, (), True)
    return fit(template, parts_for(post, body), limits)
