"""What a feed file is: its FeedSpec, and where it goes (by [feeds.paths], syndicator/feed_paths.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ..feed_paths import FeedPaths
from ..model import Author

# The media type of each output format; the file names are settings ([feeds.paths]).
CONTENT_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml",
                 "json": "application/feed+json", "opml": "text/x-opml"}


@dataclass(frozen=True)
class FeedSpec:
    """One feed to write: the site feed, or the feed of one tag, category or author."""

    kind: str  # "site" | "tag" | "category" | "author"
    key: str  # tag or category name, or author key; "" for the site feed
    title: str  # feed title
    slug: str  # the name in the feed's path ([feeds.paths] {slug}); "" for the site feed
    author: Author | None = None  # set for author feeds: feed-level name, link, avatar, bio


def feed_path(paths: FeedPaths, spec: FeedSpec, fmt: str) -> str:
    """The feed file's path under the output folder, from [feeds.paths]."""
    return paths.of(spec.kind, spec.slug, fmt)
