"""Atom 1.0 writer (RFC 4287; feeds.md, "Atom 1.0"), element order fixed for byte-stable output.

Feed: id (a urn:uuid derived from the tag authority and the feed's kind and key, so it survives
domain moves), title, subtitle, links (self, alternate = home page, hub, license), updated
(newest entry's `updated`, the Unix epoch when empty), author (owner, or the author of a
per-author feed, with attr:avatar and attr:bio), generator, icon, logo, rights.

Entry: id (post.id; percent-encoded where it holds non-ASCII characters), title, link rel="alternate" type="text/html" (permalink), published, updated, an
<author> on every entry (feedparser and NetNewsWire do not inherit the feed's), the
photographer as <contributor>, categories, <rights> when the post's license differs, links
rel=license (RFC 4946) / related / via, summary type="text", content type="html", media:*,
attr:*.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Sequence

from ..digests import sha1
from .entry import Entry, Head, Item, license_name
from .extension import ATOM, PREFIXES, attribution, link, media, person, relation_links, used_prefixes
from .sanitize import as_uri, clean
from .xmltext import DECLARATION, attrs, check, declarations, element, element_bytes, empty, encoded

_OTHERS = {k: v for k, v in PREFIXES.items() if v != ATOM}  # Atom itself is the default namespace
_FEED, _ENTRY = "  ", "    "  # indents inside <feed> and inside <entry>


def feed_id(authority: str, kind: str, key: str) -> str:
    """A permanent feed id that does not change with the site's domain or the feed's URL."""
    name = clean(f"tag:{authority}:feed:{kind}:{key}")
    # uuid.uuid5(uuid.NAMESPACE_URL, name), with the built-in sha1: uuid5 imports hashlib (OpenSSL, some ms)
    digest = sha1(uuid.NAMESPACE_URL.bytes + name.encode("utf-8")).digest()
    return "urn:uuid:" + str(uuid.UUID(bytes=digest[:16], version=5))


def _date(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _head(head: Head, id_: str) -> str:
    f = _FEED
    out = [element(f, "id", id_), element(f, "title", head.title, ' type="text"'),
           element(f, "subtitle", head.description, ' type="text"'),
           link(f, "self", head.self_url, ns="", type="application/atom+xml"),
           link(f, "alternate", head.home, ns="", type="text/html")]
    out += [link(f, "hub", hub, ns="") for hub in head.hubs]
    if head.license:
        out.append(link(f, "license", head.license, ns=""))
    out.append(element(f, "updated", _date(head.updated)))
    out += [person(f, "author", who, ns="") for who in head.authors]
    out.append(element(f, "generator", "syndicator"))
    if head.icon:
        out.append(element(f, "icon", head.icon))
    if head.logo:
        out.append(element(f, "logo", head.logo))
    if head.copyright:
        out.append(element(f, "rights", head.copyright, ' type="text"'))
    return "".join(out)


def item(entry: Entry, *, content: bytes | None = None) -> Item:
    """One <entry>, indented as in the feed (the same text in every feed that lists it);
    `content`: the entry's content already escaped (encoded.py), else escaped here."""
    e = _ENTRY
    # atom:id is an IRI (RFC 4287 4.2.6), but the W3C validator checks ids as URIs
    # (InvalidTAG for a tag: id with a non-ASCII slug): map it the RFC 3987 way. Unchanged for
    # ASCII ids, and the same mapping every time, so the id stays stable.
    out = [f"{_FEED}<entry{attrs([('xml:lang', entry.lang)]) if entry.lang else ''}>\n",
           element(e, "id", as_uri(entry.id)), element(e, "title", entry.title, ' type="text"'),
           link(e, "alternate", entry.link, ns="", type="text/html"),
           element(e, "published", _date(entry.published)), element(e, "updated", _date(entry.updated))]
    out += [person(e, "author", who, ns="") for who in entry.authors]
    if entry.photo is not None and entry.photo.credit is not None and entry.photo.credit.name:
        out.append(person(e, "contributor", entry.photo.credit, ns=""))
    out += [empty(e, "category", attrs([("term", term), ("label", term)])) for term in entry.terms]
    if entry.own_license and entry.license:
        out.append(element(e, "rights", license_name(entry.license), ' type="text"'))
    out += [relation_links(e, entry, license=True, ns=""), element(e, "summary", entry.summary, ' type="text"')]
    start, content, end = (element_bytes(e, "content", entry.content, ' type="html"', escaped=content)
                           if entry.content is not None else ("", b"", ""))
    before, out = "".join(out) + start, [end]
    if entry.photo is not None:
        out.append(media(e, entry.photo))
    out += [attribution(e, entry), f"{_FEED}</entry>\n"]
    after = "".join(out)
    return Item(b"".join((encoded(before), content, encoded(after))), entry.updated,
                frozenset(used_prefixes(before + after)))


def write(head: Head, items: Sequence[Item], *, ident: str) -> list[bytes]:
    """The Atom 1.0 document for one feed, from its entries' items (`item`), as parts to write one
    after another."""
    top = _head(head, ident)
    used = used_prefixes(top).union(*(it.prefixes for it in items))
    lang = attrs([("xml:lang", head.language)]) if head.language else ""
    start = check(f"{DECLARATION}<feed{declarations(_OTHERS, used, default=ATOM)}{lang}>\n{top}")
    return [start.encode("utf-8"), *(it.data for it in items), b"</feed>\n"]
