"""Who keeps an entry id or an address that two post files claim.

Readers already hold what was published, so the post published before keeps its id and its
address, and the newcomer is rejected with a message naming both files. "Published before" is
known from history (the build's record of owners, or the entries in the feeds already
written); without history the earlier publish date wins (a draft never beats a post), and the
file path breaks ties. Adding a file can therefore never knock a published post out of a feed.
"""

from __future__ import annotations

from collections import Counter
from operator import attrgetter
from typing import Callable, Iterable, Iterator, Mapping, Protocol


class Claim(Protocol):
    """What a claim needs of a post: its file, id, address, date and whether it is a draft."""

    source: str
    id: str
    url: str
    slug: str
    published: float
    draft: bool


Rejection = tuple[str, str]  # (relpath of the rejected file, message)
_source = attrgetter("source")
_ROW = attrgetter("source", "id", "url")


def settle(claims: Iterable[Claim], *, incumbent: Callable[[Claim], bool],
           shown: Callable[[str], str]) -> tuple[list[Claim], list[Rejection]]:
    """The claims that keep their id and address (in path order), and one rejection per other file.

    Only claims that share an id or an address with another are ranked (history, then draft, date
    and path); the rest keep theirs whatever their rank, so 100,000 posts with unique ids and
    addresses cost two counts and a sort by path.
    """
    claims = list(claims)
    ids = Counter(claim.id for claim in claims)
    urls = Counter(claim.url for claim in claims)
    if len(ids) == len(urls) == len(claims):
        return sorted(claims, key=_source), []
    shared = [c for c in claims if ids[c.id] > 1 or urls[c.url] > 1]
    kept, rejected = _ranked(shared, incumbent=incumbent, shown=shown)
    kept += [c for c in claims if ids[c.id] == 1 and urls[c.url] == 1]
    kept.sort(key=_source)
    rejected.sort()
    return kept, rejected


def _ranked(claims: Iterable[Claim], *, incumbent: Callable[[Claim], bool],
            shown: Callable[[str], str]) -> tuple[list[Claim], list[Rejection]]:
    """Claims in rank order, each kept unless one ranked before it holds its id or address."""
    ranked = sorted(claims, key=lambda c: (not incumbent(c), c.draft, c.published, c.source))
    ids: dict[str, str] = {}
    urls: dict[str, str] = {}
    kept: list[Claim] = []
    rejected: list[Rejection] = []
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
    return kept, rejected


class Owners(Mapping[tuple[str, str], str]):
    """(kind, key) -> relpath of published claims, kept as the claims themselves (one row per file,
    `rows`: path, id, address, made when read) so that 100,000 posts cost no 200,000-key dict unless
    someone looks a key up, nor 100,000 row tuples (6 MB) while the build renders.

    Made in the build process: the build records the rows in a thread (build/emit.py's Sideline) while
    it renders, so nothing is copied; a forked child that walked the posts' strings instead copied
    most of the build's heap, page by page.
    """

    def __init__(self, claims: Iterable[Claim]) -> None:
        self._claims = list(claims)
        self._index: dict[tuple[str, str], str] | None = None

    @property
    def rows(self) -> Iterator[tuple[str, str, str]]:
        """(path, id, address) of each claim, in the claims' order, made as they are read."""
        return map(_ROW, self._claims)

    def _keys(self) -> dict[tuple[str, str], str]:
        if self._index is None:
            self._index = {}
            for path, id_, url in self.rows:
                self._index[("id", id_)] = path
                self._index[("url", url)] = path
        return self._index

    def __getitem__(self, key: tuple[str, str]) -> str:
        return self._keys()[key]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())


def owners_of(claims: Iterable[Claim]) -> Owners:
    """(kind, key) -> relpath for these claims: what the next build treats as history."""
    return Owners(claims)


def incumbency(owners: Mapping[tuple[str, str], str],
               published: Iterable[tuple[str, str]] = ()) -> Callable[[Claim], bool]:
    """A test for "this claim was published before": recorded as owner, or its (id, address) is in a feed."""
    pairs = set(published)

    def test(claim: Claim) -> bool:
        return (owners.get(("id", claim.id)) == claim.source or owners.get(("url", claim.url)) == claim.source
                or (claim.id, claim.url) in pairs)

    return test
