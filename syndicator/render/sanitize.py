"""Text and URLs made safe for every feed format: no XML-invalid characters, absolute URIs
(not IRIs), well-formed language tags, timezone-aware times with whole-minute offsets.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import lru_cache
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from ..config import Site
from ..posts.content import strip_control

# RFC 3066 / JSON Feed language tags; anything else is left out rather than made invalid.
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Everything RFC 3986 allows in a URI besides unreserved characters and '%' escapes.
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]*")  # no '%': the common case
# An absolute http(s) URL that urljoin (against any base) and as_uri return unchanged: a lower-case
# scheme, a host (and port) of letters, digits, dots and hyphens, a path of unreserved characters
# and "/" (no ";" parameters, "?" query, "#" fragment, "%" escape or anything urlsplit strips).
_PLAIN_ABSOLUTE = re.compile(r"https?://[A-Za-z0-9.\-]+(?::[0-9]+)?(?:/[A-Za-z0-9\-._~/]*)?")


def clean(text: str | None) -> str:
    """`text` without XML-invalid characters ("" for None): content.strip_control."""
    return strip_control(text) if text else ""


@lru_cache(maxsize=8192)
def uri(url: str, base: str) -> str:
    """`url` made absolute against `base`, then `as_uri()`: JSON Feed requires URIs, not IRIs,
    and readers cope better with them too. A plain absolute http(s) URL (a post's own address,
    an image's) is returned as it is: urljoin and as_uri would give it back unchanged."""
    url = strip_control(url).strip()
    if _PLAIN_ABSOLUTE.fullmatch(url):
        return url
    try:
        url = urljoin(base, url)
    except ValueError:  # e.g. a malformed IPv6 host: keep it, escaped below
        pass
    return as_uri(url)


def as_uri(iri: str) -> str:
    """An IRI mapped to a URI (RFC 3987 3.1): non-ASCII and other characters RFC 3986 does not
    allow are percent-encoded as UTF-8, a non-ASCII host goes through IDNA. URIs pass unchanged."""
    if _URI_CHARS.fullmatch(iri):
        return iri
    try:
        parts = urlsplit(iri)
        netloc = parts.netloc
        if not netloc.isascii():
            try:
                netloc = netloc.encode("idna").decode("ascii")
            except UnicodeError:
                pass  # percent-encoded below with the rest
        iri = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    except ValueError:
        pass
    return quote(_BAD_PERCENT.sub("%25", iri), safe=_URI_SAFE)


def maybe_uri(url: str | None, base: str) -> str | None:
    """`uri()` for optional URLs; None and blank stay None."""
    return uri(url, base) if url and url.strip() else None


def language(tag: str | None) -> str | None:
    """A language tag if it is well formed, else None."""
    return tag if tag and _LANG.match(tag) else None


def aware(moment: datetime, site: Site) -> datetime:
    """A timezone-aware datetime with a whole-minute offset (RFC 822 and RFC 3339 need one)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=site.timezone)
    offset = moment.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        moment = moment.astimezone(timezone.utc)  # historic LMT offsets such as +00:53:28
    return moment.replace(microsecond=0)
