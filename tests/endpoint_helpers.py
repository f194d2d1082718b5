"""Helpers for the endpoint and fitting tests: a post, its body, a fixed clock."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

import requests

from syndicator.crosspost_settings import KINDS, parse_endpoint
from syndicator.endpoints.base import Endpoint
from syndicator.model import Author, Body, Credit, Image, Link, Post

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def make_post(n: int = 1, **changes: Any) -> Post:
    """A published post with an author, tags and (optionally) an image."""
    fields: dict[str, Any] = dict(
        source=f"posts/post-{n}.md", id=f"tag:test.example,2026:post-{n}", slug=f"post-{n}",
        title=f"Post number {n}", url=f"https://test.example/2026/11/post-{n}/",
        published=datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc),
        updated=datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc),
        body="Hello.", body_format="markdown",
        authors=(Author(key="ann", name="Ann Author", url="https://test.example/about/ann/",
                        avatar="https://test.example/ann.png", bio="Ann writes.",
                        bio_html="<p>Ann writes.</p>", bio_text="Ann writes."),),
        tags=("machine learning", "python"), categories=("notes",), lang="en",
        influences=(Link("A book", "https://books.example/1", "chapter 2"),),
        license="https://creativecommons.org/licenses/by/4.0/",
    )
    fields.update(changes)
    return Post(**fields)


def make_endpoint(cls: type[Endpoint], name: str, options: dict[str, Any],
                  secrets: dict[str, str], http: requests.Session | None = None,
                  **common: Any) -> Endpoint:
    """An endpoint built from an [[endpoints]] table checked by the real config parser."""
    table = {"name": name, "type": cls.kind, **options, **common}
    settings = parse_endpoint(table, where=f"[[endpoints]] '{name}'", file="test.toml")
    return cls(settings, secrets, http or requests.Session())


def default_template(ep: Endpoint) -> str:
    """The kind's default text template."""
    return KINDS[ep.kind].default_template


def make_body(summary: str = "A short summary of the post.") -> Body:
    return Body(html=f"<p>{summary}</p>", summary=summary)


def image(url: str) -> Image:
    return Image(url=url, alt="A boat", type="image/png",
                 credit=Credit("Ana Silva", source="Unsplash", source_url="https://unsplash.com"),
                 license="https://unsplash.com/license")


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


def prepare(ep: Endpoint, post: Post | None = None, body: Body | None = None, *,
            template: str | None = None, key: str | None = None):
    """render + new_key, nothing sent; returns (post, body, message, key)."""
    post = post or make_post()
    body = body or make_body()
    message = ep.render(post, body, template=template or default_template(ep))
    return post, body, message, key or ep.new_key(now=NOW)


def deliver(ep: Endpoint, post: Post | None = None, body: Body | None = None, *,
            template: str | None = None, key: str | None = None):
    """render + new_key + send; returns (message, key, receipt)."""
    post, body, message, key = prepare(ep, post, body, template=template, key=key)
    return message, key, ep.send(post, body, message, key=key, now=NOW)


def assert_secret_free(exc: BaseException, *secrets: str) -> None:
    """Neither str(exc), its repr nor its context mentions any secret."""
    text = f"{exc} {exc!r} {getattr(exc, 'context', '')} {exc.__cause__!r} {exc.__context__!r}"
    for secret in secrets:
        assert secret not in text, f"secret leaked in {text!r}"


def session() -> requests.Session:
    return requests.Session()


def quiet_logs() -> None:
    logging.getLogger("urllib3").setLevel(logging.WARNING)


def closed_port_url(path: str = "") -> str:
    """An http://127.0.0.1 URL where nothing listens (connection refused)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"
