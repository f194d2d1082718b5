"""The pure parts of feed sources: normalised links, identity, [[sources]] settings, parsing."""

from __future__ import annotations

from pathlib import Path

import pytest
from crosspost_helpers import write_config
from sources_helpers import config_with_sources

from syndicator.config import load
from syndicator.errors import ConfigError, SourceError
from syndicator.sources.identity import assign_keys, identity, normalise_link
from syndicator.sources.parse import parse_feed


@pytest.mark.parametrize("a, b", [
    ("http://blog.example/a/", "https://www.blog.example/a"),
    ("https://Blog.Example/a/?utm_source=rss&utm_medium=feed", "https://blog.example/a"),
    ("https://blog.example/a#comments", "https://blog.example/a/"),
    ("https://blog.example/?p=12&fbclid=x", "http://blog.example/?p=12"),
])
def test_links_that_name_the_same_page_normalise_alike(a: str, b: str) -> None:
    assert normalise_link(a) == normalise_link(b)


@pytest.mark.parametrize("a, b", [
    ("https://blog.example/?p=12", "https://blog.example/?p=13"),
    ("https://blog.example/a", "https://blog.example/b"),
    ("https://blog.example:8443/a", "https://blog.example/a"),
    ("https://other.example/a", "https://blog.example/a"),
])
def test_links_to_different_pages_stay_apart(a: str, b: str) -> None:
    assert normalise_link(a) != normalise_link(b)


def test_identity_falls_back_from_id_to_link_to_title_and_date() -> None:
    assert identity(source="s", entry_id=" g1 ", link="https://x/1", title="t", date="d") == "g1"
    assert identity(source="s", entry_id=None, link="https://x/1", title="t", date="d") == "https://x/1"
    hashed = identity(source="s", entry_id="", link=None, title="t", date="d")
    assert hashed.startswith("urn:syndicator:s:")
    assert hashed == identity(source="s", entry_id=None, link="", title="t", date="d")
    assert hashed != identity(source="s", entry_id=None, link=None, title="t", date="e")


def test_assign_keys_sees_the_whole_feed() -> None:
    keys = assign_keys([("dup", "https://x/a", "A", "d"), ("dup", "https://x/b", "B", "d"),
                        (None, "https://x/", "C", "d1"), (None, "https://x/", "D", "d2"),
                        ("ok", "https://x/e", "E", "d")], source="s", home="https://x/")
    assert keys[:2] == ["https://x/a", "https://x/b"]
    assert keys[2].startswith("urn:syndicator:s:") and keys[2] != keys[3]
    assert keys[4] == "ok"


@pytest.mark.parametrize("table, message", [
    ({"name": "a b", "url": "https://x/f"}, "name must be letters"),
    ({"name": "a", "url": "ftp://x/f"}, "url must be an http:// or https:// address"),
    ({"name": "a", "url": "https://x/f", "every": "10s"}, "every must be at least 1m"),
    ({"name": "a", "url": "https://x/f", "endpoints": ["masto"]}, "no endpoint named 'masto'"),
    ({"name": "a", "url": "https://x/f", "evrey": "1h"}, "unknown key 'evrey' (did you mean 'every'?)"),
    ({"url": "https://x/f"}, "name is required"),
])
def test_sources_config_errors_name_the_table_and_key(tmp_path: Path, table: dict, message: str) -> None:
    path = config_with_sources(tmp_path, sources=[table])
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert message in str(caught.value) and "config.toml: [[sources]]" in str(caught.value)


def test_duplicate_source_names_are_refused(tmp_path: Path) -> None:
    path = config_with_sources(tmp_path, sources=[{"name": "a", "url": "https://x/1"},
                                                  {"name": "a", "url": "https://x/2"}])
    with pytest.raises(ConfigError, match="name 'a' is used twice"):
        load(path)


def test_sources_default_to_every_enabled_endpoint(tmp_path: Path) -> None:
    path = config_with_sources(tmp_path, sources=[{"name": "a", "url": "https://x/f", "max_age": "2d"}],
                               endpoints=[{"name": "h", "type": "webhook", "url": "http://127.0.0.1:9/",
                                           "secret_env": "X"},
                                          {"name": "off", "type": "webhook", "url": "http://127.0.0.1:9/",
                                           "secret_env": "X", "enabled": False}])
    config = load(path)
    (source,) = config.sources
    assert source.every.total_seconds() == 900 and source.hold_over == 5
    targets = source.targets(config.crosspost)
    assert [t.name for t in targets] == ["h"] and targets[0].max_age.days == 2
    assert write_config  # the plain helper still writes configs without sources


@pytest.mark.parametrize("data, words", [
    (b"", "empty response"),
    (b"\xef\xbb\xbf  \n", "empty response"),
    (b"[1, 2]", "not a JSON Feed"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}', "without an items list"),
    (b'{"version": "https://jsonfeed.org/version/1", "items": []' + b"]" * 1, "truncated or malformed JSON"),
    ('{"version": "https://jsonfeed.org/version/1.1", "items": [], "title": "é"}'.encode("latin-1"),
     "wrong encoding"),
    (b"[" * 100000 + b"]" * 100000, "JSON nested too deeply"),
])
def test_bad_json_bytes_are_one_clear_error(data: bytes, words: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse_feed(data, where="blog")
    assert words in str(caught.value) and str(caught.value).startswith("blog: ")
