"""The one place that decides how post bodies are read and kept.

Parsed posts are kept without their source text (Post.body is ""): 10,000 of them stay small
in the cache and in memory. A post's text is read back from its file only when its body must
be rendered (`with_source`), and rendered bodies (HTML and summary) are kept in the build cache
by content digest (`Bodies` renders each on first use). The build report hands those bodies on,
so cross-posting sends what the feeds show without rendering again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from ..config import Config
from ..errors import PostError
from ..model import Body, Post
from ..posts.content import render_body
from ..posts.loader import read_post_bytes
from ..posts.markup import source_body
from ..posts.reader import decode
from .cache import Cache


def with_source(config: Config, posts: Iterable[Post]) -> list[Post]:
    """The same posts with their source text (Post.body) read back from their files."""
    out = []
    for post in posts:
        if post.body:
            out.append(post)
            continue
        try:
            _st, data = read_post_bytes(str(config.posts_dir / post.source), limit=config.limits.max_post_bytes)
            text = decode(data, post.source)
        except (OSError, PostError):
            text = ""  # vanished or broken since it was parsed; the next build reports it
        out.append(replace(post, body=source_body(text, post.body_format, engine=config.reading.engine)))
    return out


def rendered(config: Config, post: Post) -> Body:
    """The post's body rendered from its file's text (raises what rendering raises)."""
    source = with_source(config, [post])[0]
    return render_body(source, site=config.site, variables=config.reading.site_variables)


def kept(config: Config, cache: Cache | None, posts: list[Post],
         bodies: dict[str, Body]) -> tuple[list[Post], dict[str, Body]]:
    """The posts and bodies a build hands on (for cross-posting): every body this build has or
    its cache holds, and source text only for the posts whose body is in neither."""
    known = dict(bodies)
    if cache is not None:
        known.update(cache.bodies(p.digest for p in posts if p.digest not in known))
    return [p if p.digest in known else with_source(config, [p])[0] for p in posts], known


class Bodies:
    """Rendered bodies for the posts one build renders: the build cache's, else rendered on first use.

    With a cache, bodies rendered now go into it in batches and are not kept here (the build's
    memory does not grow with the posts it renders); without one, every body is kept in `kept`.
    """

    def __init__(self, config: Config, cache: Cache | None, *, batch: int = 64, batch_chars: int = 1 << 20) -> None:
        self.config, self.cache, self.batch, self.batch_chars = config, cache, batch, batch_chars
        self.kept: dict[str, Body] = {}
        self.pending: dict[str, Body] = {}
        self.pending_chars = 0

    def get(self, post: Post) -> Body:
        """The post's rendered body (raises what rendering it raises)."""
        digest = post.digest
        body = self.pending.get(digest) or self.kept.get(digest)
        if body is None and self.cache is not None:
            body = self.cache.bodies([digest]).get(digest)
        if body is None:
            body = rendered(self.config, post)
            self.add(digest, body)
        return body

    def add(self, digest: str, body: Body) -> None:
        """A body rendered now (here or by a worker process): kept, or put in the cache with the next batch."""
        if self.cache is None:
            self.kept[digest] = body
            return
        self.pending[digest] = body
        self.pending_chars += len(body.html)
        if len(self.pending) >= self.batch or self.pending_chars >= self.batch_chars:
            self.save()

    def save(self) -> None:
        """Put the bodies rendered since the last save into the build cache."""
        if self.cache is not None and self.pending:
            self.cache.put_bodies(self.pending)
        self.pending, self.pending_chars = {}, 0
