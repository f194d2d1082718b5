"""Mastodon's length of a status: where it sees URLs, and how it counts the rest.

Mastodon (StatusLengthValidator) joins the content warning, counted raw, with the status in
which every URL its extractor finds is replaced by `characters_reserved_per_url` characters,
and counts grapheme clusters with Ruby. Its extractor is twitter-text's
extract_urls_with_indices (protocol required) with Mastodon's regex overrides
(config/initializers/twitter_regex.rb). mastodon_urls() follows that regex step for step, so a
URL starts and ends exactly where Mastodon's does: a query may not end in `+`, a path not in
`=`, an unmatched `(` ends the path, and a domain directly followed by `@` is no URL at all.

Where we cannot be sure, we count in full: a URL counts as url_length only when its TLD is in
counting.tlds, its domain is plain ASCII with labels of 1 to 63 characters, and it is no
longer than 4096 characters; and where Mastodon may or may not see a URL, it counts the worse of both ways.
The rest is counted with conservative_graphemes() (the larger of the current and the
pre-Unicode-15.1 count), so a Ruby without rule GB9c never sees more than we do.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterator

import regex

from .graphemes import conservative_graphemes
from .tlds import mastodon_tlds, twitter_text_tlds

_INVALID = "\uFFFE\uFEFF\uFFFF"
_DIRECTIONAL = "\u202A-\u202E\u061C\u200E\u200F\u2066\u2067\u2068\u2069"
_SPACES = "\x09-\x0D\x20\x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_PRECEDING = rf"(?:[^A-Z0-9@＠$#＃{_INVALID}]|[{_DIRECTIONAL}]|^)"
_DOMAIN_CHAR = rf"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
# twitter-text writes a label as (?:C(?:[_-]|C)*)?C\. ; the atomic form below matches the same
# labels (a shorter run is followed by C, _ or -, never by ".") without backtracking into them.
_SUBDOMAIN = rf"(?:(?>{_DOMAIN_CHAR}(?:[_-]*{_DOMAIN_CHAR})*)\.)"
_DOMAIN_NAME = rf"(?:(?>{_DOMAIN_CHAR}(?:-*{_DOMAIN_CHAR})*)\.)"
_PUNYCODE = r"(?:xn--[\-0-9a-z]+)"
# twitter-text's stock path characters, still used by Mastodon's ending-character rule.
_LATIN_ACCENTS = ("\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259"
                  "\u025B\u0263\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF")
_STOCK_PATH_CHAR = rf"[a-z\u0400-\u04FF0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{_LATIN_ACCENTS}]"
_STOCK_PARENS = (rf"\((?:{_STOCK_PATH_CHAR}+|(?:{_STOCK_PATH_CHAR}*\({_STOCK_PATH_CHAR}+\)"
                 rf"{_STOCK_PATH_CHAR}*))\)")
# Mastodon's overrides.
_PATH_CHAR = r"[^\p{White_Space}<>()?]"
_PATH_END = rf"""(?:[^\p{{White_Space}}()?!*"'「」<>;:=,.$%\[\]~&|@]|(?:{_STOCK_PARENS}))"""
_PARENS = rf"\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*))\)"
_PATH = rf"(?:(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:{_PATH_CHAR}+/))"
_UCHARS = ("\xA0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF\U00010000-\U0001FFFD\U00020000-\U0002FFFD"
           "\U00030000-\U0003FFFD\U00040000-\U0004FFFD\U00050000-\U0005FFFD"
           "\U00060000-\U0006FFFD\U00070000-\U0007FFFD\U00080000-\U0008FFFD"
           "\U00090000-\U0009FFFD\U000A0000-\U000AFFFD\U000B0000-\U000BFFFD"
           "\U000C0000-\U000CFFFD\U000D0000-\U000DFFFD\U000E1000-\U000EFFFD\uE000-\uF8FF"
           "\U000F0000-\U000FFFFD\U00100000-\U0010FFFD")
_QUERY = rf"[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@\^{_UCHARS}]"
_QUERY_END = rf"[a-z0-9_&=#/\-{_UCHARS}]"
_PROTOCOL = r"(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://"
_ASCII_DOMAIN = regex.compile(r"[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9_-]*"
                              r"[a-z0-9])?)*", regex.I)
MAX_URL_LENGTH = 4096
MAX_RUN = 512
MAX_TCO_SLUG_LENGTH = 40
# twitter-text keeps only this much of a t.co link.
_TCO = regex.compile(rf"https?://t\.co/([a-z0-9]+)(?:\?{_QUERY}*{_QUERY_END})?", regex.I)
MAX_DOMAIN_LENGTH = 253




def _trie(names: list[str]) -> str:
    """A regex alternation of the sorted names, sharing prefixes."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name[:1], []).append(name[1:])
    parts = []
    for first, rests in groups.items():
        if not first:
            continue
        tail = _trie([r for r in rests if r])
        optional = "" in rests
        parts.append(regex.escape(first) + (f"(?:{tail})" + ("?" if optional else "") if tail else ""))
    return "|".join(parts)


@lru_cache(maxsize=1)
def _valid_url() -> regex.Pattern[str]:
    """twitter-text's valid_url with Mastodon's overrides and twitter-text's TLDs (built once)."""
    # As a trie, so a backtracking step tries a few letters, not 1,500 names. Order does not
    # matter: the look-ahead lets only one TLD match at a place.
    tlds = _trie(sorted(twitter_text_tlds()))
    domain = (rf"(?P<domain>{_SUBDOMAIN}*{_DOMAIN_NAME}(?:(?P<tld>{tlds})(?=[^0-9a-z@+-]|$)"
              rf"|{_PUNYCODE}))")
    return regex.compile(
        rf"{_PRECEDING}(?P<url>(?P<protocol>{_PROTOCOL})?{domain}(?::[0-9]+)?"
        rf"(?:/{_PATH}*)?(?:\?{_QUERY}*{_QUERY_END})?)", regex.I)


def url_spans(text: str, run: regex.Match[str]) -> list[tuple[int, int, bool]]:
    """(start, end, sure) of each URL Mastodon may count as characters_reserved_per_url in one
    run of _RUN_WITH_PROTOCOL (as a scan of the whole text finds them: no match crosses a run).

    sure: Mastodon certainly counts it so. Not sure (a domain that is not plain ASCII, a TLD
    no longer in the Public Suffix List, a t.co link): it may count the URL either way.
    """
    tlds = mastodon_tlds()
    spans = []
    # Start on the separator before the run: it is the URL's "preceding character".
    for m in _valid_url().finditer(text, max(run.start() - 1, 0), run.end()):
        if not m.group("protocol"):
            continue  # Mastodon wants the protocol; the match is skipped whole, as in Ruby
        url, domain, tld = m.group("url"), m.group("domain"), m.group("tld")
        tco = _TCO.match(url)
        if tco and len(tco.group(1)) > MAX_TCO_SLUG_LENGTH:
            continue  # not a URL to Mastodon
        url = tco.group() if tco else url
        sure = (tld is not None and tld.lower() in tlds and len(url) <= MAX_URL_LENGTH
                and len(domain) <= MAX_DOMAIN_LENGTH and bool(_ASCII_DOMAIN.fullmatch(domain))
                and all(len(x) <= 63 for x in domain.split(".")))
        spans.append((m.start("url"), m.start("url") + len(url), sure))
    return spans


def mastodon_urls(text: str) -> list[tuple[int, int]]:
    """(start, end) of each URL Mastodon certainly counts as characters_reserved_per_url."""
    return [(start, end) for run in _RUN_WITH_PROTOCOL.finditer(text) if len(run.group()) <= MAX_RUN
            for start, end, sure in url_spans(text, run) if sure]


# No part of a URL match (domain, path, query) takes these, so a match never crosses them and
# only the runs that contain "://" need scanning. (Other White_Space may sit in a query.)
_RUN_WITH_PROTOCOL = regex.compile(r"(?<![^\t-\r \x85])[^\t-\r \x85]*://[^\t-\r \x85]*")


def countable_text(text: str, *, url_length: int = 23) -> str:
    """The status as Mastodon counts it: each URL replaced by url_length "x"; a URL Mastodon
    may or may not count so stays as written when that is longer (the worse of both ways).

    A run without spaces longer than MAX_RUN is not scanned (the regex is quadratic on hostile
    runs such as "a.a.a.…"): it stays as written plus url_length "x" per "://" in it, which is
    never less than Mastodon's count of it."""
    out, last = [], 0
    for run in _RUN_WITH_PROTOCOL.finditer(text):
        if len(run.group()) > MAX_RUN:
            out += [text[last:run.end()], "x" * url_length * run.group().count("://")]
            last = run.end()
            continue
        for start, end, sure in url_spans(text, run):
            if sure or conservative_graphemes(text[start:end]) <= url_length:
                out += [text[last:start], "x" * url_length]
                last = end
    out.append(text[last:])
    return "".join(out)


def mastodon_length(text: str, *, url_length: int = 23, spoiler_text: str = "") -> int:
    """Mastodon's count of a status with its content warning (the warning counted raw)."""
    return conservative_graphemes(spoiler_text + countable_text(text, url_length=url_length))
