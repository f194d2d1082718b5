"""reStructuredText posts (Pelican's default format) -> metadata and HTML, with docutils, safely.

Pelican reads a `.rst` article with docutils: the lone top section title is the post's title and
the field list right under it (`:date:`, `:tags:`, `:category:`, `:slug:`, `:authors:`,
`:summary:`, `:status:` ...) is its metadata. This module does the same, with the settings a
hostile file needs: nothing is read besides the post (no `include`, no `raw`, no `:file:` or
`:url:` options, no docutils.conf), docutils never halts or prints (its problems become
warnings at their line), and the post's size was bounded before it got here (limits.py).

Text docutils could not interpret (an unknown role like ``:strike:`x```, an undefined
``|substitution|``) is shown as the plain text it marks up, never as reST syntax, and what an
unknown directive holds is left out; each is a warning naming its line.
"""

from __future__ import annotations

import io
import re
from typing import Any

import docutils.core
from docutils import nodes
from docutils.parsers.rst import directives
from docutils.parsers.rst.directives.body import CodeBlock
from docutils.writers.html4css1 import HTMLTranslator, Writer

from ..errors import PostError

# What an unknown role or substitution marked up: ``:role:`text` `` -> text; ``|name|`` -> nothing.
_ROLE_TEXT = re.compile(r"^(?::[\w.+-]+:)?`(.*)`(?::[\w.+-]+:)?_{0,2}$", re.DOTALL)
_SUBSTITUTION = re.compile(r"^\|.*\|_{0,2}$", re.DOTALL)
# docutils opens a state machine per indented block, each over a copy of the lines it holds: time and
# memory grow with the square of the depth (3,000 levels of list in 8.8 MB took 16 s and 2.7 GB) before
# it runs out of stack anyway, between 150 and 200 levels. No post nests this deep.
MAX_NESTING = 100


class PelicanCode(CodeBlock):
    """`code-block` / `sourcecode` as Pelican registers them: its Pygments options are accepted
    (and the code shown plain), so a post using them keeps its code."""

    option_spec = {**CodeBlock.option_spec, **{name: directives.unchanged for name in (
        "anchorlinenos", "classprefix", "hl_lines", "lineanchors", "linenos", "linenospecial",
        "linenostart", "linenostep", "lineseparator", "linespans", "nobackground", "nowrap",
        "tagsfile", "tagurlformat")}}


# Pelican registers these two names for every reST post it reads; so does reading one here.
directives.register_directive("code-block", PelicanCode)
directives.register_directive("sourcecode", PelicanCode)


def _settings(*, report_level: int) -> dict[str, Any]:
    """docutils settings for a file nobody vetted: no I/O beyond the text, never halt, never print."""
    return {
        "file_insertion_enabled": False,  # include, csv-table :file:/:url:, raw :file:/:url:
        "raw_enabled": False,  # the raw directive and role
        "_disable_config": True,  # no docutils.conf from the working folder or home
        "report_level": report_level,
        "halt_level": 5,  # problems are messages in the tree, never exceptions
        "warning_stream": io.StringIO(),  # and never printed
        "traceback": True,  # an unexpected error raises (never sys.exit)
        "input_encoding": "unicode",
        "output_encoding": "unicode",
        "initial_header_level": 2,  # as Pelican: the post title is the page's h1
        "syntax_highlight": "none",  # code stays plain text (no Pygments classes)
        "language_code": "en",
        "embed_stylesheet": False,
        "pep_references": False,
        "rfc_references": False,
    }


def nesting_line(text: str, most: int = MAX_NESTING) -> int:
    """The line at which the text's indented blocks go `most` levels deep (0 if they never do):
    each nested block of reST is indented further than the one holding it."""
    levels = [0]
    for number, line in enumerate(text.splitlines(), 1):
        body = line.lstrip()
        if not body:
            continue
        indent = len(line[: len(line) - len(body)].expandtabs(8))
        while indent < levels[-1]:
            levels.pop()
        if indent > levels[-1]:
            levels.append(indent)
            if len(levels) > most:
                return number
    return 0


def _bounded(text: str, path: str) -> str:
    """The text, if docutils can read it in bounded time and memory; else the post's problem."""
    line = nesting_line(text)
    if line:
        raise PostError(f"reStructuredText nested more than {MAX_NESTING} levels deep", path=path, line=line)
    return text


def parse(text: str, path: str = "") -> nodes.document:
    """The document tree of a reST text, with every problem kept as a system message in it."""
    text = _bounded(text, path)
    return docutils.core.publish_doctree(text, source_path=path or None, settings_overrides=_settings(report_level=2))


def title_of(document: nodes.document) -> str | None:
    """The document title docutils promoted from the lone top section (Pelican's title)."""
    found = document.next_node(nodes.title) if document.children else None
    if found is None or found.parent is not document:
        return None
    return " ".join(found.astext().split()) or None


def metadata(document: nodes.document) -> tuple[dict[str, Any], dict[str, int]]:
    """(name -> value, name -> file line) of the docinfo field list, as Pelican reads it."""
    meta: dict[str, Any] = {}
    lines: dict[str, int] = {}
    last = 1
    for docinfo in document.findall(nodes.docinfo):
        for element in docinfo.children:
            if isinstance(element, nodes.field):
                name_node, body = element.children[0], element.children[1]
                name, value = name_node.astext(), body.astext()
            elif isinstance(element, nodes.authors):
                name, value = "authors", [child.astext() for child in element.children]
            else:
                name, value = element.tagname, element.astext()
            last = element.line or last + 1
            key = name.strip().lower()
            if key and key not in meta:
                meta[key] = " ".join(value.split()) if isinstance(value, str) else value
                lines[key] = last
    return meta, lines


def problems(document: nodes.document) -> list[tuple[int, str]]:
    """(line, message) of each warning or error docutils reported (info messages left out)."""
    found = []
    for message in document.findall(nodes.system_message):
        if message.get("level", 0) >= 2 and message.children:
            text = " ".join(message.children[0].astext().split())
            found.append((int(message.get("line") or 1), f"reStructuredText: {text}"))
    return found


def to_html(text: str, path: str = "") -> str:
    """The post's body as HTML (title and metadata fields left out, as Pelican's content)."""
    text = _bounded(text, path)
    parts = docutils.core.publish_parts(text, source_path=path or None, writer=_SafeWriter(),
                                        settings_overrides=_settings(report_level=2))
    return str(parts["body"])


class _SafeTranslator(HTMLTranslator):
    """html4css1 as Pelican uses it, but what docutils could not interpret shows as plain text."""

    def visit_problematic(self, node: nodes.Element) -> None:
        raw = node.astext()
        if _SUBSTITUTION.match(raw):
            raise nodes.SkipNode
        inner = _ROLE_TEXT.match(raw)
        self.body.append(self.encode(inner.group(1) if inner else raw))
        raise nodes.SkipNode

    def visit_image(self, node: nodes.Element) -> None:
        node.attributes.pop("scale", None)  # scaling would open the image file to measure it
        node["alt"] = node.get("alt", "")  # as Pelican: no alt text taken from the file name
        super().visit_image(node)

    def visit_section(self, node: nodes.Element) -> None:
        if "system-messages" in node.get("classes", ()):  # docutils' "System Messages" section
            raise nodes.SkipNode
        super().visit_section(node)

    def visit_system_message(self, node: nodes.Element) -> None:
        # Reported at read time; never part of the post. (They stay in the tree, at report
        # level 2, so that docutils leaves the <problematic> nodes for visit_problematic.)
        raise nodes.SkipNode


class _SafeWriter(Writer):  # type: ignore[misc]
    """The HTML writer with _SafeTranslator."""

    def __init__(self) -> None:
        super().__init__()
        self.translator_class = _SafeTranslator
