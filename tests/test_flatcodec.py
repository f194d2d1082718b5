"""The build cache's compact form of a Post (build/flatcodec.py) gives back exactly the Post pickling
gives back: equal, with the same types all the way down, the same time zones, fold and authors."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from syndicator.build import flatcodec
from syndicator.build.cache import dumps, loads
from syndicator.build.scan import load_posts
from syndicator.config import load
from syndicator.model import Author, Credit, Image, Link, Post, Syndication

CONFIG_AUTHORS = {"ada": Author(key="ada", name="Ada", bio="Writes *things*.", bio_html="<p>Writes</p>"),
                  "ben": Author(key="ben", name="Ben", url="https://b.example/")}
BLOGS = Path(__file__).parent / "fixtures" / "blogs"


class _Odd(tzinfo):
    """A tzinfo the compact form does not know: such a post must be pickled instead."""

    def utcoffset(self, dt):
        return timedelta(hours=1)

    def dst(self, dt):
        return timedelta(0)

    def tzname(self, dt):
        return "ODD"

    def __reduce__(self):
        return (_Odd, ())

    def __eq__(self, other):
        return isinstance(other, _Odd)

    __hash__ = tzinfo.__hash__


text = st.text(max_size=12)
maybe_text = st.none() | text
zones = st.sampled_from([None, timezone.utc, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30)),
                         timezone(timedelta(hours=2), "CEST"), timezone(timedelta(seconds=1, microseconds=5)),
                         ZoneInfo("Europe/Stockholm"), ZoneInfo("America/New_York"), ZoneInfo("UTC"),
                         ZoneInfo.no_cache("Europe/Stockholm"), _Odd()])
moments = st.builds(lambda dt, zone, fold: dt.replace(tzinfo=zone, fold=fold),
                    st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30)), zones,
                    st.integers(0, 1))
authors = st.sampled_from(list(CONFIG_AUTHORS.values())) | st.builds(
    Author, key=st.sampled_from(["ada", "zoe", "x"]), name=text, url=maybe_text, email=maybe_text,
    avatar=maybe_text, bio=maybe_text, bio_html=maybe_text, bio_text=maybe_text)
links = st.builds(Link, name=text, url=maybe_text, note=maybe_text)
images = st.none() | st.builds(Image, url=text, alt=text, license=maybe_text, type=maybe_text,
                               credit=st.none() | st.builds(Credit, name=text, url=maybe_text, source=maybe_text,
                                                            source_url=maybe_text))
names = st.lists(text, max_size=4).map(tuple)
syndication = st.builds(Syndication, enabled=st.booleans(), skip=names,
                        text=st.lists(st.tuples(text, text), max_size=2).map(tuple)) | st.just(Syndication())
posts = st.builds(
    Post, source=text, id=text, slug=text, title=text, url=text, published=moments, updated=moments,
    body=text, body_format=st.sampled_from(["markdown", "html", "mdx"]), summary=maybe_text,
    authors=st.lists(authors, max_size=3).map(tuple), tags=names, categories=names, image=images,
    influences=st.lists(links, max_size=3).map(tuple), sources=st.lists(links, max_size=2).map(tuple),
    via=st.none() | links, license=maybe_text, lang=maybe_text, draft=st.booleans(), canonical_url=maybe_text,
    syndicate=syndication, digest=text, expires=st.none() | moments)


def same(a, b) -> bool:
    """Equal, of the same types all the way down (a tuple is not a list), with the same zones and fold."""
    if type(a) is not type(b):
        return False
    if isinstance(a, datetime):
        return a == b and a.fold == b.fold and same_zone(a.tzinfo, b.tzinfo) and a.isoformat() == b.isoformat()
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if hasattr(a, "__dataclass_fields__"):
        return list(vars(a)) == list(vars(b)) and all(same(vars(a)[k], vars(b)[k]) for k in vars(a))
    return a == b


def same_zone(a, b) -> bool:
    if isinstance(a, ZoneInfo) or isinstance(b, ZoneInfo):
        return a is b or (type(a) is type(b) and a.key == b.key)
    return type(a) is type(b) and a == b and (a is None or a.tzname(None) == b.tzname(None))


@settings(max_examples=300, deadline=None)
@given(posts)
def test_every_post_comes_back_exactly_as_pickle_gives_it(post):
    data = dumps(post, CONFIG_AUTHORS)
    back = loads(data, CONFIG_AUTHORS)
    assert same(back, post)
    assert same(back, pickle.loads(pickle.dumps(post)))
    for mine, theirs in zip(back.authors, post.authors):  # the config's authors come back as themselves
        assert (mine is CONFIG_AUTHORS.get(mine.key)) == (theirs is CONFIG_AUTHORS.get(theirs.key))


@settings(max_examples=100, deadline=None)
@given(posts)
def test_zones_the_compact_form_cannot_carry_exactly_are_pickled(post):
    zones = [m.tzinfo for m in (post.published, post.updated, post.expires) if m is not None]
    odd = any(isinstance(z, _Odd) or (isinstance(z, ZoneInfo) and z is not ZoneInfo(z.key))
              or (type(z) is timezone and (z.tzname(None) == "CEST" or z.utcoffset(None).microseconds))
              for z in zones)
    assert (dumps(post, CONFIG_AUTHORS)[:1] == flatcodec.POST) == (not odd)


def test_a_missing_author_is_an_error_not_another_author():
    post = Post(source="a.md", id="i", slug="a", title="A", url="u", published=datetime(2020, 1, 1, tzinfo=timezone.utc),
                updated=datetime(2020, 1, 1, tzinfo=timezone.utc), body="", body_format="markdown",
                authors=(CONFIG_AUTHORS["ben"],))
    data = dumps(post, CONFIG_AUTHORS)
    assert data[:1] == flatcodec.POST
    with pytest.raises(KeyError):
        loads(data, {"ada": CONFIG_AUTHORS["ada"]})


@pytest.mark.parametrize("blog, engine", [("jekyll-news/_posts", "jekyll"), ("hugo-basic-example/content", "hugo"),
                                          ("eleventy-base-blog/content/blog", "eleventy"),
                                          ("astro-blog/src/content/blog", "astro")])
def test_real_blogs_posts_take_the_compact_form_and_come_back_equal(tmp_path, blog, engine):
    config = tmp_path / "syndicator.toml"
    config.write_text(f'[site]\ntitle = "T"\nurl = "https://example.org/"\nposts = "{BLOGS / blog}"\n\n'
                      f'[posts]\nengine = "{engine}"\n', encoding="utf-8")
    loaded = load(config)
    found = load_posts(loaded, cache=None).posts
    assert found
    for post in found:
        data = dumps(post, loaded.authors)
        assert data[:1] == flatcodec.POST
        assert same(loads(data, loaded.authors), post)


def test_the_cache_is_reset_when_the_program_code_changes(tmp_path, monkeypatch):
    from syndicator.build import cache as cache_module

    first = cache_module.Cache(tmp_path / "cache.sqlite", "fp", CONFIG_AUTHORS)
    first.put_feed_inputs({"feed.xml": ("inputs", "sig")})
    first.close()
    again = cache_module.Cache(tmp_path / "cache.sqlite", "fp", CONFIG_AUTHORS)
    assert again.feed_inputs() == {"feed.xml": ("inputs", "sig")}  # same code: kept
    again.close()
    monkeypatch.setattr(cache_module, "code_digest", lambda: "another reader")
    changed = cache_module.Cache(tmp_path / "cache.sqlite", "fp", CONFIG_AUTHORS)
    assert changed.feed_inputs() == {}


def test_the_code_digest_follows_the_source_files(tmp_path):
    import shutil
    import subprocess
    import sys

    import syndicator

    copy = tmp_path / "syndicator"
    shutil.copytree(Path(syndicator.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    run = [sys.executable, "-c", "from syndicator.build.cache import code_digest; print(code_digest())"]

    def digest() -> str:
        return subprocess.run(run, cwd=tmp_path, env={"PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"},
                              capture_output=True, text=True, check=True).stdout.strip()

    before = digest()
    assert before == digest()
    with open(copy / "posts" / "reader.py", "a", encoding="utf-8") as reader:
        reader.write("# a changed reader\n")
    assert digest() != before
