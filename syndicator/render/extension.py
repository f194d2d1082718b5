"""XML namespaces, our attribution extension, and the elements RSS and Atom share.

Why lxml and not feedgen: feedgen 1.0.0 gets several of our mappings wrong (Atom entry links
lose rel/type, RSS <author> is dropped without an e-mail, media:* is wrapped in media:group,
dates default to now, entries prepend), so about half of every entry would have come from
registered extensions anyway; and its per-entry objects alone cost ~0.29 s for 180 bare
RSS+Atom feeds of 20 entries here (id, title, one link, content), about what this module needs
for the same feeds with every element written. Writing the tree with lxml keeps escaping and
well-formedness in a C library and the element order, namespaces and bytes under our control.

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

from lxml import etree

from .entry import Entry, Person, Photo, Ref
from .footer import license_name

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
CC = "http://backend.userland.com/creativeCommonsRssModule"
ATTR = "https://syndicator.dev/ns/attribution/1.0"
# Declared on the root; etree.cleanup_namespaces() then drops the ones a feed does not use.
PREFIXES = {"content": CONTENT, "dc": DC, "atom": ATOM, "media": MEDIA, "creativeCommons": CC,
            "attr": ATTR}

A_LINK, A_NAME, A_URI, A_EMAIL = (f"{{{ATOM}}}{n}" for n in ("link", "name", "uri", "email"))
_AVATAR, _BIO = f"{{{ATTR}}}avatar", f"{{{ATTR}}}bio"
_M_CONTENT, _M_TITLE, _M_DESC, _M_CREDIT, _M_COPY, _M_THUMB = (
    f"{{{MEDIA}}}{n}"
    for n in ("content", "title", "description", "credit", "copyright", "thumbnail"))
_SUB = etree.SubElement


def text_el(parent: etree._Element, tag: str, text: str, **attrib: str) -> etree._Element:
    """A child element holding `text`."""
    el = _SUB(parent, tag, attrib) if attrib else _SUB(parent, tag)
    el.text = text
    return el


def person_el(parent: etree._Element, tag: str, who: Person) -> etree._Element:
    """An Atom person construct (atom:name, atom:uri, atom:email) plus attr:avatar / attr:bio."""
    el = _SUB(parent, tag)
    _SUB(el, A_NAME).text = who.name
    if who.url:
        _SUB(el, A_URI).text = who.url
    if who.email:
        _SUB(el, A_EMAIL).text = who.email
    if who.avatar:
        _SUB(el, _AVATAR).text = who.avatar
    if who.bio:
        _SUB(el, _BIO).text = who.bio
    return el


def link_el(parent: etree._Element, rel: str, href: str, *, type: str | None = None,
            title: str | None = None) -> None:
    """An atom:link (inside RSS or Atom) with rel, optional type and title."""
    attrib = {"rel": rel, "href": href}
    if type:
        attrib["type"] = type
    if title:
        attrib["title"] = title
    _SUB(parent, A_LINK, attrib)


def relation_links(parent: etree._Element, entry: Entry, *, license: bool) -> None:
    """rel="license" (when asked), rel="related" per influence with a URL, rel="via" for via
    and sources."""
    if license and entry.license:
        link_el(parent, "license", entry.license)
    seen = set()
    for rel, refs in (("related", entry.influences), ("via", (entry.via,) if entry.via else ()),
                      ("via", entry.sources)):
        for ref in refs:
            if ref.url and (rel, ref.url) not in seen:
                seen.add((rel, ref.url))
                link_el(parent, rel, ref.url, title=ref.name.strip() or None)  # AttrNotBlank


def media(parent: etree._Element, photo: Photo) -> None:
    """media:content holding title, credit, description, copyright; then media:thumbnail.

    Never media:group for a single image (validator: MediaGroupWithoutAlternatives)."""
    attrib = {"url": photo.url, "medium": "image"}
    if photo.type:
        attrib["type"] = photo.type
    content = _SUB(parent, _M_CONTENT, attrib)
    if photo.alt:
        text_el(content, _M_TITLE, photo.alt, type="plain")
    if photo.credit is not None and photo.credit.name:
        # EBU role list (validator: InvalidCreditRole otherwise); scheme urn:ebu is the default.
        text_el(content, _M_CREDIT, photo.credit.name, role="photographer", scheme="urn:ebu")
    if photo.caption:
        text_el(content, _M_DESC, photo.caption, type="plain")
    if photo.license:
        # media:license is unknown to the W3C validator (UndefinedElement); media:copyright is not.
        text_el(content, _M_COPY, license_name(photo.license), url=photo.license)
    _SUB(parent, _M_THUMB, {"url": photo.url})


def _ref_el(parent: etree._Element, tag: str, ref: Ref) -> None:
    attrib = {"name": ref.name}
    if ref.url:
        attrib["url"] = ref.url
    el = _SUB(parent, tag, attrib)
    if ref.note:
        el.text = ref.note


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


def attribution(parent: etree._Element, entry: Entry) -> None:
    """attr:credit, attr:influence, attr:source and attr:via for one entry."""
    credit = credit_fields(entry.photo)
    if credit:
        _SUB(parent, f"{{{ATTR}}}credit", credit)
    for ref in entry.influences:
        _ref_el(parent, f"{{{ATTR}}}influence", ref)
    for ref in entry.sources:
        _ref_el(parent, f"{{{ATTR}}}source", ref)
    if entry.via:
        _ref_el(parent, f"{{{ATTR}}}via", entry.via)


def serialize(root: etree._Element) -> bytes:
    """UTF-8 bytes with an XML declaration, unused namespace declarations dropped."""
    etree.cleanup_namespaces(root)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)
