"""XML namespaces, our attribution extension, and the elements RSS and Atom share.

Why not feedgen: feedgen 1.0.0 gets several of our mappings wrong (Atom entry links lose
rel/type, RSS <author> is dropped without an e-mail, media:* is wrapped in media:group, dates
default to now, entries prepend), so about half of every entry would have come from registered
extensions anyway. The elements are written as text (xmltext.py: the bytes lxml would write for
the same tree, proven equal by tests), so each entry is escaped and written once, however many
feeds list it.

The attribution extension
=========================

Namespace ``https://syndicator.dev/ns/attribution/1.0`` (prefix ``attr``), for the few facts no
standard element carries. None of them is the only place a fact appears: the same facts are in
the HTML footer of the entry's content, and links with URLs are also standard atom:link elements.

In a person construct (Atom ``<author>``/``<contributor>``; in RSS ``<atom:author>`` for the first
author and ``<atom:contributor>`` for co-authors; at feed level too):

    <attr:avatar>URL</attr:avatar>        the person's picture (absolute URL)
    <attr:bio>plain text</attr:bio>       short biography (the HTML bio is in the content footer)

In an RSS ``<item>`` or Atom ``<entry>``:

    <attr:credit name="…" url="…" source="…" source_url="…" license="…"/>
        who made the lead image (media:credit carries the name only); attributes only when known
    <attr:influence name="…" url="…">note</attr:influence>
        one per influence; with a URL it is also an atom:link rel="related" title="name"
    <attr:source name="…" url="…">note</attr:source>
        one per source; with a URL also an atom:link rel="via"
    <attr:via name="…" url="…">note</attr:via>
        where the post came by; with a URL also an atom:link rel="via"

JSON Feed carries the same facts in ``_attribution`` objects with ``"about"`` set to the
namespace URI: feed level ``{"about", "authors"}``; item level ``{"about", "authors",
"credit", "influences", "sources", "via", "license"}``, where an author is ``{"name", "url",
"avatar", "bio"}``, a credit ``{"name", "url", "source", "source_url", "license"}`` and an
influence/source/via ``{"name", "url", "note"}``. Empty keys are left out.
"""

from __future__ import annotations

from functools import lru_cache

from .entry import Entry, Person, Photo, Ref
from .footer import license_name
from .xmltext import attrs, element, empty

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
CC = "http://backend.userland.com/creativeCommonsRssModule"
ATTR = "https://syndicator.dev/ns/attribution/1.0"
# Declared on the root in this order, those a feed uses only (lxml's cleanup_namespaces did so).
PREFIXES = {"content": CONTENT, "dc": DC, "atom": ATOM, "media": MEDIA, "creativeCommons": CC,
            "attr": ATTR}


def used_prefixes(body: str) -> set[str]:
    """The PREFIXES whose elements `body` holds: every "<" in text or attributes is escaped, so
    "<dc:" can only open an element."""
    return {prefix for prefix in PREFIXES if f"<{prefix}:" in body}


def person(indent: str, tag: str, who: Person, *, ns: str) -> str:
    """An Atom person construct (name, uri, email) plus attr:avatar / attr:bio; `ns` is the
    Atom prefix ("atom:" inside RSS, "" in Atom). Memoized per distinct value (`person_element`)."""
    try:
        return person_element(indent, tag, who, ns)
    except TypeError:  # an unhashable field: just do the work
        return _person(indent, tag, who, ns)


@lru_cache(maxsize=256)
def person_element(indent: str, tag: str, who: Person, ns: str) -> str:
    """`person` for a hashable Person: a site has few authors, each in many entries."""
    return _person(indent, tag, who, ns)


def _person(indent: str, tag: str, who: Person, ns: str) -> str:
    inner = indent + "  "
    out = [f"{indent}<{tag}>\n", element(inner, f"{ns}name", who.name)]
    if who.url:
        out.append(element(inner, f"{ns}uri", who.url))
    if who.email:
        out.append(element(inner, f"{ns}email", who.email))
    if who.avatar:
        out.append(element(inner, "attr:avatar", who.avatar))
    if who.bio:
        out.append(element(inner, "attr:bio", who.bio))
    out.append(f"{indent}</{tag}>\n")
    return "".join(out)


def link(indent: str, rel: str, href: str, *, ns: str, type: str | None = None, title: str | None = None) -> str:
    """An Atom link (inside RSS or Atom) with rel, optional type and title."""
    pairs = [("rel", rel), ("href", href)]
    if type:
        pairs.append(("type", type))
    if title:
        pairs.append(("title", title))
    return empty(indent, f"{ns}link", attrs(pairs))


def relation_links(indent: str, entry: Entry, *, license: bool, ns: str) -> str:
    """rel="license" (when asked), rel="related" per influence with a URL, rel="via" for via
    and sources."""
    out = []
    if license and entry.license:
        out.append(link(indent, "license", entry.license, ns=ns))
    seen = set()
    for rel, refs in (("related", entry.influences), ("via", (entry.via,) if entry.via else ()),
                      ("via", entry.sources)):
        for ref in refs:
            if ref.url and (rel, ref.url) not in seen:
                seen.add((rel, ref.url))
                out.append(link(indent, rel, ref.url, ns=ns, title=ref.name.strip() or None))  # AttrNotBlank
    return "".join(out)


def media(indent: str, photo: Photo) -> str:
    """media:content holding title, credit, description, copyright; then media:thumbnail.

    Never media:group for a single image (validator: MediaGroupWithoutAlternatives)."""
    pairs = [("url", photo.url), ("medium", "image")]
    if photo.type:
        pairs.append(("type", photo.type))
    inner = indent + "  "
    children = []
    if photo.alt:
        children.append(element(inner, "media:title", photo.alt, ' type="plain"'))
    if photo.credit is not None and photo.credit.name:
        # EBU role list (validator: InvalidCreditRole otherwise); scheme urn:ebu is the default.
        children.append(element(inner, "media:credit", photo.credit.name, ' role="photographer" scheme="urn:ebu"'))
    if photo.caption:
        children.append(element(inner, "media:description", photo.caption, ' type="plain"'))
    if photo.license:
        # media:license is unknown to the W3C validator (UndefinedElement); media:copyright is not.
        children.append(element(inner, "media:copyright", license_name(photo.license), attrs([("url", photo.license)])))
    if children:
        content = f"{indent}<media:content{attrs(pairs)}>\n" + "".join(children) + f"{indent}</media:content>\n"
    else:
        content = empty(indent, "media:content", attrs(pairs))
    return content + empty(indent, "media:thumbnail", attrs([("url", photo.url)]))


def _ref(indent: str, tag: str, ref: Ref) -> str:
    pairs = [("name", ref.name)]
    if ref.url:
        pairs.append(("url", ref.url))
    return element(indent, tag, ref.note, attrs(pairs)) if ref.note else empty(indent, tag, attrs(pairs))


def credit_fields(photo: Photo | None) -> dict[str, str]:
    """The photo credit as our extension shapes it (XML attributes, JSON `credit` object)."""
    if photo is None or (photo.credit is None and not photo.license):
        return {}
    fields = {}
    if photo.credit is not None:
        fields["name"] = photo.credit.name
        if photo.credit.url:
            fields["url"] = photo.credit.url
    for key, value in (("source", photo.source), ("source_url", photo.source_url),
                       ("license", photo.license)):
        if value:
            fields[key] = value
    return fields


def attribution(indent: str, entry: Entry) -> str:
    """attr:credit, attr:influence, attr:source and attr:via for one entry."""
    out = []
    credit = credit_fields(entry.photo)
    if credit:
        out.append(empty(indent, "attr:credit", attrs(credit)))
    out += [_ref(indent, "attr:influence", ref) for ref in entry.influences]
    out += [_ref(indent, "attr:source", ref) for ref in entry.sources]
    if entry.via:
        out.append(_ref(indent, "attr:via", entry.via))
    return "".join(out)
