"""A post written as a whole HTML page (Pelican's HTML articles): `<title>`, `<meta>`, `<body>`.

Pelican reads an `.html` article without front matter this way: the title from
`<head><title>`, each `<meta name="..." content="...">` as a metadata key (lower-cased;
`keywords` means tags; a name given twice is a list), and the post's content is what the
`<body>` holds. The standard library's tokenizer reads it: it expands no entity beyond HTML's
own (no entity bombs) and builds no tree (no nesting limit to reach).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

_DOCUMENT = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s|html[\s>]|head[\s>])", re.IGNORECASE | re.DOTALL)
_BODY_OPEN = re.compile(r"<body(?:\s[^>]*)?>", re.IGNORECASE)
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)


def is_document(text: str) -> bool:
    """True when the text is a whole HTML page (it starts with a doctype, `<html>` or `<head>`)."""
    return _DOCUMENT.match(text[:4096]) is not None


def body_of(text: str) -> tuple[str, int]:
    """(what `<body>` holds, the file line where it starts); no `<body>`: empty."""
    opened = _BODY_OPEN.search(text)
    if opened is None:
        return "", 1
    closed = None
    for closed in _BODY_CLOSE.finditer(text, opened.end()):
        pass
    end = closed.start() if closed is not None else len(text)
    return text[opened.end():end], text.count("\n", 0, opened.end()) + 1


class _Head(HTMLParser):
    """Collects <title> and <meta name content> from the page's <head>, with their lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, Any] = {}
        self.lines: dict[str, int] = {}
        self._in_head = self._in_title = False
        self._title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self._in_head = True
        elif tag == "title" and self._in_head:
            self._in_title = True
            self.lines.setdefault("title", self.getpos()[0])
        elif tag == "meta" and self._in_head:
            self._meta(dict(attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self.meta.setdefault("title", " ".join("".join(self._title).split()))
        elif tag == "head":
            self._in_head = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)

    def _meta(self, attrs: dict[str, str | None]) -> None:
        name = (attrs.get("name") or "").strip().lower()
        if not name:
            return
        name = "tags" if name == "keywords" else name
        value = attrs.get("content") or attrs.get("contents") or ""
        if name in self.meta:
            before = self.meta[name]
            self.meta[name] = (before if isinstance(before, list) else [before]) + [value]
        else:
            self.meta[name] = value
            self.lines[name] = self.getpos()[0]


def head(text: str) -> tuple[dict[str, Any], dict[str, int]]:
    """(metadata, key -> file line) from the page's `<head>`: its title and named `<meta>` tags."""
    parser = _Head()
    opened = _BODY_OPEN.search(text)
    parser.feed(text[: opened.start()] if opened else text)
    parser.close()
    return parser.meta, parser.lines
