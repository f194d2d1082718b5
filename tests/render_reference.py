"""The lxml writers of RSS 2.0, Atom 1.0 and OPML 2.0 as they were before render/xmltext.py: the
reference that tests/test_render_xmltext.py holds the text writers to, byte for byte. Test code only.
"""

from __future__ import annotations

from email.utils import format_datetime
from typing import Callable, Sequence

from lxml import etree

from syndicator.render.entry import Entry, Head, Person, Photo, Ref, escape_text, license_name, rss_contact
from syndicator.render.extension import ATOM, ATTR, CC, CONTENT, DC, MEDIA, PREFIXES, credit_fields
from syndicator.render.opml import _GROUPS, _LABELS
from syndicator.render.rss import byline
from syndicator.render.sanitize import as_uri, clean

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

_CREATOR, _ENCODED = f"{{{DC}}}creator", f"{{{CONTENT}}}encoded"
_LICENSE = f"{{{CC}}}license"
_A_AUTHOR, _A_CONTRIBUTOR = f"{{{ATOM}}}author", f"{{{ATOM}}}contributor"


def _rss_channel(rss: etree._Element, head: Head) -> etree._Element:
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


def _rss_item(channel: etree._Element, entry: Entry) -> None:
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


def rss_write(head: Head, entries: Sequence[Entry]) -> bytes:
    """The RSS 2.0 document for one feed."""
    rss = etree.Element("rss", {"version": "2.0"}, nsmap=PREFIXES)
    channel = _rss_channel(rss, head)
    for entry in entries:
        _rss_item(channel, entry)
    return serialize(rss)

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NSMAP = {None: ATOM, **{k: v for k, v in PREFIXES.items() if v != ATOM}}
_T = {name: f"{{{ATOM}}}{name}" for name in (
    "feed", "entry", "id", "title", "subtitle", "updated", "published", "author", "contributor",
    "generator", "icon", "logo", "rights", "category", "summary", "content")}


def _date(moment) -> str:
    return moment.isoformat(timespec="seconds")


def _atom_head(feed: etree._Element, head: Head, id_: str) -> None:
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


def _atom_entry(feed: etree._Element, entry: Entry) -> None:
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


def atom_write(head: Head, entries: Sequence[Entry], *, ident: str) -> bytes:
    """The Atom 1.0 document for one feed."""
    attrib = {_XML_LANG: head.language} if head.language else None
    feed = etree.Element(_T["feed"], attrib, nsmap=_NSMAP)
    _atom_head(feed, head, ident)
    for entry in entries:
        _atom_entry(feed, entry)
    return serialize(feed)


def opml_write(site_title: str, home: str, formats: Sequence[str], specs: Sequence,
               url_of: Callable[[object, str], str]) -> bytes:
    """The OPML 2.0 list of feeds; `url_of(spec, fmt)` gives each feed's absolute URL."""
    sub = etree.SubElement
    opml = etree.Element("opml", {"version": "2.0"})
    head = sub(opml, "head")
    sub(head, "title").text = f"{clean(site_title).strip() or home}: feeds"
    sub(head, "docs").text = "http://opml.org/spec2.opml"
    body = sub(opml, "body")
    known = {kind for kind, _ in _GROUPS}
    groups = [*_GROUPS, *((k, k.title()) for k in dict.fromkeys(s.kind for s in specs)
                          if k not in known)]
    for kind, label in groups:
        members = [s for s in specs if s.kind == kind]
        if not members:
            continue
        group = sub(body, "outline", {"text": label, "title": label})
        for spec in members:
            title = clean(spec.title).strip() or clean(spec.key).strip() or label
            for fmt in formats:
                name = f"{title} ({_LABELS.get(fmt, fmt)})"
                attrib = {"text": name, "title": name, "type": "rss",
                          "xmlUrl": url_of(spec, fmt), "htmlUrl": home}
                if fmt == "rss":
                    attrib["version"] = "RSS2"
                sub(group, "outline", attrib)
    return etree.tostring(opml, encoding="utf-8", xml_declaration=True, pretty_print=True)
