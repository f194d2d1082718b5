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
from typing import Sequence

from lxml import etree

from .entry import Entry, Head, license_name
from .extension import ATOM, PREFIXES, attribution, link_el, media, person_el, relation_links, serialize, text_el
from .sanitize import as_uri, clean

_SUB = etree.SubElement
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NSMAP = {None: ATOM, **{k: v for k, v in PREFIXES.items() if v != ATOM}}
_T = {name: f"{{{ATOM}}}{name}" for name in (
    "feed", "entry", "id", "title", "subtitle", "updated", "published", "author", "contributor",
    "generator", "icon", "logo", "rights", "category", "summary", "content")}


def feed_id(authority: str, kind: str, key: str) -> str:
    """A permanent feed id that does not change with the site's domain or the feed's URL."""
    name = clean(f"tag:{authority}:feed:{kind}:{key}")
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def _date(moment) -> str:
    return moment.isoformat(timespec="seconds")


def _head(feed: etree._Element, head: Head, id_: str) -> None:
    text_el(feed, _T["id"], id_)
    text_el(feed, _T["title"], head.title, type="text")
    text_el(feed, _T["subtitle"], head.description, type="text")
    link_el(feed, "self", head.self_url, type="application/atom+xml")
    link_el(feed, "alternate", head.home, type="text/html")
    for hub in head.hubs:
        link_el(feed, "hub", hub)
    if head.license:
        link_el(feed, "license", head.license)
    text_el(feed, _T["updated"], _date(head.updated))
    for who in head.authors:
        person_el(feed, _T["author"], who)
    text_el(feed, _T["generator"], "syndicator")
    if head.icon:
        text_el(feed, _T["icon"], head.icon)
    if head.logo:
        text_el(feed, _T["logo"], head.logo)
    if head.copyright:
        text_el(feed, _T["rights"], head.copyright, type="text")


def _entry(feed: etree._Element, entry: Entry) -> None:
    el = _SUB(feed, _T["entry"], {_XML_LANG: entry.lang} if entry.lang else None)
    # atom:id is an IRI (RFC 4287 4.2.6), but the W3C validator checks ids as URIs
    # (InvalidTAG for a tag: id with a non-ASCII slug): map it the RFC 3987 way. Unchanged for
    # ASCII ids, and the same mapping every time, so the id stays stable.
    text_el(el, _T["id"], as_uri(entry.id))
    text_el(el, _T["title"], entry.title, type="text")
    link_el(el, "alternate", entry.link, type="text/html")
    text_el(el, _T["published"], _date(entry.published))
    text_el(el, _T["updated"], _date(entry.updated))
    for who in entry.authors:
        person_el(el, _T["author"], who)
    if entry.photo is not None and entry.photo.credit is not None and entry.photo.credit.name:
        person_el(el, _T["contributor"], entry.photo.credit)
    for term in entry.terms:
        _SUB(el, _T["category"], {"term": term, "label": term})
    if entry.own_license and entry.license:
        text_el(el, _T["rights"], license_name(entry.license), type="text")
    relation_links(el, entry, license=True)
    text_el(el, _T["summary"], entry.summary, type="text")
    if entry.content is not None:
        text_el(el, _T["content"], entry.content, type="html")
    if entry.photo is not None:
        media(el, entry.photo)
    attribution(el, entry)


def write(head: Head, entries: Sequence[Entry], *, ident: str) -> bytes:
    """The Atom 1.0 document for one feed."""
    attrib = {_XML_LANG: head.language} if head.language else None
    feed = etree.Element(_T["feed"], attrib, nsmap=_NSMAP)
    _head(feed, head, ident)
    for entry in entries:
        _entry(feed, entry)
    return serialize(feed)
