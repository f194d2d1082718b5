"""Repeated warnings are summarised by `build` and `check`; errors are always listed (issue 12)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO


def _run(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "syndicator", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def site_with_repeats(tmp_path):
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    shutil.copytree(REPO / "posts", tmp_path / "posts")
    for i in range(7):
        (tmp_path / "posts" / f"2025-11-{i + 1:02d}-extra-{i}.md").write_text(
            f"---\ntitle: Extra {i}\nxyzzy_mood: calm\n---\nBody {i}.\n")
    (tmp_path / "posts" / "2025-11-20-broken.md").write_text("---\ntitle: Broken\ndate: nope\n---\nx\n")
    return tmp_path


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_repeated_warning_lists_three_files_and_a_count(site_with_repeats, command):
    result = _run(command, cwd=site_with_repeats)
    lines = result.stderr.splitlines()
    listed = [line for line in lines if line.endswith("warning: unknown front matter key 'xyzzy_mood'")]
    assert len(listed) == 3
    assert ("warning: unknown front matter key 'xyzzy_mood': in 7 files, 4 more not listed "
            "(--verbose lists them all)") in lines
    assert any(line.startswith("posts/2025-11-20-broken.md:3: date:") for line in lines)  # errors in full
    assert "Traceback" not in result.stderr


def test_verbose_lists_every_file(site_with_repeats):
    result = _run("build", "--verbose", cwd=site_with_repeats)
    listed = [line for line in result.stderr.splitlines()
              if line.endswith("warning: unknown front matter key 'xyzzy_mood'")]
    assert sorted(listed) == [f"posts/2025-11-{i + 1:02d}-extra-{i}.md:3: warning: unknown front matter key "
                              "'xyzzy_mood'" for i in range(7)]
    assert "more not listed" not in result.stderr
