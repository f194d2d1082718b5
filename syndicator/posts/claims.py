"""Who keeps an entry id or an address that two post files claim.

Readers already hold what was published, so the post published before keeps its id and its
address, and the newcomer is rejected with a message naming both files. "Published before" is
known from history (the build's record of owners, or the entries in the feeds already
written); without history the earlier publish date wins (a draft never beats a post), and the
file path breaks ties. Adding a file can therefore never knock a published post out of a feed.
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping, Protocol


class Claim(Protocol):
    """What a claim needs of a post: its file, id, address, date and whether it is a draft."""

    source: str
    id: str
    url: str
    slug: str
    published: float
    draft: bool


Rejection = tuple[str, str]  # (relpath of the rejected file, message)


def settle(claims: Iterable[Claim], *, incumbent: Callable[[Claim], bool],
           shown: Callable[[str], str]) -> tuple[list[Claim], list[Rejection]]:
    """The claims that keep their id and address (in path order), and one rejection per other file."""
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
    kept.sort(key=lambda c: c.source)
    rejected.sort()
    return kept, rejected


def owners_of(claims: Iterable[Claim]) -> dict[tuple[str, str], str]:
    """(kind, key) -> relpath for these claims: what the next build treats as history."""
    owners: dict[tuple[str, str], str] = {}
    for claim in claims:
        owners[("id", claim.id)] = claim.source
        owners[("url", claim.url)] = claim.source
    return owners


def incumbency(owners: Mapping[tuple[str, str], str],
               published: Iterable[tuple[str, str]] = ()) -> Callable[[Claim], bool]:
    """A test for "this claim was published before": recorded as owner, or its (id, address) is in a feed."""
    pairs = set(published)

    def test(claim: Claim) -> bool:
        return (owners.get(("id", claim.id)) == claim.source or owners.get(("url", claim.url)) == claim.source
                or (claim.id, claim.url) in pairs)

    return test
