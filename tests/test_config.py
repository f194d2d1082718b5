"""config.toml: every error names the file and the key path; unknown keys get a suggestion."""

from __future__ import annotations

import pytest

from syndicator.config import load
from syndicator.errors import ConfigError
from tests.conftest import MINIMAL_CONFIG


def _error(tmp_path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load(path)
    return str(info.value)


def test_example_config_loads(site):
    config = load(site)
    assert config.site.url == "https://test.example/"
    assert config.posts_dir == site.parent / "posts"
    assert config.feeds.output == site.parent / "feeds"
    assert config.feeds.url == "https://test.example/feeds/"
    assert config.authors["ann"].url == "https://test.example/about/ann/"
    assert config.feeds.items == 20 and config.feeds.formats == ("rss", "atom", "json")


@pytest.mark.parametrize("text, message", [
    (MINIMAL_CONFIG + "\n[authors.james]\nname = 'J'\nbio = 3\n",
     "config.toml: [authors.james] bio must be a string"),
    (MINIMAL_CONFIG.replace("title =", "titel ="),
     "config.toml: [site] unknown key 'titel' (did you mean 'title'?)"),
    (MINIMAL_CONFIG + "\n[feed]\nitems = 3\n",
     "config.toml: unknown section [feed] (did you mean 'feeds'?)"),
    (MINIMAL_CONFIG + "\n[feeds]\nformats = ['rss', 'atome']\n",
     "config.toml: [feeds] formats: unknown format 'atome' (did you mean 'atom'?)"),
    (MINIMAL_CONFIG.replace('"Europe/Berlin"', '"Mars/Olympus"'),
     "config.toml: [site] timezone 'Mars/Olympus' is not a known time zone"),
    (MINIMAL_CONFIG.replace('author = "ann"', 'author = "anne"'),
     "config.toml: [site] author 'anne' is not in [authors] (did you mean 'ann'?)"),
    ("[site]\ntitle = 'x'\n", "config.toml: [site] url is required"),
    ("[site\n", "config.toml: invalid TOML"),
    (MINIMAL_CONFIG + "\n[daemon]\ncrosspost_every = 'soon'\n",
     'config.toml: [daemon] crosspost_every must be a duration like "15m"'),
])
def test_config_errors_name_file_and_key(tmp_path, text, message):
    assert message in _error(tmp_path, text)


def test_relative_paths_resolve_beside_the_config(tmp_path):
    nested = tmp_path / "site"
    nested.mkdir()
    (nested / "config.toml").write_text(MINIMAL_CONFIG + "\n[feeds]\noutput = 'public/feeds'\n")
    config = load(nested / "config.toml")
    assert config.feeds.output == nested / "public" / "feeds"
    assert config.feeds.url == "https://test.example/public/feeds/"


def test_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config"):
        load(tmp_path / "nope.toml")
