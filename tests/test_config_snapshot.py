"""The config kept in the quick stamp is the config config.load returns (build/config_snapshot.py)."""

from __future__ import annotations

import shutil
from types import MappingProxyType

import pytest

from syndicator.build.config_snapshot import dumps, loads
from syndicator.config import load
from tests.conftest import REPO
from tests.small_site import site_toml

ENDPOINTS = """
[crosspost]
template = "{title} {url}"

[[endpoints]]
name = "masto"
type = "mastodon"
instance = "https://masto.example"
token_env = "MASTO_TOKEN"

[[endpoints]]
name = "hook"
type = "webhook"
url = "https://hooks.example/in"
secret_env = "HOOK_SECRET"
"""


@pytest.mark.parametrize("which", ["project", "small site", "endpoints"])
def test_a_snapshot_loads_as_the_config_it_was_made_from(tmp_path, which):
    if which == "project":
        shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    else:
        text = site_toml(items=3, posts="posts") + (ENDPOINTS if which == "endpoints" else "")
        (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    config = load(tmp_path / "config.toml")
    again = loads(dumps(config))
    assert again == config and again is not config
    assert [type(e.options) for e in again.crosspost.endpoints] == [MappingProxyType] * len(config.crosspost.endpoints)
    if which == "endpoints":
        assert [e.name for e in again.crosspost.endpoints] == ["masto", "hook"]
