"""Post bodies -> HTML with absolute URLs and a plain-text summary. Pure functions, no I/O.

Markdown is CommonMark with GitHub's extensions (tables, footnotes, strikethrough, autolinks),
rendered by cmark-gfm, GitHub's C implementation (through `cmarkgfm`). markdown-it-py with its
footnote plugin produces the same HTML for ordinary posts but takes about 1.5 ms for a
1,000-word post against 0.1 ms here, and the cold build renders every post that reaches a feed.
The helpers that need no template engine (Markdown, absolute URLs, plain text, bios) are in
html_text.py, so that loading the config does not load the template engines.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..model import Body, Post
from .html_text import _SPACE, _SRCSET, _URL_ATTR, absolutize, html_to_text, markdown_to_html  # noqa: F401
from .html_text import render_bio, resolver, strip_control  # noqa: F401  (the light helpers, re-exported)
from .intrasite import has_links, rewrite

if TYPE_CHECKING:
    from ..config import Site
    from .templates import Context

_MORE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)


def _to_html(source: str, body_format: str) -> str:
    if body_format == "rst":
        from .rst import to_html  # docutils loads only for a site that has reST posts

        return to_html(source)
    return markdown_to_html(source) if body_format in ("markdown", "mdx") else source


def may_link_intrasite(markup: str) -> bool:
    """False when `markup` cannot hold an intrasite link (intrasite.has_links): a marker ("{", "|",
    "%7") starts an attribute value, right after its quote. Each marker is looked for alone (a
    search for a character that is rare in HTML is fast; one for a quote and a marker is not)."""
    for marker in "{|%":
        at = markup.find(marker)
        while at != -1:
            if at and markup[at - 1] in "\"'" and (marker != "%" or markup.startswith("7", at + 1)):
                return True
            at = markup.find(marker, at + 1)
    return False


def _split_more(rendered: str) -> tuple[str, bool]:
    """The HTML before <!--more--> (rendered whole first, so footnote refs resolve)."""
    found = _MORE.search(rendered) if "<!--" in rendered else None
    return (rendered[: found.start()], True) if found else (rendered, False)


def render_body(post: Post, *, site: Site | None = None, variables: tuple[tuple[str, str], ...] = ()) -> Body:
    """The post's full HTML (absolute URLs, no control characters) and its plain summary.

    Template code (Hugo shortcodes, Liquid) is rendered or removed first (templates.py).
    Summary: front matter `summary`, else the text before <!--more-->, else the first paragraph.
    """
    # the template engines (and MDX's) load with the first body rendered: a build's scan does without them
    from .templates import expand, has_template_code

    source = strip_control(post.body)
    if post.body_format == "mdx":
        from .mdx import strip as strip_mdx

        source = strip_mdx(source).text
    if has_template_code(source):
        source = expand(source, context=template_context(post, site, variables)).text
    markup = _to_html(source, post.body_format)
    if may_link_intrasite(markup) and has_links(markup):  # Pelican's {static}/{filename} links
        markup = rewrite(markup, site_url=site.url if site is not None else post.url, source=post.source)
    rendered = absolutize(markup, post.url)
    head, more = _split_more(rendered)
    full = _MORE.sub("", rendered) if more else rendered
    if post.summary:
        summary = _SPACE.sub(" ", strip_control(post.summary)).strip()
    elif more:
        summary = html_to_text(head)
    else:
        first = _FIRST_PARAGRAPH.search(full)
        summary = html_to_text(first.group(1) if first else full)
    return Body(html=full, summary=summary)


def template_context(post: Post, site: Site | None, variables: tuple[tuple[str, str], ...] = ()) -> Context:
    """What `{{ site.url }}` and `{% post_url %}` mean for this post (its origin without a site)."""
    from .templates import context_for

    if site is not None:
        return context_for(site.url, site.permalink, variables)
    parts = urlsplit(post.url)
    return context_for(f"{parts.scheme}://{parts.netloc}/", "/{slug}/")
