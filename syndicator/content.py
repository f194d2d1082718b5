"""Post bodies -> HTML with absolute URLs and a plain-text summary. Pure functions, no I/O.

Markdown is CommonMark with tables and footnotes (markdown-it-py + mdit-py-plugins).
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from .model import Body, Post

_MD = MarkdownIt("commonmark", {"html": True}).enable("table").use(footnote_plugin)

# XML 1.0 allows tab, LF and CR among C0 controls; the rest (and U+FFFE/U+FFFF, lone
# surrogates) make a feed unparseable.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_MORE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
_URL_ATTR = re.compile(r"""(\s(?:href|src|poster|cite|action)\s*=\s*)(?:"([^"]*)"|'([^']*)')""",
                       re.IGNORECASE)
_SRCSET = re.compile(r"""(\ssrcset\s*=\s*)(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_SPACE = re.compile(r"\s+")


def strip_control(text: str) -> str:
    """Remove characters that XML 1.0 forbids."""
    return _XML_INVALID.sub("", text)


def markdown_to_html(source: str) -> str:
    """Render CommonMark (with tables and footnotes) to HTML."""
    return _MD.render(source)


def absolutize(fragment: str, base: str) -> str:
    """Make every href/src/srcset/poster URL in an HTML fragment absolute against `base`."""

    def attr(m: re.Match[str]) -> str:
        value = m.group(2) if m.group(2) is not None else m.group(3)
        return f'{m.group(1)}"{html.escape(urljoin(base, html.unescape(value)), quote=True)}"'

    def srcset(m: re.Match[str]) -> str:
        value = html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
        parts = []
        for candidate in value.split(","):
            bits = candidate.strip().split(None, 1)
            if bits:
                bits[0] = urljoin(base, bits[0])
                parts.append(" ".join(bits))
        return f'{m.group(1)}"{html.escape(", ".join(parts), quote=True)}"'

    return _SRCSET.sub(srcset, _URL_ATTR.sub(attr, fragment))


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: tags and footnote markers dropped, spaces folded."""
    text = _TAG.sub(" ", _FOOTNOTE_REF.sub("", fragment))
    text = _SPACE.sub(" ", html.unescape(text)).strip()
    # Tags replaced by spaces leave "word ." where inline markup closed before punctuation.
    return re.sub(r" ([.,;:!?)\]…])", r"\1", re.sub(r"([(\[]) ", r"\1", text))


def _to_html(source: str, body_format: str) -> str:
    return markdown_to_html(source) if body_format == "markdown" else source


def _split_more(rendered: str) -> tuple[str, bool]:
    """The HTML before <!--more--> (rendered whole first, so footnote refs resolve)."""
    found = _MORE.search(rendered)
    return (rendered[: found.start()], True) if found else (rendered, False)


def render_body(post: Post) -> Body:
    """The post's full HTML (absolute URLs, no control characters) and its plain summary.

    Summary: front matter `summary`, else the text before <!--more-->, else the first paragraph.
    """
    rendered = absolutize(_to_html(strip_control(post.body), post.body_format), post.url)
    head, more = _split_more(rendered)
    full = _MORE.sub("", rendered)
    if post.summary:
        summary = _SPACE.sub(" ", strip_control(post.summary)).strip()
    elif more:
        summary = html_to_text(head)
    else:
        first = _FIRST_PARAGRAPH.search(full)
        summary = html_to_text(first.group(1) if first else full)
    return Body(html=full, summary=summary)


def render_bio(source: str, site_url: str) -> tuple[str, str]:
    """An author bio (short Markdown) -> (HTML with absolute URLs, plain text)."""
    rendered = absolutize(markdown_to_html(strip_control(source)), site_url).strip()
    return rendered, html_to_text(rendered)
