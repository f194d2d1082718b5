"""Pelican's intrasite links (`{static}/img.png`, `|filename|../post.rst`, `{tag}python`) -> URLs.

Pelican writes these markers in `href`/`src` values and replaces them when it builds; a feed
must never show them raw. `{static}`, `{attach}` and `{filename}` of a file that is not a post
become the file's address on the site (Pelican copies such files to the same path below the
site): a path starting with '/' is from the content folder, else from the post's own folder.
`{tag}`, `{category}`, `{author}` and `{index}` use Pelican's default addresses. `{filename}`
of another post cannot be resolved without reading that post (its address comes from its
title): it links to the site's home page instead.
"""

from __future__ import annotations

import html
import posixpath
import re

from .pelican_rules import slug

# Markdown renderers percent-encode the marker's braces and bars: {=%7B |=%7C }=%7D
_MARKED = re.compile(r"""(\s(?:href|src|poster|cite|data)\s*=\s*)(["'])(?:[{|]|%7[BC])""", re.IGNORECASE)
_ATTR = re.compile(r"""(\s(?:href|src|poster|cite|data)\s*=\s*)(["'])((?:[{|]|%7[BC])(\w+)(?:[|}]|%7[CD]))(.*?)\2""",
                   re.IGNORECASE)
_POST_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".rst", ".html", ".htm")
_PAGES = {"tag": "tag/{}.html", "category": "category/{}.html", "author": "author/{}.html"}


def has_links(fragment: str) -> bool:
    """True when an HTML fragment has an attribute value starting with `{` or `|` (cheap test:
    the regex runs only when one of the characters a marker needs is there at all)."""
    if "{" not in fragment and "|" not in fragment and "%7" not in fragment:
        return False
    return _MARKED.search(fragment) is not None


def rewrite(fragment: str, *, site_url: str, source: str) -> str:
    """The fragment with each intrasite marker replaced by an absolute address on the site."""
    root = site_url if site_url.endswith("/") else site_url + "/"

    def one(m: re.Match[str]) -> str:
        what, value = m.group(4).lower(), html.unescape(m.group(5))
        target = _target(what, value, source)
        if target is None:
            return m.group(0)
        return f'{m.group(1)}"{html.escape(root + target, quote=True)}"'

    return _ATTR.sub(one, fragment)


def _target(what: str, value: str, source: str) -> str | None:
    """The site path (no leading '/') a marker stands for; None for an unknown marker."""
    if what in ("filename", "static", "attach"):
        path, _, fragment = value.partition("#")
        if path.startswith("/"):
            found = posixpath.normpath(path.lstrip("/"))
        else:
            found = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
        if what == "filename" and found.lower().endswith(_POST_SUFFIXES):
            return ""  # another post: its address needs its title
        while found.startswith("../"):  # above the content folder: clamp to the site's root
            found = found[3:]
        return ("" if found in (".", "..") else found) + (f"#{fragment}" if fragment else "")
    if what in _PAGES:
        return _PAGES[what].format(slug(value))
    if what == "index":
        return "index.html"
    return None
