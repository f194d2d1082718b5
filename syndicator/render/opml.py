"""OPML 2.0 list of every feed the site publishes (http://opml.org/spec2.opml).

One `<outline>` group per feed kind (site, tags, categories, authors, in that order; specs keep
their given order inside a group), holding one subscription outline per feed and format:
`text`, `title`, `type="rss"` (OPML's type for any feed subscription), `xmlUrl`, `htmlUrl` (the
home page) and, for RSS, `version="RSS2"`. No dateCreated: the file must not change with the clock.

Written as text (xmltext.py), byte for byte as lxml serialized the same tree: tests/render_reference.py
keeps the lxml writer, and tests/test_render_xmltext.py holds this one to it. (A build then never loads
lxml, 7-20 ms of its end.)
"""

from __future__ import annotations

from typing import Callable, Sequence

from .sanitize import clean
from .xmltext import DECLARATION, attrs, element, empty, encoded

_GROUPS = (("site", "Site"), ("tag", "Tags"), ("category", "Categories"), ("author", "Authors"))
_LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}


def write(site_title: str, home: str, formats: Sequence[str], specs: Sequence,
          url_of: Callable[[object, str], str]) -> bytes:
    """OPML bytes; `url_of(spec, fmt)` gives each feed's absolute URL (ValueError for a character XML forbids)."""
    lines = [DECLARATION, '<opml version="2.0">\n', "  <head>\n",
             element("    ", "title", f"{clean(site_title).strip() or home}: feeds"),
             element("    ", "docs", "http://opml.org/spec2.opml"), "  </head>\n"]
    outlines: list[str] = []
    for kind, label in _groups(specs):
        members = [s for s in specs if s.kind == kind]
        if not members:
            continue
        feeds = []
        for spec in members:
            title = clean(spec.title).strip() or clean(spec.key).strip() or label
            for fmt in formats:
                name = f"{title} ({_LABELS.get(fmt, fmt)})"
                pairs = [("text", name), ("title", name), ("type", "rss"), ("xmlUrl", url_of(spec, fmt)),
                         ("htmlUrl", home)]
                if fmt == "rss":
                    pairs.append(("version", "RSS2"))
                feeds.append(empty("      ", "outline", attrs(pairs)))
        group = attrs((("text", label), ("title", label)))
        outlines += ([f"    <outline{group}>\n", *feeds, "    </outline>\n"] if feeds
                     else [empty("    ", "outline", group)])
    lines += ["  <body>\n", *outlines, "  </body>\n"] if outlines else ["  <body/>\n"]
    lines.append("</opml>\n")
    return encoded("".join(lines))


def _groups(specs: Sequence) -> list[tuple[str, str]]:
    """(kind, label) of each group, in order: the known kinds, then others as they first appear."""
    known = {kind for kind, _ in _GROUPS}
    return [*_GROUPS, *((k, k.title()) for k in dict.fromkeys(s.kind for s in specs) if k not in known)]
