"""RSS 2.0 writer (feeds.md, "RSS 2.0"), element order fixed for byte-stable output.

Channel: title, link (the home page), description, atom:link self/hub, language,
copyright, managingEditor (only with a public e-mail), generator, docs, lastBuildDate (newest
entry's `updated`, the Unix epoch when empty), image, creativeCommons:license, then the feed's
person (the owner, or the author of a per-author feed) as dc:creator (unless managingEditor
names them) + atom:author (name, uri, attr:avatar, attr:bio).

Item: title, link (permalink), guid isPermaLink="false" (the stable id), pubDate, authors,
category per tag and category, description (summary), content:encoded (full HTML + footer),
creativeCommons:license (only when the post's license differs from the site's), atom:link
rel=related/via, then media:* (after description: feedparser takes the first
description-like element as the summary) and attr:*.

Authors: RSS `<author>` must be an e-mail and an item has at most one, so it is used only for a
post with exactly one author who has a public e-mail; otherwise one dc:creator holding the
byline, "Ana Núñez and Jamie Quill" (never both: validator DuplicateItemSemantics). One element,
not one per author: newsboat, like several readers, shows only the last dc:creator it reads. The first author is also an atom:author with
name and uri (read by feedparser and Miniflux), co-authors atom:contributor: the validator
allows one atom:author per item.

Items republished from another feed would take `<source url>`; the model has no such posts yet
(a post's `sources` are web pages, written as atom:link rel="via"), so none is written.
"""

from __future__ import annotations

from email.utils import format_datetime
from typing import Sequence

from lxml import etree


def byline(names: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

from .entry import Entry, Head, escape_text, rss_contact
from .extension import (
    ATOM,
    CC,
    CONTENT,
    DC,
    PREFIXES,
    attribution,
    link_el,
    media,
    person_el,
    relation_links,
    serialize,
    text_el,
)

_SUB = etree.SubElement
_CREATOR, _ENCODED = f"{{{DC}}}creator", f"{{{CONTENT}}}encoded"
_LICENSE = f"{{{CC}}}license"
_A_AUTHOR, _A_CONTRIBUTOR = f"{{{ATOM}}}author", f"{{{ATOM}}}contributor"


def _channel(rss: etree._Element, head: Head) -> etree._Element:
    channel = _SUB(rss, "channel")
    text_el(channel, "title", head.title)
    text_el(channel, "link", head.home)
    text_el(channel, "description", head.description)
    link_el(channel, "self", head.self_url, type="application/rss+xml")
    for hub in head.hubs:
        link_el(channel, "hub", hub)
    if head.language:
        text_el(channel, "language", head.language)
    if head.copyright:
        text_el(channel, "copyright", head.copyright)
    editor = rss_contact(head.authors[0])
    if editor:
        text_el(channel, "managingEditor", editor)
    text_el(channel, "generator", "syndicator")
    text_el(channel, "docs", "https://www.rssboard.org/rss-specification")
    text_el(channel, "lastBuildDate", format_datetime(head.updated))
    if head.image:
        image = _SUB(channel, "image")
        text_el(image, "url", head.image)
        text_el(image, "title", head.title)
        text_el(image, "link", head.home)
    if head.license:
        text_el(channel, _LICENSE, head.license)
    who = head.authors[0]
    if not editor:  # dc:creator beside managingEditor: validator DuplicateSemantics
        text_el(channel, _CREATOR, who.name)
    person_el(channel, _A_AUTHOR, who)
    return channel


def _item(channel: etree._Element, entry: Entry) -> None:
    item = _SUB(channel, "item")
    text_el(item, "title", entry.title)
    text_el(item, "link", entry.link)
    text_el(item, "guid", entry.id, isPermaLink="false")
    text_el(item, "pubDate", format_datetime(entry.published))
    authors = entry.authors
    # The validator allows one atom:author per item (DuplicateElement): co-authors follow as
    # atom:contributor, each with name, uri, avatar and bio.
    person_el(item, _A_AUTHOR, authors[0])
    for who in authors[1:]:
        person_el(item, _A_CONTRIBUTOR, who)
    # After atom:author, so that readers keeping the last author they read (feedparser) show
    # the whole byline too.
    contact = rss_contact(authors[0]) if len(authors) == 1 else None
    if contact:
        text_el(item, "author", contact)
    else:
        text_el(item, _CREATOR, byline([who.name for who in authors]))
    for term in entry.terms:
        text_el(item, "category", term)
    text_el(item, "description", escape_text(entry.summary))
    if entry.content is not None:
        text_el(item, _ENCODED, entry.content)
    if entry.own_license and entry.license:
        text_el(item, _LICENSE, entry.license)
    relation_links(item, entry, license=False)  # creativeCommons:license carries it in RSS
    if entry.photo is not None:
        media(item, entry.photo)
    attribution(item, entry)


def write(head: Head, entries: Sequence[Entry]) -> bytes:
    """The RSS 2.0 document for one feed."""
    rss = etree.Element("rss", {"version": "2.0"}, nsmap=PREFIXES)
    channel = _channel(rss, head)
    for entry in entries:
        _item(channel, entry)
    return serialize(rss)
