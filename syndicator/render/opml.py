"""OPML 2.0 list of every feed the site publishes (http://opml.org/spec2.opml).

One `<outline>` group per feed kind (site, tags, categories, authors, in that order; specs keep
their given order inside a group), holding one subscription outline per feed and format:
`text`, `title`, `type="rss"` (OPML's type for any feed subscription), `xmlUrl`, `htmlUrl` (the
home page) and, for RSS, `version="RSS2"`. No dateCreated: the file must not change with the clock.
"""

from __future__ import annotations

from typing import Callable, Sequence

from .sanitize import clean

_GROUPS = (("site", "Site"), ("tag", "Tags"), ("category", "Categories"), ("author", "Authors"))
_LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}


def write(site_title: str, home: str, formats: Sequence[str], specs: Sequence,
          url_of: Callable[[object, str], str]) -> bytes:
    """OPML bytes; `url_of(spec, fmt)` gives each feed's absolute URL."""
    from lxml import etree  # (here: a cold build imports it after its workers fork, not before)

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
