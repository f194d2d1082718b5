"""The fifth round's per-post shortcuts (issue 12) give what the code they replace gave: each is checked
against that code, kept here as the reference, on generated input."""

from __future__ import annotations

import pickle
import re
import posixpath
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from unittest import mock

import pytest
import xxhash
from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndicator.config import load
from syndicator.model import Author, Link
from syndicator.errors import PostError
from syndicator.posts import attribution, htmldoc, loader, markup, people, reader
from syndicator.posts.fields import Fields, _folded, dedupe
from syndicator.posts.frontmatter import Split
from syndicator.posts.loader import Stub, _stub
from syndicator.posts.problem import Problem

_CONFIG = load(Path(__file__).parent.parent / "config.toml")  # the example site's config: two authors


def _fields(meta: dict, *, kind: str = "yaml", config=_CONFIG) -> Fields:
    return Fields(config, Split(meta=meta, body="b", body_line=5, raw_meta="", kind=kind), "p.md")


# --- the post's path: two-digit strings for month and day, str() for a four-digit year ---

@settings(max_examples=2000, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
       st.sampled_from(["/{year}/{month}/{day}/{slug}/", "/{year}-{month}-{day}-{slug}.html", "/posts/{slug}/"]))
@example(datetime(999, 1, 2), "/{year}/{month}/{day}/{slug}/")
@example(datetime(1000, 12, 31), "/{year}/{month}/{day}/{slug}/")
def test_a_posts_path_is_formatted_as_before(when: datetime, permalink: str) -> None:
    site = replace(_CONFIG.site, permalink=permalink)
    config = replace(_CONFIG, site=site)
    fields = _fields({"title": "T", "date": when.replace(tzinfo=timezone.utc)}, config=config)
    if not 1000 <= when.year:  # outside the years a date may have: an error either way
        return
    post = reader._post(fields, "a-post.md", "d", False)
    path = permalink.format(year=f"{when.year:04d}", month=f"{when.month:02d}", day=f"{when.day:02d}",
                            slug="a-post", folder="")
    assert post.url == _CONFIG.site.url.rstrip("/") + path


def test_a_jekyll_posts_path_in_a_year_before_1000_has_four_digits() -> None:
    """Jekyll fills the path in the site's zone: a date early on 1000-01-01 in UTC is in 999 there."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Los_Angeles")
    site = replace(_CONFIG.site, permalink="/{year}/{month}/{day}/{slug}/", timezone=zone)
    config = replace(_CONFIG, site=site, reading=replace(_CONFIG.reading, engine="jekyll"))
    when = datetime(1000, 1, 1, 3, 0, tzinfo=timezone.utc)
    post = reader._post(_fields({"title": "T", "date": when}, config=config), "a-post.md", "d", False)
    local = when.astimezone(zone)
    assert local.year == 999 and f"/0999/{local.month:02d}/{local.day:02d}/a-post/" in post.url


def test_the_two_digit_strings_are_the_formatting() -> None:
    assert reader._TWO_DIGITS == tuple(f"{n:02d}" for n in range(32))


# --- names, authors, influences ---

def _dedupe_before(names: list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for name in names:
        folded = _folded(name)
        if folded:
            seen.setdefault(folded, None)
    return tuple(seen)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "a ", " a", "a  b", "", " ", "Café", "b\tc", "x\u3000y"]), max_size=5))
def test_names_are_deduplicated_as_before(names: list[str]) -> None:
    assert dedupe(list(names)) == _dedupe_before(names)
    assert dedupe(list(names)) is dedupe(list(names)) or not names  # once per distinct list: shared


def _authors_before(fields: Fields) -> tuple[Author, ...]:
    """people.authors for a string value, as its loop over entries found them."""
    key, value = fields.first("authors")
    entries = fields.names(key, value) if fields.parts.kind in ("header", "htmlpage") else [value]
    found: dict[str, Author] = {}
    for entry in entries:
        author = people._author(fields, key, entry)
        if author is not None:
            found.setdefault(author.key, author)
    return tuple(found.values())


@settings(max_examples=2000, deadline=None)
@given(st.sampled_from(["author", "authors", "Author"]),
       st.sampled_from(["maya", "Maya", "MAYA", "Maya Okafor", "  maya  ", "tomas", "Tomás Lindqvist", "Someone Else",
                        "a, b", "maya; tomas", " ", "\t", "x  y", "ß", "SS"]),
       st.sampled_from(["yaml", "toml", "header", "htmlpage", "rst"]))
def test_a_lone_author_name_is_found_as_before(key: str, value: str, kind: str) -> None:
    fields = _fields({"title": "T", key: value}, kind=kind)
    assert people.authors(fields) == _authors_before(fields)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(["Ada Lovelace", "Richard Feynman", "", "x"]), max_size=4),
                 st.lists(st.sampled_from(["Ada", 3, True, None]), min_size=1, max_size=3)))
def test_a_list_of_influence_names_is_read_as_before(value: list) -> None:
    fields = _fields({"title": "T", "influences": value})
    if all(type(v) is str for v in value):
        assert attribution.links(fields, "influences", "name") == tuple(Link(name=v) for v in value)
        assert attribution.links(fields, "influences", "name") is attribution.links(fields, "influences", "name")
    else:  # the loop decides, and its error stays
        with pytest.raises(PostError, match="each entry must be a name or a table with name and url"):
            attribution.links(fields, "influences", "name")


# --- stubs and problems ---

_AUTHORS = tuple(_CONFIG.authors.values())


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_AUTHORS + (Author(key="x", name="X"),)), max_size=3),
       st.one_of(st.none(), st.floats(0, 2e9)))
def test_a_stub_is_what_its_constructor_makes_and_shares_its_authors(authors: list, expires) -> None:
    post, _ = reader.read(_CONFIG, "a-post.md", b'---\ntitle: "T"\ndate: 2021-03-03\n---\nB\n', display="a-post.md")
    post = replace(post, authors=tuple(authors), expires=None if expires is None else
                   datetime.fromtimestamp(expires, timezone(timedelta(hours=2))))
    stub = Stub.of(post)
    assert type(stub) is Stub and stub == Stub(post.source, post.id, post.url, post.slug, post.published.timestamp(),
                                              post.draft, post.tags, post.categories, post.authors, post.digest,
                                              post.expires.timestamp() if post.expires else None)
    again = _stub(*tuple(stub))
    assert type(again) is Stub and again == stub
    assert _stub(*tuple(stub)).authors is again.authors  # one tuple for these authors, kept once
    assert loader._kept_authors(tuple(map(id, again.authors))) == [again.authors]
    copy = tuple(replace(a) for a in authors)  # equal authors, other objects: kept as they are
    assert all(x is y for x, y in zip(_stub(*tuple(stub._replace(authors=copy))).authors, copy))
    assert pickle.loads(pickle.dumps(stub, pickle.HIGHEST_PROTOCOL)) == stub


def test_a_stub_whose_authors_are_not_a_tuple_keeps_them() -> None:
    row = ("a.md", "i", "u", "s", 1.0, False, ("t",), ("c",), [_AUTHORS[0]], "d", None)
    assert _stub(*row).authors == [_AUTHORS[0]]


@given(st.text(max_size=5), st.integers(0, 9), st.text(max_size=5), st.sampled_from(["error", "warning"]))
def test_a_problem_pickles_back_as_itself(path: str, line: int, message: str, severity: str) -> None:
    problem = Problem(path, line, message, severity)
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps([problem, problem], protocol))
        assert type(back[0]) is Problem and back == [problem, problem] and back[0] is back[1]


def test_a_problem_pickled_the_earlier_way_still_loads() -> None:
    problem = Problem("a.md", 3, "m", "warning")
    with mock.patch.object(Problem, "__reduce__", object.__reduce__):  # as before: NEWOBJ, its own __new__
        old = pickle.dumps(problem, pickle.HIGHEST_PROTOCOL)
    assert old != pickle.dumps(problem, pickle.HIGHEST_PROTOCOL)
    back = pickle.loads(old)
    assert type(back) is Problem and back == problem


# --- reading: the digest, and a .md file's reader ---

@given(st.binary(max_size=64))
def test_the_one_call_digest_is_the_hashers(data: bytes) -> None:
    assert xxhash.xxh3_128_hexdigest(data) == xxhash.xxh3_128(data).hexdigest()


def _split_before(text: str, relpath: str, engine: str) -> object:
    """markup.split_post as it was: the suffix by splitext first."""
    suffix = posixpath.splitext(relpath)[1].lower()
    if engine == "pelican" and suffix in markup._MARKDOWN:
        return markup.mdmeta.split_meta(text, relpath, limits=markup.DEFAULT_LIMITS)
    if suffix == ".rst":
        return markup._split_rst(text, relpath)
    if suffix in (".html", ".htm") and htmldoc.is_document(text):
        return "an HTML page"
    return markup.split(text, relpath)


def _outcome(read) -> object:
    try:
        return read()
    except Exception as exc:  # noqa: BLE001 - the same error either way
        return type(exc), str(exc)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["a.md", ".md", "x/.md", "a.MD", "a.Md", "a.md.md", "b.markdown", "c.html", "d.rst", "e.htm",
                        "f.mdx", "g.txt"]),
       st.sampled_from(["", "hugo", "jekyll", "pelican"]),
       st.sampled_from(['---\ntitle: "T"\ndate: 2021-03-03\n---\nB\n', "Title: T\nDate: 2021-03-03\n\nB\n"]))
def test_a_markdown_file_is_split_as_before(relpath: str, engine: str, text: str) -> None:
    """split_post takes a `.md` file of any engine but Pelican to front matter at once; before, it did
    so after splitext found it was neither reST nor an HTML page (nor Pelican's Markdown)."""
    before = _outcome(lambda: _split_before(text, relpath, engine))
    if before != "an HTML page":
        assert _outcome(lambda: markup.split_post(text, relpath, relpath, engine=engine)) == before


# --- a date with its offset: checked as dates.parse checks it, without the call ---

@settings(max_examples=1500, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
       st.sampled_from([None, timezone.utc, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))]))
@example(datetime(1000, 1, 1, 1), timezone(timedelta(hours=2)))  # 999 in UTC: an error
@example(datetime(999, 12, 31, 23), timezone(timedelta(hours=-2)))  # 1000 in UTC, 999 as written: an error
def test_a_date_is_checked_as_dates_parse_checks_it(when: datetime, zone) -> None:
    from syndicator.posts import dates

    fields = _fields({"title": "T", "date": when.replace(tzinfo=zone)})
    value = when.replace(tzinfo=zone)
    try:
        expected = dates.parse(value, _CONFIG.site.timezone)
    except ValueError as exc:
        with pytest.raises(PostError, match=re.escape(str(exc))):
            fields.when("date", value)
        return
    got = fields.when("date", value)
    assert got == expected and got.tzinfo is expected.tzinfo
