"""Which parsed posts a scan worker keeps for the build cache's posts table: those that may reach a feed.

A feed lists its newest posts, and the build plans a reserve behind them (build/warm.py), so of
10,000 posts a cold build needs under a fifth again, as full posts, in later builds. Pickling and
storing the other posts was a tenth of a worker's time. Each worker keeps, of the posts it parsed,
every feed's newest `keep` published ones (the newest of all posts are among the newest of each
part: the groups are computed as the build computes them) and every future-dated one (it comes
due later). A post left out is only missing from the cache: a build that wants it (the reserve ran
out, or `syndicator run` cross-posting every post) parses its file again.
"""

from __future__ import annotations

from datetime import datetime

from ..config import Config
from ..model import Post
from ..posts.loader import Stub
from .plan import DRAFT, PUBLISHED, groups, newest_first, status

_FIRST_PRUNE = 1024  # posts held before the first pruning; then twice what the last one kept


class Shortlist:
    """The posts one worker parsed that may reach a feed at or after `now`, held until it stores them."""

    def __init__(self, config: Config, *, now: datetime, keep: int) -> None:
        self.config, self.cutoff, self.keep = config, now.timestamp(), keep
        self.held: dict[str, tuple[Stub, Post]] = {}
        self.limit = _FIRST_PRUNE

    def add(self, stub: Stub, post: Post) -> None:
        """Hold this post if it may reach a feed (a draft or an expired post never does)."""
        if status(stub, self.cutoff) == DRAFT:
            return
        self.held[stub.source] = (stub, post)
        if len(self.held) > self.limit:
            self.prune()
            self.limit = max(_FIRST_PRUNE, 2 * len(self.held))

    def prune(self) -> None:
        """Drop the published posts that are in no feed's newest `keep` among those held."""
        published = newest_first([stub for stub, _ in self.held.values() if status(stub, self.cutoff) == PUBLISHED])
        wanted = {stub.source for top in groups(self.config, published, keep=self.keep).values() for stub in top.items}
        self.held = {rel: held for rel, held in self.held.items()
                     if rel in wanted or status(held[0], self.cutoff) != PUBLISHED}

    def likely_shown(self, items: int, *, workers: int) -> list[Post]:
        """The published posts held that are likely among a feed's newest `items` when `workers` share
        the posts evenly (at position p of some feed among those held, with p * workers < items),
        the likeliest (the lowest such position) first."""
        cut = -(-items // max(1, workers))
        published = newest_first([stub for stub, _ in self.held.values() if status(stub, self.cutoff) == PUBLISHED])
        best: dict[str, int] = {}
        for top in groups(self.config, published, keep=cut).values():
            for position, stub in enumerate(top.items):
                if best.get(stub.source, cut) > position:
                    best[stub.source] = position
        return [self.held[rel][1] for rel in sorted(best, key=lambda rel: (best[rel], rel))]

    def posts(self) -> list[tuple[str, Post]]:
        """The posts to store, by path."""
        self.prune()
        return sorted(((rel, post) for rel, (_stub, post) in self.held.items()), key=lambda pair: pair[0])
