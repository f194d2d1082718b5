"""Small shortcuts the post reader takes for speed (issue 12), each equal to the slow way it replaces."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndicator.config import load
from syndicator.errors import PostError
from syndicator.posts.fields import Fields
from syndicator.posts.frontmatter import Split
from syndicator.posts.ids import tag_specific
from syndicator.posts.media import image

_EXAMPLE = load(Path(__file__).parent.parent / "config.toml")  # the example site's config


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.from_regex(r"[a-z0-9-]{0,20}", fullmatch=True), st.text(max_size=12)))
@example("caf\u00e9-au-lait")
@example("K\u212a")  # a Kelvin sign: not ASCII, whatever a case-blind match would say
@example("a b/c?d#e%f")
def test_tag_specific_is_quote(slug: str) -> None:
    assert tag_specific(slug) == quote(slug, safe="-._~")


_URLS = st.one_of(st.sampled_from(["https://x.org/a.jpg", "/img/b.PNG?v=2", "c.webp#top", "javascript:alert(1)",
                                   " https://x.org/sp ace.gif ", "data:image/png;base64,AA", "//cdn.x.org/d",
                                   "../e.jpeg", "f"]), st.text(max_size=10))


@settings(max_examples=500, deadline=None)
@given(_URLS, st.sampled_from(["image", "cover", "featured_image"]), st.sampled_from(["", "hugo"]))
def test_an_image_url_reads_as_the_table_with_only_that_url(url: str, key: str, engine: str) -> None:
    """`image: URL` takes a shortcut; it must give what `image: {url: URL}` gives, warnings included."""

    def read(value):
        fields = _fields({key: value}, engine)
        try:
            return image(fields, fields.base), fields.warnings
        except PostError as exc:
            return exc.message, fields.warnings

    assert read(url) == read({"url": url})


def _fields(meta: dict, engine: str) -> Fields:
    """One post's fields for this front matter, read as `engine` reads it."""
    config = replace(_EXAMPLE, reading=replace(_EXAMPLE.reading, engine=engine))
    raw = "\n".join(f"{k}: x" for k in meta)
    return Fields(config, Split(meta=meta, body="", body_line=3, raw_meta=raw), "post.md")
