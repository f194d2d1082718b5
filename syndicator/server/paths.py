"""Request path safety: which request targets map to which files, and their content types."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..feed_paths import FeedPaths
from ..render import CONTENT_TYPES

# Content types by what [feeds.paths] says a file holds first, then by suffix. Only these are ever served.
_TYPES = {
    ".opml": "text/x-opml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
_TEMPORARY = re.compile(r"(\.tmp(-.*)?|\.part|\.swp|~|\.bak)$|\.tmp-", re.IGNORECASE)
_ENCODED_SEPARATORS = ("%2f", "%5c", "%00")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def content_type(rel: str, paths: FeedPaths | None = None) -> str | None:
    """The Content-Type for a path under the output folder (by its format when `paths` names it
    a feed or the OPML list), or None when the type is never served."""
    what = paths.format_of(rel) if paths is not None else None
    if what in CONTENT_TYPES:
        return f"{CONTENT_TYPES[what]}; charset=utf-8"
    return _TYPES.get(os.path.splitext(rel)[1].lower())


def safe_segments(raw_path: str) -> tuple[str, ...] | None:
    """Split a request target into path segments, or None when it must not be served.

    `()` is the root. Decoding happens once, after refusing encoded separators, so
    `%2e%2e` becomes `..` and is refused like a literal one.
    """
    if raw_path.startswith(("http://", "https://")):  # absolute-form (RFC 9112 3.2.2)
        raw_path = urlsplit(raw_path).path or "/"
    path = raw_path.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or "\\" in path or any(e in path.lower() for e in _ENCODED_SEPARATORS):
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if decoded == "/":
        return ()
    segments = tuple(decoded[1:].split("/"))
    return None if any(map(_hidden, segments)) else segments


def _hidden(segment: str) -> bool:
    """Empty, `.`/`..`, a dotfile, a temporary file or a name with a backslash or control character."""
    return (not segment or segment.startswith(".") or "\\" in segment
            or bool(_CONTROL.search(segment)) or bool(_TEMPORARY.search(segment)))


def resolve(root: Path, segments: tuple[str, ...], paths: FeedPaths | None = None) -> str | None:
    """The real path of `segments` under `root`, or None if it leaves root or is not servable."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, *segments))
    if os.path.commonpath([real, real_root]) != real_root or real == real_root:
        return None
    # A symlink inside may point at a dotfile or an unserved type inside: check the target too.
    inside = os.path.relpath(real, real_root).split(os.sep)
    if any(map(_hidden, inside)):
        return None
    if content_type("/".join(segments), paths) is None or content_type("/".join(inside), paths) is None:
        return None
    return real
