"""Hand-built Site / Feeds / Post objects for the feed writer tests (no config or post loader)."""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from syndicator.config import Feeds, Site
from syndicator.model import Author, Body, Credit, Image, Link, Post
from syndicator.posts.content import render_bio, render_body
from syndicator.render import FeedSpec

SITE_URL = "https://blog.example.org/"
FEEDS_URL = "https://blog.example.org/feeds/"
SCHEMAS = Path(__file__).resolve().parent / "schemas"  # carried with the tests (see its README)
UTC = timezone.utc


def make_site(**changes) -> Site:
    """A fully configured site; keyword arguments replace fields."""
    values = dict(
        title="Quill Writes", url=SITE_URL, description="Essays on work and learning.",
        language="en", timezone=ZoneInfo("America/New_York"), tag_authority="blog.example.org",
        copyright="© 2018–2024 Jamie Quill",
        license="https://creativecommons.org/licenses/by/4.0/",
        icon="https://blog.example.org/icon.png", logo="https://blog.example.org/logo.png",
        owner="james", permalink="/{year}/{month}/{slug}/",
    )
    values.update(changes)
    return Site(**values)


def make_feeds(**changes) -> Feeds:
    """[feeds] with defaults; keyword arguments replace fields."""
    values = dict(
        output=Path("/nonexistent/feeds"), url=FEEDS_URL, formats=("rss", "atom", "json"),
        items=20, summary_only=False, per_tag=True, per_category=True, per_author=True, hubs=(),
    )
    values.update(changes)
    return Feeds(**values)


def make_author(key: str = "james", **changes) -> Author:
    """An author with a Markdown bio rendered the way config.load renders it."""
    values = dict(
        key=key, name="Jamie Quill", url="https://quill.example.com/",
        avatar="https://blog.example.org/avatars/james.jpg",
        bio="Jamie Quill restores old hand tools and *writes about it*. "
            "[More](/about/).",
    )
    values.update(changes)
    if values.get("bio") and "bio_html" not in changes:
        values["bio_html"], values["bio_text"] = render_bio(values["bio"], SITE_URL)
    return Author(**values)


JAMES = make_author()
ANA = make_author("ana", name="Ana Núñez", url="https://ana.example.net/",
                  email="ana@example.net", avatar=None, bio="Ana edits things.")
NOBIO = make_author("kim", name="Kim", url=None, avatar=None, bio=None)


def make_post(slug: str = "sharpening-daily", *, day: int = 14, **changes) -> Post:
    """A post published on 2018-05-<day>; keyword arguments replace fields."""
    published = datetime(2018, 5, day, 9, 30, tzinfo=UTC)
    values = dict(
        source=f"{slug}.md", id=f"tag:blog.example.org,2018-05-{day:02d}:{slug}", slug=slug,
        title="Sharpening Daily", url=f"{SITE_URL}2018/05/{slug}/",
        published=published, updated=published + timedelta(hours=2),
        body="If you think you have no time to sharpen, you are probably sharpening "
             "too rarely.\n\n<!--more-->\n\nA keen edge comes from small, daily "
             "work.[^1] See [the archive](/archive/).\n\n[^1]: A leather strop "
             "helps too.\n",
        body_format="markdown", authors=(JAMES,), tags=("sharpening", "tools"),
        categories=("Essays",),
    )
    values.update(changes)
    return Post(**values)


def rich_post(**changes) -> Post:
    """The example post as published: photo credit, influences, source, via, own license."""
    values = dict(
        image=Image(url="https://images.example.com/mirela.k-desk.jpg", alt="People at a desk",
                    credit=Credit(name="mirela.k", url="https://unsplash.example.com/@mirela.k",
                                  source="Unsplash", source_url="https://unsplash.example.com/"),
                    license="https://unsplash.example.com/license", type="image/jpeg"),
        influences=(Link("Ana Ferreira", "https://ferreira.example.net/", "on edges"),
                    Link("Otto Brenner"), Link("Ruth Okoye", "https://okoye.example.org/")),
        sources=(Link("Apprentice Notes", "https://apprentice-notes.example.org/blog/"),),
        via=Link("Hacker News", "https://news.example.com/item?id=1"),
        license="https://creativecommons.org/licenses/by-sa/4.0/",
    )
    values.update(changes)
    return make_post(**values)


def items(*posts: Post) -> list[tuple[Post, Body]]:
    """(post, rendered body) pairs, newest first as the build passes them."""
    ordered = sorted(posts, key=lambda p: p.published, reverse=True)
    return [(p, render_body(p)) for p in ordered]


SITE_SPEC = FeedSpec(kind="site", key="", title="Quill Writes", slug="")
TAG_SPEC = FeedSpec(kind="tag", key="café ☕", title="Quill Writes: café ☕",
                    slug="café-x")
AUTHOR_SPEC = FeedSpec(kind="author", key="james", title="Quill Writes: Jamie Quill",
                       slug="james", author=JAMES)


def sample_items() -> list[tuple[Post, Body]]:
    """Three posts: the rich one, a co-authored one, one with no authors (owner stands in)."""
    return items(
        rich_post(),
        make_post("two-hands", day=20, title="Two Hands & One <Voice>", authors=(JAMES, ANA),
                  tags=("café ☕", "writing"), categories=()),
        make_post("solo", day=2, title="Solo", authors=(), tags=(), categories=(),
                  body="Just one paragraph with a [link](../x/) and ![pic](/img/a.png)."),
    )


def schema_dir() -> Path:
    """The schemas carried in tests/schemas/ (RFC 4287's Atom grammar, a strict JSON Feed 1.1 schema)."""
    return SCHEMAS


# --- parsing and validation -------------------------------------------------------------------

NS = {
    "atom": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/", "media": "http://search.yahoo.com/mrss/",
    "cc": "http://backend.userland.com/creativeCommonsRssModule",
    "attr": "https://syndicator.dev/ns/attribution/1.0",
}


def xml(data: bytes):
    """Parse feed bytes with lxml (raises on any well-formedness error)."""
    from lxml import etree

    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


@functools.cache
def _atom_schema():
    from lxml import etree

    return etree.RelaxNG(etree.parse(str(SCHEMAS / "atom-rfc4287.rng")))


def assert_atom_valid(data: bytes) -> None:
    """RELAX NG validation against RFC 4287 Appendix B ."""
    schema_dir()
    schema = _atom_schema()
    assert schema.validate(xml(data).getroottree()), str(schema.error_log)


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _is_uri(value: object) -> bool:
    # RFC 3986: ASCII only, '%' only as an escape. jsonschema checks "uri" only when the
    # optional rfc3987 package is installed, so the tests bring their own check.
    return not isinstance(value, str) or (bool(_URI.match(value))
                                          and not re.search(r"%(?![0-9A-Fa-f]{2})", value))


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@functools.cache
def _json_validator():
    import jsonschema

    schema = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("uri")(_is_uri)
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=checker)


def assert_json_valid(data: bytes) -> dict:
    """JSON Feed 1.1 schema validation with URI and date-time formats checked; returns the doc."""
    doc = json.loads(data.decode("utf-8"))
    schema_dir()
    errors = sorted(_json_validator().iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    return doc


def parsed(data: bytes):
    """feedparser's view, asserting it found nothing malformed."""
    import feedparser

    result = feedparser.parse(data)
    assert result.bozo == 0, result.get("bozo_exception")
    return result
