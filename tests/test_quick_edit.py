"""A plain `syndicator build` after post files changed is built before click loads, with the quick
stamp's walk (build/quick_edit.py), printing what the full command prints and leaving what it
leaves (issue 12).

Two copies of one site get the same history: one is built with the bare command (which may take
the quick path), the other with `syndicator --config config.toml build` (never quick: the full
command). Their lines, exit statuses and feed files must be the same.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from syndicator.build import build, stamp
from syndicator.build.problem_lines import problem_lines
from syndicator.build.quick_edit import edit_lines
from tests.incremental_steps import POSTS, STEPS, replay
from tests.small_site import site_toml

CONFIG = site_toml(items=2, title="Quick Site", url="https://quick.example/", posts="posts")
OLD = 10**18  # 2001-09-09: long before any build, so never too recent to trust


def _post(day: int, *, tag: str = "red", author: str = "ann", extra: str = "", date: str | None = None) -> str:
    when = date or f"2026-01-{day:02d}T10:00:00Z"
    return (f"---\ntitle: Post {day}\ndate: {when}\ntags: [{tag}]\ncategories: [c{day % 2}]\nauthor: {author}\n"
            f"{extra}---\nBody of post {day}.\n")


def _site(path):
    """A site of 8 posts (days 1-8; items = 2, so the oldest are in no feed's shown items), built twice."""
    (path / "posts").mkdir(parents=True)
    (path / "config.toml").write_text(CONFIG, encoding="utf-8")
    for day in range(1, 9):
        (path / "posts" / f"p{day}.md").write_text(_post(day, tag="red" if day % 3 else "blue",
                                                         extra="mood: calm\n" if day == 4 else ""))
    for file in (path / "posts").iterdir():
        os.utime(file, ns=(OLD, OLD))
    assert _run("build", cwd=path).returncode == 0
    return path


def _run(*args, cwd, imports=False):
    flags = ["-X", "importtime"] if imports else []  # a line on stderr per module imported
    return subprocess.run([sys.executable, *flags, "-m", "syndicator", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def _bare(cwd):
    """The bare `syndicator build`: stdout, stderr (less -X importtime's lines), status, and the modules imported."""
    result = _run("build", cwd=cwd, imports=True)
    lines = result.stderr.splitlines(keepends=True)
    imported = {line.rpartition("|")[2].strip() for line in lines if line.startswith("import time:")}
    return result.stdout, "".join(line for line in lines if not line.startswith("import time:")), \
        result.returncode, imported


def _lines(result, site):
    """stdout, stderr and status with the site's own folder named alike in both copies."""
    return result[0].replace(str(site), "SITE"), result[1].replace(str(site), "SITE"), result[2]


def _working_in(folder):
    """The processes whose working folder is `folder` (a helper left running would be one)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and os.readlink(proc / "cwd") == str(folder):
                found.append(proc.name)
        except OSError:
            continue
    return found


def _tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _change(site, change):
    """Make the change in the site's posts; the files it writes dated alike in every copy (and not too recent)."""
    posts = site / "posts"
    before = {p.name: p.stat().st_mtime_ns for p in posts.iterdir()}
    if change == "append":  # what bench/race.sh does, to a post no feed shows
        with open(posts / "p2.md", "a", encoding="utf-8") as handle:
            handle.write("Edited line.\n")
    elif change == "warning":
        (posts / "p2.md").write_text(_post(2, extra="image_credit: someone\n"))
    elif change == "warning-gone":
        (posts / "p4.md").write_text(_post(4, tag="red"))
    elif change == "rejected":
        (posts / "p1.md").write_text(_post(1, date="the day after tomorrow"))
    elif change == "delete":
        (posts / "p1.md").unlink()
    elif change == "rename":
        (posts / "p2.md").rename(posts / "p2-renamed.md")
    elif change == "newest":  # the post every feed it is in shows first
        with open(posts / "p8.md", "a", encoding="utf-8") as handle:
            handle.write("Edited line.\n")
    elif change == "enters":  # an old post dated anew: now the newest
        (posts / "p1.md").write_text(_post(1, date="2026-01-09T10:00:00Z"))
    elif change == "tag-feed":  # an old post joins a feed of its own, which then shows it
        (posts / "p1.md").write_text(_post(1, tag="green"))
    for file in posts.iterdir():
        if before.get(file.name) != file.stat().st_mtime_ns:
            os.utime(file, ns=(OLD + 10**9, OLD + 10**9))


# modules a Markdown post of a site without an engine never needs (HTML pages, Pelican, Hugo, Jekyll), nor a
# build that renders nothing, nor dataclasses for classes with docstrings (inspect's ast): an edit does without
# them (issue 12)
_NOT_NEEDED = {"html.parser", "mimetypes", "syndicator.posts.htmldoc", "syndicator.posts.pelican_rules",
               "syndicator.posts.cascade", "syndicator.posts.typography", "syndicator.render", "ast"}
QUICK = ["append", "warning", "warning-gone", "rejected", "delete", "rename"]
RENDERS = ["newest", "enters", "tag-feed"]


@pytest.mark.parametrize("change", QUICK + RENDERS)
def test_an_edit_is_answered_as_the_full_command_answers_it(tmp_path, change):
    quick, full = _site(tmp_path / "quick"), _site(tmp_path / "full")
    for site in (quick, full):
        _change(site, change)
    answered = _bare(quick)
    imported = answered[3]
    expected = _run("--config", "config.toml", "build", cwd=full)
    assert _lines(answered, quick) == _lines((expected.stdout, expected.stderr, expected.returncode), full)
    assert "click" not in imported, change  # built before the command line loaded
    assert "syndicator.config" in imported  # the stamp held but for the posts: built here
    if change in QUICK:
        assert "feeds: 0 written" in answered[0]
        assert not imported & _NOT_NEEDED, change
    else:
        assert "feeds: 0 written" not in answered[0]
    assert _tree(quick / "feeds") == _tree(full / "feeds")
    if change == "rejected":
        assert answered[2] == 1 and "p1.md" in answered[1]
    if change == "warning":
        assert "image_credit" in answered[1]
    # the next bare command finds nothing changed: answered from the stamp the edit left, as in full
    again, full_again = _bare(quick), _run("--config", "config.toml", "build", cwd=full)
    assert "syndicator.config" not in again[3]
    assert not _working_in(quick)  # its helper was stopped and waited for
    assert _lines(again, quick) == _lines((full_again.stdout, full_again.stderr, full_again.returncode), full)


def test_the_first_build_keeps_the_dataclass_methods_an_edit_then_finds(tmp_path, monkeypatch):
    """A plain `syndicator build` keeps the code of the dataclasses' methods in the user's cache folder
    (cli/method_code.py); a quick edit adds those of its own classes (the incremental plan's), and the next
    finds all it needs there, so it writes the file no more; nor does a cold build of another site (its state
    folder is not where the file is). Other command lines keep none."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # (the commands inherit it)
    site = _site(tmp_path / "site")  # built with the plain command
    kept = tmp_path / "cache" / "syndicator" / "dataclass-methods.marshal"
    assert kept.is_file() and not (site / ".syndicator" / "dataclass-methods.marshal").exists()
    for change in ("append", "warning"):
        before = kept.stat()
        _change(site, change)
        answered = _bare(site)
        assert "click" not in answered[3] and "syndicator.config" in answered[3]  # a quick edit
        after = kept.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    _site(tmp_path / "other")  # a first build, from nothing
    assert (kept.stat().st_ino, kept.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    kept.unlink()
    _change(site, "newest")
    assert _run("--config", "config.toml", "build", cwd=site).returncode == 0
    assert not kept.exists()


def test_an_edit_then_the_pipeline_agrees_with_a_build_from_scratch(tmp_path):
    """After a quick edit, edits that render start from the state it left, and match a build without the cache."""
    site = _site(tmp_path / "site")
    _change(site, "append")
    assert "click" not in _bare(site)[3]
    _change(site, "newest")
    assert _run("build", cwd=site).returncode == 0
    fresh = _site(tmp_path / "fresh")
    _change(fresh, "append")
    _change(fresh, "newest")
    assert _run("--config", "config.toml", "build", "--no-cache", cwd=fresh).returncode == 0
    assert _tree(site / "feeds") == _tree(fresh / "feeds")


_ASIDE = itertools.cycle((None, 0))  # every other quick answer walks in a child (build/side_walk.py)


class _InProcess:
    """stamp.Editor, finishing the edit in this process, as cli/quick.py's does."""

    def __init__(self, config_path, now):
        self.config_path, self.now, self.taken = config_path, now, []

    def prepare(self, done):
        while not done():
            pass

    def finish(self, started_ns, files, key, config):
        lines = edit_lines(self.config_path, now=self.now, started_ns=started_ns, files=files, key=key,
                           snapshot=config)
        self.taken.append(lines is not None)
        return lines

    def stop(self):
        pass


def _quick_or_full(config, now):
    """What a bare `syndicator build` does at `now`, in process: the quick stamp's answer (nothing changed,
    or an edit that renders nothing), else the full build."""
    editor = _InProcess(str(config.path), now.timestamp())
    lines = stamp.answer(str(config.path), now=now.timestamp(), editor=lambda: editor, aside_from=next(_ASIDE))
    taken = editor.taken
    event("quick edit" if taken and taken[0] else "quick, nothing changed" if lines else
          "declined" if taken else "no quick answer")
    return lines if lines is not None else build(config, now=now, brief=True)


def _said(result):
    """The posts line, the problem lines and the exit status of a quick answer or a build's report."""
    if isinstance(result, tuple):
        out, err, status = result
        return out[0], list(err), status
    return (result.summary(Path("."))[0], problem_lines(result.problems),
            1 if result.rejected or result.failed else 0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])
@given(first=st.lists(POSTS, min_size=1, max_size=8), steps=STEPS)
def test_quick_answers_equal_full_builds(first, steps):
    """tests/test_incremental.py's property, each build a bare `syndicator build` would do (quick when it may)."""
    replay(first, steps, warm_build=_quick_or_full, judge=_said)


def test_the_quick_paths_names_for_the_stamp_are_the_stamps():
    from syndicator.cli import quick

    assert (quick.STATE_DIR, quick.STAMP) == (stamp.STATE_DIR, stamp.STAMP)


def test_parsing_one_post_loads_no_markdown_or_template_pass(tmp_path):
    """An edit parses one post: the reader's first use must not load the body passes (content.py's mdx,
    templates, liquid loops: a third of a quick edit's parse), which only rendering needs."""
    site = tmp_path / "site"
    (site / "posts").mkdir(parents=True)
    (site / "config.toml").write_text(CONFIG, encoding="utf-8")
    (site / "posts" / "p1.md").write_text(_post(1, extra="image: /img/a.jpg\n"), encoding="utf-8")
    code = ("import sys; from syndicator.config import load; from syndicator.posts.loader import parse_file; "
            "entry, post = parse_file(load('config.toml'), 'p1.md'); assert post is not None, entry; "
            "print(sorted(m for m in ('syndicator.posts.content', 'syndicator.posts.templates', "
            "'syndicator.posts.mdx') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=site, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
