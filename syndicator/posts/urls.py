"""URLs from front matter: which are safe to publish, and which give a post its own address."""

from __future__ import annotations

import re

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Browsers drop these before reading a scheme, so "java\tscript:" is still javascript:
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")
_TEMPLATE = re.compile(r"\{\{|\{%|(?:^|/):[a-z_]+")  # Liquid/Nunjucks code or Jekyll's :year


def unsafe_scheme(url: str) -> str | None:
    """The scheme of a URL that is neither http(s) nor relative (e.g. 'javascript'), else None."""
    if url[:1] == "/" or url.startswith(("https://", "http://")):
        return None  # the common cases, decided without a regex
    cleaned = _IGNORED_BY_BROWSERS.sub("", url)
    found = _SCHEME.match(cleaned)
    if found is None:
        return None
    scheme = found.group(1).lower()
    return None if scheme in ("http", "https") else scheme


def own_path(value: str) -> str | None:
    """A post's own address from a permalink/url/path key, or None when it is a pattern or template."""
    value = value.strip()
    if not value or _TEMPLATE.search(value):
        return None
    return value


def slug_of(path: str) -> str:
    """The last segment of a URL path: '/2019/01/my-post/' -> 'my-post', '/a/b.html' -> 'b'."""
    last = path.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[0] if last.endswith((".html", ".htm")) else last


def extension(path: str) -> str:
    """posixpath.splitext(path)[1] ('' for "a/.hidden" and "a.d/b"), in a few string searches."""
    dot = path.rfind(".")
    if dot <= 0:
        return ""
    start = path.rfind("/") + 1  # where the last segment starts
    if dot < start or not path[start:dot].strip("."):
        return ""
    return path[dot:]
