"""Small shortcuts the post reader takes for speed (issue 12), each equal to the slow way it replaces."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndicator.posts.ids import tag_specific


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.from_regex(r"[a-z0-9-]{0,20}", fullmatch=True), st.text(max_size=12)))
@example("caf\u00e9-au-lait")
@example("K\u212a")  # a Kelvin sign: not ASCII, whatever a case-blind match would say
@example("a b/c?d#e%f")
def test_tag_specific_is_quote(slug: str) -> None:
    assert tag_specific(slug) == quote(slug, safe="-._~")
