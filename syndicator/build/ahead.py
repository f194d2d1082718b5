"""Bodies a crew worker renders ahead, in the time it would wait between the scan and the rendering.

Once a worker has stored its shortlist (build/scan.py), the build's process still plans the feeds
before any render task comes: tens of milliseconds in which both cores would idle. The worker
spends them rendering the bodies of the posts it holds that are most likely shown: those near the
top of some feed among its own posts (at position p of a feed among one worker's posts, a post is
among the feed's newest `items` when the other workers' posts spread evenly: p * workers < items),
the likeliest first. Each render task then goes to the worker that holds its posts (build/crew.py
`homes`), which takes these bodies instead of rendering them again (build/prerender.py). A body is
rendered from the post's file and the config alone (bodies.rendered), whenever that happens, so
the feeds' bytes are the same; a body that fails is left for its render task to fail and report.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from ..model import Body, Post
from .bodies import rendered

if TYPE_CHECKING:
    from .scan import Parsing

BUDGET = 1 << 20  # characters of bodies (HTML and summary) one worker holds ahead of their tasks (as UTF-8)


class Ahead:
    """One worker's bodies rendered ahead, by post digest, and the posts still to render."""

    def __init__(self, *, workers: int, budget: int = BUDGET) -> None:
        self.workers, self.budget = workers, budget
        self.todo: deque[Post] | None = None  # None: not chosen yet
        self.bodies: dict[str, tuple[bytes, bytes]] = {}  # digest -> the body's HTML and summary, UTF-8
        self.chars = 0

    def keep(self, digest: str, body: Body) -> None:
        """Hold a body rendered ahead, as UTF-8 (a quarter of the memory of text with an emoji in it)."""
        self.bodies[digest] = (body.html.encode("utf-8", "surrogatepass"), body.summary.encode("utf-8", "surrogatepass"))
        self.chars += len(body.html) + len(body.summary)

    def take(self, digests: list[str]) -> dict[str, Body]:
        """The bodies rendered ahead for these digests (each handed out once)."""
        return {digest: Body(html=html.decode("utf-8", "surrogatepass"), summary=summary.decode("utf-8", "surrogatepass"))
                for digest in digests if digest in self.bodies for html, summary in (self.bodies.pop(digest),)}


def render_ahead(work: Parsing) -> bool:
    """Render the next likely shown post's body (a crew's idle work: build/crew.py); False when done."""
    ahead, held = work.ahead, work.shortlist
    if ahead is None or held is None:
        return False
    if ahead.todo is None:
        ahead.todo = deque(held.likely_shown(work.config.feeds.items, workers=ahead.workers))
    if not ahead.todo or ahead.chars >= ahead.budget:
        return False
    post = ahead.todo.popleft()
    try:
        body = rendered(work.config, post)
    except Exception:  # noqa: BLE001 - its render task renders it again and reports why
        return True
    ahead.keep(post.digest, body)
    return True
