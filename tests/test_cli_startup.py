"""The command line loads only what its command needs, and `build` leaves quickly with the same status (issue 12)."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys

import click
import pytest

from syndicator.cli import main
from syndicator.cli.app import COMMAND_MODULES
from syndicator.cli.script import command_name
from tests.conftest import REPO


def test_each_command_is_defined_by_the_module_the_group_loads_it_from():
    for module in set(COMMAND_MODULES.values()):
        importlib.import_module(f"syndicator.cli.{module}")
    assert set(main.commands) == set(COMMAND_MODULES)
    for name, command in main.commands.items():
        assert command.callback.__module__ == f"syndicator.cli.{COMMAND_MODULES[name]}", name
    assert main.list_commands(click.Context(main)) == sorted(COMMAND_MODULES)


@pytest.mark.parametrize(("args", "name"), [
    (["build"], "build"), (["--config", "x.toml", "build", "-v"], "build"), (["--config=x.toml", "check"], "check"),
    (["--config", "build", "run"], "run"), (["--version"], None), ([], None), (["--", "build"], "build"),
    (["-h"], None), (["serve", "build"], "serve"),
])
def test_the_command_name_is_the_first_word_that_is_no_option_or_option_value(args, name):
    assert command_name(args) == name


def _run(*args, cwd, verbose=False):
    flags = ["-v"] if verbose else []  # -v names every module as it is imported ("import 'name' # loader")
    return subprocess.run([sys.executable, *flags, "-m", "syndicator", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def example(tmp_path):
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    shutil.copytree(REPO / "posts", tmp_path / "posts")
    return tmp_path


def _imported(stderr: str) -> set[str]:
    return {line.split("'")[1] for line in stderr.splitlines() if line.startswith("import '")}


def test_a_build_with_nothing_changed_imports_neither_other_commands_nor_the_post_reader(example):
    first = _run("build", cwd=example)
    assert first.returncode == 0, first.stderr
    again = _run("--config", "config.toml", "build", cwd=example, verbose=True)  # the full command (test_quick_build)
    assert again.returncode == 0 and "feeds: 0 written" in again.stdout
    imported = _imported(again.stderr)
    assert "syndicator.cli.build" in imported and "syndicator.build.entry" in imported  # the list is real
    never = {"syndicator.cli.crosspost", "syndicator.cli.daemon", "syndicator.cli.sources", "syndicator.cli.init",
             "syndicator.cli.importer", "syndicator.build.pipeline", "syndicator.posts.reader", "yaml", "requests",
             "watchdog", "lxml", "feedparser", "syndicator.crosspost", "syndicator.daemon", "syndicator.server",
             "syndicator.posts.content", "syndicator.posts.templates"}
    assert not never & imported, never & imported


def test_a_quick_exit_keeps_every_line_and_the_failure_status(example):
    (example / "posts" / "2025-12-01-broken.md").write_bytes(b"---\ntitle: x\ndate: not-a-date\n---\n")
    for _ in range(2):  # a full build, then one answered from its record: both say so and fail
        result = _run("build", cwd=example)
        assert result.returncode == 1
        assert "posts/2025-12-01-broken.md:3: date: 'not-a-date' is not a date" in result.stderr
        assert result.stdout.splitlines()[-2].startswith("posts: 8 read, 5 published")
        assert "1 rejected" in result.stdout and result.stdout.endswith("\n")
