"""Shared pytest options and fixtures: `--update-golden`, a minimal site, a post writer."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite tests/golden/ from the current output instead of comparing.")


@pytest.fixture(scope="session", autouse=True)
def own_cache_folder(tmp_path_factory: pytest.TempPathFactory):
    """The tests, and the commands they run (which inherit the environment), keep syndicator's per-user cache
    (cli/method_code.py) in a folder of this session's, never in the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(folder))
    yield folder
    patch.undo()


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def schemas() -> Path:
    """The schemas carried in tests/schemas/ (see its README for source and licence)."""
    return REPO / "tests" / "schemas"


MINIMAL_CONFIG = """
[site]
title = "Test Site"
url = "https://test.example/"
timezone = "Europe/Berlin"
author = "ann"

[authors.ann]
name = "Ann Author"
url = "/about/ann/"
bio = "Ann writes *tests*."

[authors.bob]
name = "Bob Builder"
email = "bob@test.example"
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site folder with a minimal config.toml and an empty posts/; returns the config path."""
    (tmp_path / "posts").mkdir()
    config = tmp_path / "config.toml"
    config.write_text(MINIMAL_CONFIG, encoding="utf-8")
    return config


@pytest.fixture
def write_post(site: Path):
    """write_post(name, text) writes posts/name (dedented) and returns its path."""

    def write(name: str, text: str | bytes) -> Path:
        path = site.parent / "posts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write
