"""Plan the feeds: which posts are published at `now`, which feeds exist with which items, and
which feed files must be rendered again (their inputs changed) or can stay as they are.
"""

from __future__ import annotations

import bisect
from itertools import chain
from operator import attrgetter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from .. import __version__
from ..config import Config
from ..digests import sha256
from ..model import Author
from ..posts.loader import Stub
from ..posts.slugs import AUTHOR_FEEDS_BY_NAME, slug_rule, unique_slugs
from .signature import current_signature

if TYPE_CHECKING:  # the render package loads every writer: planning an edit need not import it
    from ..render import FeedSpec

PAGE = "html"  # FeedFile.fmt of the index page
PUBLISHED, DRAFT, FUTURE = "published", "draft", "future"  # a post's state at a given time
_TAGS, _CATEGORIES, _AUTHORS, _KEY, _ID, _PUBLISHED = (
    attrgetter(name) for name in ("tags", "categories", "authors", "key", "id", "published"))
_BLOCK = 256  # posts per block in _members
GroupKey = tuple[str, str]  # a feed's group: ("site", ""), ("tag", name), ("category", name), ("author", key)


@dataclass(frozen=True)
class Top:
    """A feed's members, newest first: all of them (`complete`), or the newest ones only."""

    items: tuple[Stub, ...]
    complete: bool


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
    """Feed order: newest publish time first, ties broken by id so the order is stable.

    Sorted by id, then (stably) by publish time, newest first: the order of `feed_order` without
    a key tuple per post (100,000 of them were the plan's largest passing allocation).
    """
    ordered = sorted(stubs, key=_ID)
    ordered.sort(key=_PUBLISHED, reverse=True)  # reverse=True keeps equal keys in their order
    return ordered


def status(stub: Stub, cutoff: float) -> str:
    """PUBLISHED, DRAFT (a draft, or expired: Hugo's expiryDate hides it like one) or FUTURE at `cutoff`."""
    if stub.draft or (stub.expires is not None and stub.expires <= cutoff):
        return DRAFT
    return FUTURE if stub.published > cutoff else PUBLISHED


def due_at(stub: Stub, state: str) -> float | None:
    """When the build's answer changes again because of this post: a future one comes due (or expires
    first, and counts as a draft from then), a published one expires."""
    if state == FUTURE:
        return stub.published if stub.expires is None else min(stub.published, stub.expires)
    return stub.expires if state == PUBLISHED else None


def split(stubs: Iterable[Stub], now: datetime) -> Split:
    """Published posts (newest first), drafts and future posts at `now`."""
    cutoff = now.timestamp()
    published, drafts, future, next_due = [], 0, 0, None
    for stub in stubs:
        state = status(stub, cutoff)
        if state == DRAFT:
            drafts += 1
            continue
        if state == FUTURE:
            future += 1
        else:
            published.append(stub)
        due = due_at(stub, state)
        if due is not None:
            when = datetime.fromtimestamp(due, timezone.utc)
            next_due = min(next_due or when, when)
    return Split(newest_first(published), drafts, future, next_due)


def plan_feeds(config: Config, published: list[Stub]) -> list[tuple[FeedSpec, list[Stub]]]:
    """Every feed to write with its items (newest first, cut to the item count)."""
    return plans_of(config, groups(config, published, keep=config.feeds.items))


def groups(config: Config, published: list[Stub], *, keep: int) -> dict[GroupKey, Top]:
    """Every feed's members among `published` (newest first), each cut to its newest `keep`."""
    opts = config.feeds
    found = {("site", ""): Top(tuple(published[:keep]), len(published) <= keep)}
    for enabled, kind, names_of, every_name in (
            (opts.per_tag, "tag", _tags, _every_tag), (opts.per_category, "category", _categories, _every_category),
            (opts.per_author, "author", _author_keys, _every_author_key)):
        if enabled:
            found.update(((kind, name), top) for name, top in _members(published, names_of, every_name, keep).items())
    return found


def _members(published: list[Stub], names_of: Callable[[Stub], Iterable[str]],
             every_name: Callable[[list[Stub]], Iterable[str]], keep: int) -> dict[str, Top]:
    """Each name's newest `keep` posts among `published` (newest first), in order of first appearance.

    Posts are taken in blocks: once every name in a block has its `keep` posts, the block only
    makes those names incomplete, which one set operation records (100,000 posts under a few
    hundred names fill them early, so most blocks cost no Python loop)."""
    members: dict[str, list[Stub]] = {}
    full: set[str] = set()  # names with `keep` members
    cut: set[str] = set()  # names with more than `keep` posts: not complete
    for start in range(0, len(published), _BLOCK):
        block = published[start:start + _BLOCK]
        names = set(every_name(block))
        if names <= full:
            cut |= names
            continue
        for post in block:
            for name in names_of(post):
                group = members.setdefault(name, [])
                if len(group) < keep:
                    group.append(post)
                    if len(group) == keep:
                        full.add(name)
                else:
                    cut.add(name)
    return {name: Top(tuple(items), name not in cut) for name, items in members.items()}


def regroup(config: Config, before: Mapping[GroupKey, Top], *, removed: set[str], added: Iterable[Stub],
            keep: int) -> dict[GroupKey, Top] | None:
    """`before` without the posts of the `removed` files and with the `added` published posts, or None
    when a feed cut short (not `complete`) no longer holds its newest `items` posts: a full plan must run."""
    opts = config.feeds
    kinds = [("site", lambda p: ("",))] + [(kind, names_of) for enabled, kind, names_of in (
        (opts.per_tag, "tag", _tags), (opts.per_category, "category", _categories),
        (opts.per_author, "author", _author_keys)) if enabled]
    lists = {key: [s for s in top.items if s.source not in removed] if removed else list(top.items)
             for key, top in before.items()}
    complete = {key: top.complete for key, top in before.items()}
    for post in added:
        for kind, names_of in kinds:
            for name in names_of(post):
                group = lists.setdefault((kind, name), [])
                complete.setdefault((kind, name), True)
                if complete[(kind, name)] or (group and feed_order(post) < feed_order(group[-1])):
                    bisect.insort(group, post, key=feed_order)
    after = {}
    for key, items in lists.items():
        if not complete[key] and len(items) < config.feeds.items:
            return None
        if items or key == ("site", ""):
            after[key] = Top(tuple(items[:keep]), complete[key] and len(items) <= keep)
    return after


def plans_of(config: Config, found: Mapping[GroupKey, Top]) -> list[tuple[FeedSpec, list[Stub]]]:
    """The feeds `groups` make, in plan order (site, tags, categories, authors; each by slug), cut to length."""
    from ..render import FeedSpec

    site, n = config.site, config.feeds.items
    by_kind: dict[str, dict[str, tuple[Stub, ...]]] = {}
    for (kind, name), top in found.items():
        by_kind.setdefault(kind, {})[name] = top.items
    plans = [(FeedSpec("site", "", site.title, ""), list(found[("site", "")].items[:n]))]
    rule = slug_rule(config.reading.engine)  # the old engine's, so kept feed paths stay where they were
    for kind, label in (("tag", "posts tagged"), ("category", "category")):
        plans += _specs(by_kind.get(kind, {}), n, lambda name, slug, kind=kind, label=label:
                        FeedSpec(kind, name, f"{site.title}: {label} “{name}”", slug), slug_of=rule)
    authors = by_kind.get("author", {})
    by_name = config.reading.engine in AUTHOR_FEEDS_BY_NAME
    plans += _specs(authors, n, lambda key, slug: FeedSpec(
        "author", key, f"{site.title}: {_first(authors[key], key).name}", slug, _first(authors[key], key)),
        slug_of=(lambda key: rule(_first(authors[key], key).name)) if by_name else rule)
    return plans


def _specs(members: Mapping[str, tuple[Stub, ...]], n: int, spec_of: Callable[[str, str], FeedSpec], *,
           slug_of: Callable[[str], str]) -> list[tuple[FeedSpec, list[Stub]]]:
    """One feed per name (tag, category or author key), in slug order, with its first n posts."""
    slugs = unique_slugs(list(members), slug_of=slug_of)
    return [(spec_of(name, slugs[name]), list(members[name][:n])) for name in sorted(members, key=lambda g: slugs[g])]


def _first(items: tuple[Stub, ...], key: str) -> Author:
    """The author named `key` on the newest post that has one: the feed is named after that one."""
    return next(a for a in items[0].authors if a.key == key)


def feed_order(stub: Stub) -> tuple[float, str]:
    """The sort key of feed order (newest_first)."""
    return -stub.published, stub.id


def _tags(stub: Stub) -> Iterable[str]:
    return stub.tags


def _categories(stub: Stub) -> Iterable[str]:
    return stub.categories


def _author_keys(stub: Stub) -> Iterable[str]:
    return [a.key for a in stub.authors]


def _every_tag(stubs: list[Stub]) -> Iterable[str]:
    return chain.from_iterable(map(_TAGS, stubs))


def _every_category(stubs: list[Stub]) -> Iterable[str]:
    return chain.from_iterable(map(_CATEGORIES, stubs))


def _every_author_key(stubs: list[Stub]) -> Iterable[str]:
    return map(_KEY, chain.from_iterable(map(_AUTHORS, stubs)))


def inputs_hash(config: Config, what: str, items: Iterable[Stub]) -> str:
    """A hash of what one output is rendered from: program, config, `what`, and each item's digest."""
    h = sha256(f"{__version__}\0{config.fingerprint}\0{what}".encode("utf-8", "surrogatepass"))
    for post in items:
        h.update(f"\0{post.source}\0{post.digest}".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def feed_files(config: Config, plans: list[tuple[FeedSpec, list[Stub]]]) -> list[FeedFile]:
    """Every feed file the plans make, in every configured format."""
    from ..render import feed_path

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
