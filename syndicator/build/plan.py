"""Plan the feeds: which posts are published at `now`, which feeds exist with which items, and
which feed files must be rendered again (their inputs changed) or can stay as they are.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from .. import __version__
from ..config import Config
from ..model import Author
from ..posts.loader import Stub
from ..posts.slugs import unique_slugs
from ..render import FeedSpec, feed_path
from .output import current_signature

PAGE = "html"  # FeedFile.fmt of the index page


@dataclass(frozen=True)
class Split:
    """The good posts at `now`: published ones newest first, and the rest counted."""

    published: list[Stub]
    drafts: int
    future: int
    next_due: datetime | None  # when the next future-dated post becomes due


@dataclass(frozen=True)
class FeedFile:
    """One feed file to render: where, in which format, from which items, and their hash."""

    rel: str  # path under the output folder
    inputs: str  # hash of everything the file is rendered from
    spec: FeedSpec
    fmt: str
    items: list[Stub]


def newest_first(stubs: list[Stub]) -> list[Stub]:
    """Feed order: newest publish time first, ties broken by id so the order is stable."""
    return sorted(stubs, key=lambda s: (-s.published, s.id))


def split(stubs: Iterable[Stub], now: datetime) -> Split:
    """Published posts (newest first), drafts and future posts at `now`."""
    cutoff = now.timestamp()
    published, drafts, future, next_due = [], 0, 0, None
    for stub in stubs:
        if stub.draft or (stub.expires is not None and stub.expires <= cutoff):
            drafts += 1  # an expired post (Hugo's expiryDate) is hidden like a draft
        elif stub.published > cutoff:
            future += 1
            due = datetime.fromtimestamp(stub.published, timezone.utc)
            next_due = min(next_due or due, due)
        else:
            published.append(stub)
            if stub.expires is not None:  # the feeds change again when it expires
                due = datetime.fromtimestamp(stub.expires, timezone.utc)
                next_due = min(next_due or due, due)
    return Split(newest_first(published), drafts, future, next_due)


def plan_feeds(config: Config, published: list[Stub]) -> list[tuple[FeedSpec, list[Stub]]]:
    """Every feed to write with its items (newest first, cut to the item count)."""
    site, opts, n = config.site, config.feeds, config.feeds.items
    plans = [(FeedSpec("site", "", site.title, ""), published[:n])]
    for enabled, kind, label, names_of in (
        (opts.per_tag, "tag", "posts tagged", lambda p: p.tags),
        (opts.per_category, "category", "category", lambda p: p.categories),
    ):
        if enabled:
            plans += _grouped(published, n, names_of, lambda name, slug, kind=kind, label=label:
                              FeedSpec(kind, name, f"{site.title}: {label} “{name}”", slug))
    if opts.per_author:
        authors: dict[str, Author] = {}
        for post in published:
            for author in post.authors:
                authors.setdefault(author.key, author)  # the first seen names the feed
        plans += _grouped(published, n, lambda p: [a.key for a in p.authors], lambda key, slug: FeedSpec(
            "author", key, f"{site.title}: {authors[key].name}", slug, authors[key]))
    return plans


def _grouped(published: list[Stub], n: int, names_of: Callable[[Stub], Iterable[str]],
             spec_of: Callable[[str, str], FeedSpec]) -> list[tuple[FeedSpec, list[Stub]]]:
    """One feed per name (tag, category or author key), in slug order, with its first n posts."""
    groups: dict[str, list[Stub]] = {}
    for post in published:
        for name in names_of(post):
            group = groups.setdefault(name, [])
            if len(group) < n:
                group.append(post)
    slugs = unique_slugs(list(groups))
    return [(spec_of(name, slugs[name]), groups[name]) for name in sorted(groups, key=lambda g: slugs[g])]


def inputs_hash(config: Config, what: str, items: Iterable[Stub]) -> str:
    """A hash of what one output is rendered from: program, config, `what`, and each item's digest."""
    h = hashlib.sha256(f"{__version__}\0{config.fingerprint}\0{what}".encode("utf-8", "surrogatepass"))
    for post in items:
        h.update(f"\0{post.source}\0{post.digest}".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def feed_files(config: Config, plans: list[tuple[FeedSpec, list[Stub]]]) -> list[FeedFile]:
    """Every feed file the plans make, in every configured format."""
    return [FeedFile(feed_path(config.feeds.paths, spec, fmt), inputs_hash(config, f"{fmt}\0{spec!r}", items),
                     spec, fmt, items)
            for spec, items in plans for fmt in config.feeds.formats]


def page_file(config: Config, plans: list[tuple[FeedSpec, list[Stub]]]) -> FeedFile:
    """The index page: it lists every feed and shows the site feed's posts."""
    spec, items = plans[0]
    every = "\0".join(repr(s) for s, _ in plans) + "\0" + ",".join(config.feeds.formats)
    return FeedFile(config.feeds.paths.site("page"), inputs_hash(config, f"{PAGE}\0{every}", items), spec, PAGE, items)


def stale(files: list[FeedFile], previous: dict[str, tuple[str, str]], out: Path) -> list[FeedFile]:
    """The files to render again: new inputs, or the file on disk is not the one last written."""
    return [f for f in files if previous.get(f.rel) is None or previous[f.rel][0] != f.inputs
            or current_signature(out / f.rel) != previous[f.rel][1]]
