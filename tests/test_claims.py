"""Collisions: the post readers already have keeps its id and address; else earlier date, then path."""

from __future__ import annotations

from typing import NamedTuple

from syndicator.posts.claims import incumbency, owners_of, settle


class C(NamedTuple):
    source: str
    id: str
    url: str
    slug: str = "s"
    published: float = 0.0
    draft: bool = False


def shown(rel: str) -> str:
    return "posts/" + rel


def test_without_history_the_earlier_date_wins_even_when_its_path_sorts_later():
    old = C("z-old.md", "tag:x", "https://s/old/", published=100)
    new = C("a-new.md", "tag:x", "https://s/new/", published=200)
    kept, rejected = settle([new, old], incumbent=incumbency({}), shown=shown)
    assert kept == [old]
    assert rejected == [("a-new.md", "duplicate id 'tag:x': already the id of posts/z-old.md, which keeps it; "
                                     "posts/a-new.md is skipped")]


def test_same_date_the_path_breaks_the_tie_and_a_draft_never_wins():
    a = C("a.md", "tag:x", "https://s/a/", published=5)
    b = C("b.md", "tag:x", "https://s/b/", published=5)
    d = C("0-draft.md", "tag:x", "https://s/d/", published=1, draft=True)
    kept, rejected = settle([b, d, a], incumbent=incumbency({}), shown=shown)
    assert kept == [a] and [r for r, _ in rejected] == ["0-draft.md", "b.md"]


def test_history_beats_an_earlier_dated_newcomer_for_id_and_for_address():
    published = C("b-published.md", "tag:x", "https://s/p/", slug="p", published=500)
    sneaky = C("a-sneaky.md", "tag:x", "https://s/q/", published=1)
    squatter = C("a-squat.md", "tag:y", "https://s/p/", slug="p", published=1)
    owners = owners_of([published])
    kept, rejected = settle([sneaky, squatter, published], incumbent=incumbency(owners), shown=shown)
    assert kept == [published]
    assert dict(rejected)["a-squat.md"] == ("duplicate slug 'p': https://s/p/ is already the address of "
                                            "posts/b-published.md, which keeps it; posts/a-squat.md is skipped")


def test_entries_in_old_feeds_count_as_history():
    published = C("b.md", "tag:x", "https://s/b/", published=9)
    newcomer = C("a.md", "tag:x", "https://s/a/", published=1)
    kept, _ = settle([newcomer, published], incumbent=incumbency({}, [("tag:x", "https://s/b/")]), shown=shown)
    assert kept == [published]


def test_no_collision_keeps_every_claim_in_path_order():
    claims = [C(f"{n}.md", f"tag:{n}", f"https://s/{n}/", published=-n) for n in range(5)]
    kept, rejected = settle(reversed(claims), incumbent=incumbency({}), shown=shown)
    assert kept == claims and rejected == []
