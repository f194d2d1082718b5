"""What a feed file is: its FeedSpec, and the one spelling of every output file's name."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Author

# The file names the build writes and the server, daemon and CLI look for: one per feed format,
# plus the OPML list of every feed. Nowhere else spells them.
FEED_FILES = {"rss": "rss.xml", "atom": "atom.xml", "json": "feed.json", "opml": "feeds.opml"}
INDEX_FILE = "index.html"  # the page for people beside the feeds (render/page.py)
CONTENT_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml",
                 "json": "application/feed+json", "opml": "text/x-opml"}


@dataclass(frozen=True)
class FeedSpec:
    """One feed to write: the site feed, or the feed of one tag, category or author."""

    kind: str  # "site" | "tag" | "category" | "author"
    key: str  # tag or category name, or author key; "" for the site feed
    title: str  # feed title
    path: str  # under the feeds output dir: "", "tags/<slug>", "categories/<slug>", "authors/<key>"
    author: Author | None = None  # set for author feeds: feed-level name, link, avatar, bio
