"""A plain `syndicator build` with nothing changed is answered from the quick stamp, exactly as the full
command answers it, and only then (issue 12).

`syndicator --config config.toml build` never takes the quick path (only the bare command line
does), so it is the full command to compare with.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from syndicator.build import stamp
from syndicator.build.stamp import STAMP, STATE_DIR
from syndicator.config import load
from tests.conftest import REPO


def _run(*args, cwd, verbose=False):
    flags = ["-v"] if verbose else []  # -v names every module as it is imported
    return subprocess.run([sys.executable, *flags, "-m", "syndicator", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def _quick(cwd):
    """`syndicator build` (its stdout and status; stderr holds -v's lines) and whether it was answered
    before the config and click were imported."""
    result = _run("build", cwd=cwd, verbose=True)
    imported = {line.split("'")[1] for line in result.stderr.splitlines() if line.startswith("import '")}
    return result, "syndicator.config" not in imported and "click" not in imported and "syndicator" in imported


def _plain_and_quick(cwd):
    """`syndicator build` with nothing changed, as run (stderr intact), having checked it takes the quick path."""
    assert _quick(cwd)[1]
    return _run("build", cwd=cwd)


def _age(folder, seconds=10):
    """Date every file back, as files saved well before the build (coarse timestamps are another test)."""
    for path in folder.rglob("*"):
        if path.is_file():
            stamp = path.stat().st_mtime_ns - seconds * 10**9
            os.utime(path, ns=(stamp, stamp))


@pytest.fixture
def example(tmp_path):
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    shutil.copytree(REPO / "posts", tmp_path / "posts")
    for i in range(5):
        (tmp_path / "posts" / f"2025-11-{i + 1:02d}-extra-{i}.md").write_text(
            f"---\ntitle: Extra {i}\nxyzzy_mood: calm\n---\nBody {i}.\n")
    _age(tmp_path)
    return tmp_path


def _same(quick, full):
    assert (quick.stdout, quick.stderr, quick.returncode) == (full.stdout, full.stderr, full.returncode)


def test_nothing_changed_is_answered_quickly_with_the_full_commands_lines_and_status(example):
    first = _run("build", cwd=example)
    assert first.returncode == 0 and "feeds: 56 written" in first.stdout
    quick = _plain_and_quick(example)
    full = _run("--config", "config.toml", "build", cwd=example)
    assert "feeds: 0 written, 56 unchanged, 0 removed" in quick.stdout
    assert "(next due 2098-12-31T23:00:00+00:00)" in quick.stdout and "2 more not listed" in quick.stderr
    _same(quick, full)


def test_a_rejected_post_fails_the_quick_answer_too(example):
    (example / "posts" / "2025-12-01-broken.md").write_text("---\ntitle: x\ndate: not-a-date\n---\n")
    _age(example / "posts")
    assert _run("build", cwd=example).returncode == 1
    quick = _plain_and_quick(example)
    assert quick.returncode == 1 and "not a date" in quick.stderr
    _same(quick, _run("--config", "config.toml", "build", cwd=example))


@pytest.mark.parametrize("change", ["edit", "add", "remove", "config", "output", "output-gone", "cache-gone",
                                    "stamp-damaged"])
def test_any_change_is_no_quick_answer_and_the_full_command_builds(example, change):
    assert _run("build", cwd=example).returncode == 0
    posts, feeds, state = example / "posts", example / "feeds", example / STATE_DIR
    if change == "edit":
        with open(posts / "2025-11-01-extra-0.md", "a") as handle:
            handle.write("Edited.\n")
        os.utime(posts / "2025-11-01-extra-0.md", ns=(10**18, 10**18))  # not too recent to trust, yet changed
    elif change == "add":
        (posts / "2025-11-09-new.md").write_text("---\ntitle: New one\ndate: 2025-11-09\n---\nNew.\n")
        _age(posts)
    elif change == "remove":
        (posts / "2025-11-02-extra-1.md").unlink()
    elif change == "config":
        config = example / "config.toml"
        config.write_text(config.read_text().replace('title = "', 'title = "Renamed ', 1))
    elif change == "output":
        (feeds / "rss.xml").write_text("<rss/>")
    elif change == "output-gone":
        (feeds / "rss.xml").unlink()
    elif change == "cache-gone":
        (state / "cache.sqlite").unlink()
    else:
        (state / STAMP).write_bytes(b"not a pickle")
    result, fast = _quick(example)
    assert not fast, change  # (a change below the posts or output folders is built by the quick path
    # after the walk, which loads the config: tests/test_quick_edit.py compares its lines with the full command's)
    assert result.returncode == 0
    if change in ("edit", "add", "remove", "config", "output", "output-gone"):
        assert "feeds: 0 written" not in result.stdout, change  # built: the quick answer would have been wrong
    again = _plain_and_quick(example)  # the build left a stamp again
    assert "feeds: 0 written" in again.stdout
    _same(again, _run("--config", "config.toml", "build", cwd=example))


def test_a_full_answer_from_the_record_leaves_the_missing_stamp(example):
    assert _run("build", cwd=example).returncode == 0
    (example / STATE_DIR / STAMP).unlink()
    assert "feeds: 0 written" in _run("--config", "config.toml", "build", cwd=example).stdout
    assert (example / STATE_DIR / STAMP).is_file() and _quick(example)[1]


@pytest.mark.parametrize(("old", "new"), [("[feeds]\n", '[feeds]\nhubs = ["https://hub.example/"]\n'),
                                          ('state_dir = ".syndicator"', 'state_dir = ".elsewhere"')])
def test_no_stamp_where_the_quick_answer_would_not_be_the_full_one(example, old, new):
    config = example / "config.toml"
    assert old in config.read_text()
    config.write_text(config.read_text().replace(old, new, 1))
    _age(example)
    first = _run("build", cwd=example)
    assert first.returncode == 0, first.stderr
    assert not (example / STATE_DIR / STAMP).exists() and not (example / ".elsewhere" / STAMP).exists()
    assert not _quick(example)[1]


def test_the_stamp_is_looked_for_in_the_state_folder_the_config_defaults_to(site):
    assert "state_dir" not in site.read_text() and load(site).state_dir == site.parent / STATE_DIR


def test_options_and_other_commands_take_the_full_path(example):
    assert _run("build", cwd=example).returncode == 0
    for args in (["build", "-v"], ["build", "--no-cache"], ["check"]):
        result = _run(*args, cwd=example, verbose=True)
        assert "import 'click'" in result.stderr, args


def test_a_stamp_left_by_another_copy_of_the_program_is_no_answer(example, monkeypatch):
    assert _run("build", cwd=example).returncode == 0
    config = os.path.realpath(example / "config.toml")
    assert stamp.answer(config, now=time.time()) is not None
    monkeypatch.setattr(stamp, "code_digest", lambda: "another copy")
    assert stamp.answer(config, now=time.time()) is None


def test_after_an_upgrade_the_build_follows_the_new_code(example, tmp_path):
    """A change in any source file (here the feeds' generator) starts the cache afresh: the stamp left by
    the old copy answers nothing, and the feeds are written by the new one."""
    import syndicator

    copy = tmp_path / "program"
    shutil.copytree(os.path.dirname(syndicator.__file__), copy / "syndicator",
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(copy)}

    def build():
        return subprocess.run([sys.executable, "-m", "syndicator", "build"], cwd=example, capture_output=True,
                              text=True, timeout=120, env=env)

    assert build().returncode == 0 and build().returncode == 0  # the second one answered from the stamp
    rss = copy / "syndicator" / "render" / "rss.py"
    rss.write_text(rss.read_text().replace('"generator", "syndicator"', '"generator", "syndicator 2"'))
    upgraded = build()
    assert upgraded.returncode == 0, upgraded.stderr
    assert b"<generator>syndicator 2</generator>" in (example / "feeds" / "rss.xml").read_bytes()
