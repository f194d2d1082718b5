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

from datetime import datetime
from typing import Sequence

from .entry import Entry, Head, Item, escape_text, rss_contact
from .extension import PREFIXES, attribution, link, media, person, relation_links, used_prefixes
from .xmltext import DECLARATION, check, declarations, element, element_bytes, encoded

_CHANNEL, _ITEM = "    ", "      "  # indents inside <channel> and inside <item>
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_datetime(moment: datetime) -> str:
    """RFC 822 date-time, "Tue, 03 Mar 2026 09:30:00 +0100": what email.utils.format_datetime(moment) gives,
    without importing the email package (some ms of a cold build's start, before its workers fork)."""
    t = moment.timetuple()
    zone = "-0000" if moment.tzinfo is None else moment.strftime("%z")
    return "%s, %02d %s %04d %02d:%02d:%02d %s" % (_DAYS[t.tm_wday], t.tm_mday, _MONTHS[t.tm_mon - 1], t.tm_year,
                                                    t.tm_hour, t.tm_min, t.tm_sec, zone)


def byline(names: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _channel(head: Head) -> str:
    c = _CHANNEL
    out = [element(c, "title", head.title), element(c, "link", head.home), element(c, "description", head.description),
           link(c, "self", head.self_url, ns="atom:", type="application/rss+xml")]
    out += [link(c, "hub", hub, ns="atom:") for hub in head.hubs]
    if head.language:
        out.append(element(c, "language", head.language))
    if head.copyright:
        out.append(element(c, "copyright", head.copyright))
    editor = rss_contact(head.authors[0])
    if editor:
        out.append(element(c, "managingEditor", editor))
    out += [element(c, "generator", "syndicator"), element(c, "docs", "https://www.rssboard.org/rss-specification"),
            element(c, "lastBuildDate", format_datetime(head.updated))]
    if head.image:
        out += [f"{c}<image>\n", element(c + "  ", "url", head.image), element(c + "  ", "title", head.title),
                element(c + "  ", "link", head.home), f"{c}</image>\n"]
    if head.license:
        out.append(element(c, "creativeCommons:license", head.license))
    who = head.authors[0]
    if not editor:  # dc:creator beside managingEditor: validator DuplicateSemantics
        out.append(element(c, "dc:creator", who.name))
    out.append(person(c, "atom:author", who, ns="atom:"))
    return "".join(out)


def item(entry: Entry, *, content: bytes | None = None) -> Item:
    """One <item>, indented as in the feed (the same text in every feed that lists the entry);
    `content`: the entry's content already escaped (encoded.py), else escaped here."""
    i = _ITEM
    out = [f"{_CHANNEL}<item>\n", element(i, "title", entry.title), element(i, "link", entry.link),
           element(i, "guid", entry.id, ' isPermaLink="false"'), element(i, "pubDate", format_datetime(entry.published))]
    authors = entry.authors
    # The validator allows one atom:author per item (DuplicateElement): co-authors follow as
    # atom:contributor, each with name, uri, avatar and bio.
    out.append(person(i, "atom:author", authors[0], ns="atom:"))
    out += [person(i, "atom:contributor", who, ns="atom:") for who in authors[1:]]
    # After atom:author, so that readers keeping the last author they read (feedparser) show
    # the whole byline too.
    contact = rss_contact(authors[0]) if len(authors) == 1 else None
    if contact:
        out.append(element(i, "author", contact))
    else:
        out.append(element(i, "dc:creator", byline([who.name for who in authors])))
    out += [element(i, "category", term) for term in entry.terms]
    out.append(element(i, "description", escape_text(entry.summary)))
    start, content, end = (element_bytes(i, "content:encoded", entry.content, escaped=content)
                           if entry.content is not None else ("", b"", ""))
    before, out = "".join(out) + start, [end]
    if entry.own_license and entry.license:
        out.append(element(i, "creativeCommons:license", entry.license))
    out.append(relation_links(i, entry, license=False, ns="atom:"))  # creativeCommons:license carries it in RSS
    if entry.photo is not None:
        out.append(media(i, entry.photo))
    out += [attribution(i, entry), f"{_CHANNEL}</item>\n"]
    after = "".join(out)
    return Item(b"".join((encoded(before), content, encoded(after))), entry.updated,
                frozenset(used_prefixes(before + after)))


def write(head: Head, items: Sequence[Item]) -> list[bytes]:
    """The RSS 2.0 document for one feed, from its items (`item`), as parts to write one after another."""
    channel = check(_channel(head))
    used = used_prefixes(channel).union(*(it.prefixes for it in items))
    start = f'{DECLARATION}<rss{declarations(PREFIXES, used)} version="2.0">\n  <channel>\n{channel}'
    return [start.encode("utf-8"), *(it.data for it in items), b"  </channel>\n</rss>\n"]
