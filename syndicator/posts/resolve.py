"""Site-relative and page-relative URLs made absolute, quickly (standard library only).

A post's fields (fields.py) resolve their URLs with this and need nothing else of html_text.py,
which brings cmark-gfm: one edited post is read without loading it.
"""

from __future__ import annotations

import functools
from typing import Callable
from urllib.parse import urljoin, urlsplit


@functools.lru_cache(maxsize=64)
def resolver(base: str) -> Callable[[str], str]:
    """urljoin(base, url), with the common cases done without it (it is slow on long posts)."""
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    page = base.split("#", 1)[0]

    def resolve(url: str) -> str:
        url = url.strip()
        if "/." not in url:
            if url.startswith(("https://", "http://", "mailto:")):
                return url
            if url.startswith("#"):
                return page + url
            if url.startswith("/") and not url.startswith("//"):
                return origin + url
        return urljoin(base, url)

    return resolve
