"""Planning's fast paths (issue 12, 100,000 posts) equal the plain code they replaced, on random posts."""

from __future__ import annotations

import pickle
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.build import plan
from syndicator.build.cache import dumps, loads
from syndicator.build.plan import Top, feed_order, groups, newest_first
from syndicator.model import Author
from syndicator.posts.claims import incumbency, settle
from syndicator.posts.loader import Stub, index_entries
from syndicator.posts.problem import Problem

AUTHORS = {key: Author(key, key.title()) for key in ("ann", "bo", "cy")}
NAMES = ["a", "b", "c", "d", "e", "é", "f g"]


@st.composite
def stubs(draw, max_size: int = 40) -> list[Stub]:
    count = draw(st.integers(0, max_size))
    out = []
    for n in range(count):
        out.append(Stub(
            source=f"p{n:03d}.md", id=f"tag:{draw(st.integers(0, count + 2))}",
            url=f"https://s/{draw(st.integers(0, count + 2))}/", slug=f"s{n}",
            published=float(draw(st.integers(0, 12))), draft=draw(st.booleans()),
            tags=tuple(draw(st.lists(st.sampled_from(NAMES), max_size=4))),
            categories=tuple(draw(st.lists(st.sampled_from(NAMES[:3]), max_size=2))),
            authors=tuple(AUTHORS[k] for k in draw(st.lists(st.sampled_from(sorted(AUTHORS)), max_size=2))),
            digest=f"d{n}", expires=draw(st.none() | st.floats(0, 20))))
    return out


def _tags(stub):
    return stub.tags


def _categories(stub):
    return stub.categories


def _author_keys(stub):
    return [a.key for a in stub.authors]


def reference_groups(config, published, *, keep):
    """groups() as it was: one loop over every post's every name."""
    opts = config.feeds
    found = {("site", ""): Top(tuple(published[:keep]), len(published) <= keep)}
    for enabled, kind, names_of in ((opts.per_tag, "tag", _tags), (opts.per_category, "category", _categories),
                                    (opts.per_author, "author", _author_keys)):
        if not enabled:
            continue
        members: dict = {}
        complete: dict = {}
        for post in published:
            for name in names_of(post):
                group = members.setdefault(name, [])
                if len(group) < keep:
                    group.append(post)
                else:
                    complete[name] = False
        found.update(((kind, name), Top(tuple(items), complete.get(name, True))) for name, items in members.items())
    return found


def reference_settle(claims, *, incumbent, shown):
    """settle() as it was: every claim ranked."""
    ranked = sorted(claims, key=lambda c: (not incumbent(c), c.draft, c.published, c.source))
    ids: dict = {}
    urls: dict = {}
    kept, rejected = [], []
    for claim in ranked:
        holder = ids.get(claim.id)
        if holder is not None:
            rejected.append((claim.source, f"duplicate id {claim.id!r}: already the id of {shown(holder)}, "
                                           f"which keeps it; {shown(claim.source)} is skipped"))
            continue
        holder = urls.get(claim.url)
        if holder is not None:
            rejected.append((claim.source, f"duplicate slug {claim.slug!r}: {claim.url} is already the address "
                                           f"of {shown(holder)}, which keeps it; {shown(claim.source)} is skipped"))
            continue
        ids[claim.id] = urls[claim.url] = claim.source
        kept.append(claim)
    kept.sort(key=lambda c: c.source)
    rejected.sort()
    return kept, rejected


def _config(tag: bool, category: bool, author: bool):
    return SimpleNamespace(feeds=SimpleNamespace(per_tag=tag, per_category=category, per_author=author))


@settings(max_examples=80, deadline=None)
@given(posts=stubs(max_size=40), keep=st.integers(0, 6), flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
       block=st.sampled_from([1, 2, 3, 256]))
def test_groups_equal_one_loop_over_every_name(posts, keep, flags, block):
    published = sorted(posts, key=feed_order)
    config = _config(*flags)
    default, plan._BLOCK = plan._BLOCK, block  # small blocks: the all-names-full shortcut is taken often
    try:
        new = groups(config, published, keep=keep)
    finally:
        plan._BLOCK = default
    old = reference_groups(config, published, keep=keep)
    assert new == old and list(new) == list(old)  # same members, same completeness, same order


@settings(max_examples=80, deadline=None)
@given(claims=stubs(), held=st.sets(st.integers(0, 60)))
def test_settle_ranks_only_the_clashing_claims_and_decides_the_same(claims, held):
    owners = {("id", f"tag:{n}"): f"p{n:03d}.md" for n in held}
    shown = "posts/{}".format
    assert settle(claims, incumbent=incumbency(owners), shown=shown) == \
        reference_settle(claims, incumbent=incumbency(owners), shown=shown)


@settings(max_examples=40, deadline=None)
@given(claims=stubs(), warned=st.sets(st.integers(0, 40)))
def test_index_entries_lists_problems_by_path_as_before(claims, warned):
    config = SimpleNamespace(root="/site", posts_dir="/site/posts")
    entries = {}
    for n, stub in enumerate(reversed(claims)):
        problems = [Problem(f"posts/{stub.source}", 3, "unknown key", "warning")] if n in warned else []
        entries[stub.source] = (1, 2, stub, problems)
    kept, problems = index_entries(config, entries)
    ref_kept, rejected = reference_settle([entries[r][2] for r in sorted(entries)], incumbent=lambda c: False,
                                          shown="posts/{}".format)
    expected = [p for r in sorted(entries) for p in entries[r][3]]
    expected += [Problem(f"posts/{rel}", 1, message) for rel, message in rejected]
    assert kept == ref_kept and problems == sorted(expected, key=lambda p: p.path)


@given(posts=stubs(max_size=10))
def test_newest_first_is_feed_order(posts):
    assert newest_first(posts) == sorted(posts, key=lambda s: (-s.published, s.id))


def test_unpickled_stubs_share_their_names_and_equal_the_originals():
    made = [Stub(f"{n}.md", f"tag:{n}", f"https://s/{n}/", str(n), 1.0, False, ("caching", "travel"), ("Notes",),
                 (AUTHORS["ann"],), "d") for n in range(3)]
    back = [loads(dumps([stub], AUTHORS), AUTHORS)[0] for stub in made]  # pickled apart, as scan chunks are
    assert back == made and all(type(s) is Stub for s in back)
    assert back[0].tags is back[2].tags and back[0].tags[1] is back[1].tags[1] and back[1].categories is back[2].categories
    assert back[0].authors[0] is AUTHORS["ann"] and back[0].authors is back[2].authors  # one tuple for them all
    assert pickle.loads(pickle.dumps(made[0])) == made[0]


def test_a_stub_whose_names_are_not_plain_strings_unpickles_as_it_was():
    odd = Stub("a.md", "tag:a", "https://s/a/", "a", 1.0, False, ["listed"], (1,), (), "d")  # type: ignore[arg-type]
    assert pickle.loads(pickle.dumps(odd)) == odd
