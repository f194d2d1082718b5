"""The one place that decides how post bodies are read and kept.

Parsed posts are kept without their source text (Post.body is ""): 10,000 of them stay small
in the cache and in memory. A post's text is read back from its file only when its body must
be rendered (`with_source`), and rendered bodies (HTML and summary) are kept in the build cache
by content digest (`rendered`). The build report hands those bodies on, so cross-posting sends
what the feeds show without rendering again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from ..config import Config, Site
from ..errors import PostError
from ..model import Body, Post
from ..posts.content import render_body
from ..posts.loader import read_post_bytes
from ..posts.markup import source_body
from ..posts.reader import decode
from .cache import Cache
from .parallel import fork_map


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


def kept(config: Config, cache: Cache | None, posts: list[Post],
         bodies: dict[str, Body]) -> tuple[list[Post], dict[str, Body]]:
    """The posts and bodies a build hands on (for cross-posting): every body this build has or
    its cache holds, and source text only for the posts whose body is in neither."""
    known = dict(bodies)
    if cache is not None:
        known.update(cache.bodies(p.digest for p in posts if p.digest not in known))
    return [p if p.digest in known else with_source(config, [p])[0] for p in posts], known


def _render_at(work: tuple[list[Post], Site, tuple[tuple[str, str], ...]], index: int) -> Body:
    posts, site, variables = work
    return render_body(posts[index], site=site, variables=variables)


def rendered(config: Config, cache: Cache | None, posts: Iterable[Post]) -> dict[str, Body]:
    """Rendered bodies by digest: from the cache, else rendered now (both cores when many)."""
    wanted = {p.digest: p for p in posts}
    known = cache.bodies(wanted) if cache else {}
    missing = with_source(config, [p for d, p in wanted.items() if d not in known])
    work = (missing, config.site, config.reading.site_variables)
    bodies = fork_map(_render_at, range(len(missing)), context=work, min_items=64, chunksize=8)
    fresh = {post.digest: body for post, body in zip(missing, bodies)}
    if cache is not None and fresh:
        cache.put_bodies(fresh)
    known.update(fresh)
    return known
