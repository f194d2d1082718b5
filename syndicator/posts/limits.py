"""What one post may cost to read: the config's [limits], or these defaults where it has none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PostLimits:
    """The limits the reader enforces; each broken one is a `path:line` problem."""

    max_post_bytes: int = 10 * 1024 * 1024
    max_tags: int = 200  # tags plus categories of one post
    max_front_matter_bytes: int = 1024 * 1024
    max_nesting: int = 50  # lists and tables inside each other in the front matter


DEFAULT_LIMITS = PostLimits()


def limits_of(config: Any) -> PostLimits:
    """The config's [limits] table (same field names) when it has one, else the defaults."""
    found = getattr(config, "limits", None)
    return DEFAULT_LIMITS if found is None else found
