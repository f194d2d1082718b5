"""Which reader a post file needs: front matter (frontmatter.py), reST (rst.py) or an HTML page.

A Markdown post of a Pelican site starts with Python-Markdown's `Key: value` header (also
between `---` lines, and never YAML: mdmeta.py). A `.rst` file is reStructuredText, its metadata a field list (Pelican). An `.html` file that
is a whole page (`<html>`, `<head>`, no front matter) keeps its metadata in `<title>` and
`<meta>` tags (Pelican). Everything else starts with front matter. The body kept for a
rST post is its whole text (docutils needs the title and fields to place the rest); for an
HTML page, what its `<body>` holds.
"""

from __future__ import annotations

import posixpath
from types import ModuleType
from typing import Any

from . import mdmeta
from .frontmatter import Split, body_of, split
from .limits import DEFAULT_LIMITS, PostLimits

_MARKDOWN = (".md", ".markdown", ".mdown", ".mkd")


def split_post(text: str, relpath: str, display: str, *, limits: PostLimits = DEFAULT_LIMITS,
               engine: str = "") -> Split:
    """The file's metadata and body, read the way its format is written (and its engine reads it)."""
    if relpath.endswith(".md") and engine != "pelican":  # the usual post: front matter (its suffix is
        return split(text, display, limits=limits)  # ".md", or none for a name like ".md")
    suffix = posixpath.splitext(relpath)[1].lower()
    if engine == "pelican" and suffix in _MARKDOWN:  # Python-Markdown's meta, never YAML
        return mdmeta.split_meta(text, display, limits=limits)
    if suffix == ".rst":
        return _split_rst(text, display)
    if suffix in (".html", ".htm") and (htmldoc := _htmldoc()).is_document(text):
        meta, lines = htmldoc.head(text)
        body, body_line = htmldoc.body_of(text)
        return Split(meta=meta, body=body, body_line=body_line, raw_meta=_lined(lines), kind="htmlpage",
                     meta_line=1)
    return split(text, display, limits=limits)


def source_body(text: str, body_format: str, *, engine: str = "") -> str:
    """Only the body of a post file's text, for a post already read (see build/bodies.py)."""
    if engine == "pelican" and body_format == "markdown":
        return mdmeta.body_of(text)
    if body_format == "rst":
        return text
    if body_format == "html" and (htmldoc := _htmldoc()).is_document(text):
        return htmldoc.body_of(text)[0]
    return body_of(text)


def _split_rst(text: str, display: str) -> Split:
    from . import rst  # docutils loads only for a site that has reST posts

    document = rst.parse(text, display)
    meta, lines = rst.metadata(document)
    title = rst.title_of(document)
    if title is not None and "title" not in meta:
        meta["title"] = title
        lines["title"] = 1
    return Split(meta=meta, body=text, body_line=1, raw_meta=_lined(lines), kind="rst", meta_line=1,
                 notes=tuple(rst.problems(document)))


def _lined(lines: dict[str, Any]) -> str:
    """Text where each key stands at its file line, so Split.line_of finds the line to report."""
    rows: list[str] = []
    for key, line in sorted(lines.items(), key=lambda kv: kv[1]):
        while len(rows) < line - 1:
            rows.append("")
        rows.append(f"{key}:")
    return "\n".join(rows) + "\n"


def _htmldoc() -> ModuleType:
    """posts/htmldoc.py, loaded by the first .html post (with html.parser: other posts do without it)."""
    from . import htmldoc

    return htmldoc
