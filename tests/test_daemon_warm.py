"""The daemon keeps its last build in memory and, told which post files changed, rebuilds only them
without walking the posts folder; the feeds equal a full build's (issue 12)."""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from daemon_helpers import wait_for, write_minimal_site

from syndicator import config as config_module
from syndicator.build import build
from syndicator.build.restat import is_post_path, restat
from syndicator.daemon import Daemon
from syndicator.daemon.watcher import Watcher
from syndicator.posts.walk import FORMATS, discover, walk

SECOND = "---\ntitle: Second\ndate: 2026-01-03\nauthor: ann\ntags: [x]\n---\n\nAnother.\n"


def _aged(paths, seconds: float = 3600) -> None:
    stamp = time.time() - seconds
    for path in paths:
        os.utime(path, (stamp, stamp))


def _site(tmp_path: Path) -> config_module.Config:
    config = config_module.load(write_minimal_site(tmp_path))
    _aged(config.posts_dir.iterdir())
    return config


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _full_build_tree(config: config_module.Config, tmp_path: Path) -> dict[str, bytes]:
    """What a full build without the cache writes, in a fresh state and output folder (same feed URLs)."""
    other = tmp_path / "full"
    other.mkdir()
    text = config.path.read_text(encoding="utf-8")
    (other / "config.toml").write_text(text.replace("[site]", f"[site]\nposts = \"{config.posts_dir}\"", 1),
                                       encoding="utf-8")
    full = config_module.load(other / "config.toml")
    build(full, now=datetime.now(timezone.utc), use_cache=False)
    return _tree(full.feeds.output)


def test_a_notified_edit_and_a_new_post_are_built_from_memory_without_a_walk(tmp_path, monkeypatch):
    config = _site(tmp_path)
    daemon = Daemon(config, crosspost=lambda *a, **k: None, threaded=False)
    assert daemon.build(datetime.now(timezone.utc))
    import syndicator.build.entry as entry

    monkeypatch.setattr(entry, "discover", lambda config: pytest.fail("walked the posts folder"))
    assert daemon.builds.run(config, datetime.now(timezone.utc), changed=set()).changed == ()
    assert daemon.builds.report.from_record

    second = config.posts_dir / "2026-01-03-second.md"
    second.write_text(SECOND, encoding="utf-8")
    _aged([second], 60)
    news = daemon.builds.run(config, datetime.now(timezone.utc), changed={"2026-01-03-second.md"})
    report = daemon.builds.report
    assert report.incremental and report.read_again == ("2026-01-03-second.md",)
    assert [p.source for p in news.new_posts] == ["2026-01-03-second.md"]  # cross-posting hears of it
    assert [p.source for p in daemon.published] == ["2026-01-03-second.md", "2026-01-01-hello.md"]
    assert (config.feeds.output / "tags" / "x" / "rss.xml").is_file()

    hello = config.posts_dir / "2026-01-01-hello.md"
    hello.write_text(hello.read_text(encoding="utf-8").replace("First post.", "First post, edited."),
                     encoding="utf-8")
    _aged([hello], 30)
    news = daemon.builds.run(config, datetime.now(timezone.utc), changed={"2026-01-01-hello.md", ".hello.md.swp"})
    assert daemon.builds.report.incremental and news.new_posts == ()
    assert "edited" in (config.feeds.output / "rss.xml").read_text(encoding="utf-8")
    monkeypatch.undo()
    assert _tree(config.feeds.output) == _full_build_tree(config, tmp_path)


def test_a_post_removed_as_notified_leaves_the_feeds(tmp_path):
    config = _site(tmp_path)
    second = config.posts_dir / "2026-01-03-second.md"
    second.write_text(SECOND, encoding="utf-8")
    _aged([second])
    daemon = Daemon(config, crosspost=lambda *a, **k: None, threaded=False)
    assert daemon.build(datetime.now(timezone.utc))
    second.unlink()
    daemon.builds.run(config, datetime.now(timezone.utc), changed={"2026-01-03-second.md"})
    assert daemon.builds.report.incremental and daemon.builds.report.published_count == 1
    assert [p.source for p in daemon.published] == ["2026-01-01-hello.md"]
    assert not (config.feeds.output / "tags" / "x").exists()
    assert _tree(config.feeds.output) == _full_build_tree(config, tmp_path)


def test_memory_left_behind_by_another_build_is_not_trusted(tmp_path):
    config = _site(tmp_path)
    daemon = Daemon(config, crosspost=lambda *a, **k: None, threaded=False)
    assert daemon.build(datetime.now(timezone.utc))
    second = config.posts_dir / "2026-01-03-second.md"
    second.write_text(SECOND, encoding="utf-8")
    _aged([second])
    build(config, now=datetime.now(timezone.utc), brief=True)  # `syndicator build` in another process
    daemon.builds.run(config, datetime.now(timezone.utc), changed=set())  # the daemon heard nothing
    report = daemon.builds.report
    assert not report.from_record and not report.incremental  # read in full
    assert [p.source for p in daemon.published] == ["2026-01-03-second.md", "2026-01-01-hello.md"]


@pytest.mark.parametrize("rel", ["a.md", "sub/b.MARKDOWN", "x/y/z.html", "c.htm", ".a.md", "sub/.hidden/b.md",
                                 ".git/x.md", "a.md~", "notes.txt", "sub~/c.md", "img.png"])
def test_a_notified_path_counts_as_a_post_exactly_when_the_walk_lists_it(tmp_path, rel):
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x", encoding="utf-8")
    listed = rel in walk(tmp_path, suffixes=FORMATS).files
    assert is_post_path(rel) == listed
    assert (rel in restat(tmp_path, {}, [rel])) == listed


def test_restat_leaves_out_files_below_an_excluded_folder_as_the_walk_does(tmp_path):
    config = _site(tmp_path)
    with config.path.open("a", encoding="utf-8") as toml:
        toml.write('\n[posts]\nexclude = ["pages"]\n')
    config = config_module.load(config.path)
    rels = ["pages/about.md", "pages-old/a.md", "more/pages/b.md", "c.md"]
    for rel in rels:
        (config.posts_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (config.posts_dir / rel).write_text("x", encoding="utf-8")
    files = restat(config.posts_dir, {}, rels, exclude=config.reading.exclude)
    assert sorted(files) == sorted(set(rels) & set(discover(config)[0])) == ["c.md", "more/pages/b.md", "pages-old/a.md"]


def test_restat_drops_files_that_are_gone_or_not_regular(tmp_path):
    (tmp_path / "a.md").write_text("x", encoding="utf-8")
    (tmp_path / "d.md").mkdir()
    files = restat(tmp_path, {"gone.md": (1, 1), "d.md": (1, 1), "keep.md": (5, 5)}, ["a.md", "gone.md", "d.md"])
    st = (tmp_path / "a.md").stat()
    assert files == {"a.md": (st.st_size, st.st_mtime_ns), "keep.md": (5, 5)}


def test_the_inotify_watcher_names_the_changed_post_files(tmp_path):
    config = _site(tmp_path)
    seen: list = []
    watcher = Watcher(config.posts_dir, config.path, lambda is_config, complete, paths, meta: seen.append(paths),
                      skip=(config.feeds.output, config.state_dir))
    watcher.start()
    try:
        if watcher.mode != "notify":
            pytest.skip("inotify is not available here")  # the polling fallback names no files by design
        (config.posts_dir / "sub").mkdir()
        (config.posts_dir / "sub" / "new.md").write_text("---\ntitle: New\n---\n", encoding="utf-8")
        wait_for(lambda: ("sub/new.md",) in seen, timeout=5)
        assert None in seen  # the new folder itself: not a file, so the daemon will walk
        temp = config.posts_dir / ".new.md.tmp"
        temp.write_text("x", encoding="utf-8")
        shutil.move(temp, config.posts_dir / "moved.md")
        wait_for(lambda: any(p and "moved.md" in p for p in seen), timeout=5)
    finally:
        watcher.stop()


def test_after_a_failed_build_the_next_one_walks_instead_of_trusting_memory(tmp_path, monkeypatch):
    """The failed build was told which files changed; the next is told nothing: it must look itself."""
    config = _site(tmp_path)
    daemon = Daemon(config, crosspost=lambda *a, **k: None, threaded=False)
    assert daemon.build(datetime.now(timezone.utc))
    second = config.posts_dir / "2026-01-03-second.md"
    second.write_text(SECOND, encoding="utf-8")
    _aged([second], 60)
    import syndicator.build.entry as entry

    def locked(*args, **kwargs):
        raise OSError("the build lock is held")

    monkeypatch.setattr(entry, "build_lock", locked)
    assert daemon.builds.run(config, datetime.now(timezone.utc), changed={"2026-01-03-second.md"}) is None
    monkeypatch.undo()
    daemon.builds.run(config, datetime.now(timezone.utc), changed=set())
    assert [p.source for p in daemon.published] == ["2026-01-03-second.md", "2026-01-01-hello.md"]


def test_a_command_after_the_daemons_memory_build_reads_everything_again(tmp_path):
    """The daemon keeps its record in memory: the file a command would read no longer matches the token."""
    config = _site(tmp_path)
    daemon = Daemon(config, crosspost=lambda *a, **k: None, threaded=False)
    assert daemon.build(datetime.now(timezone.utc))
    second = config.posts_dir / "2026-01-03-second.md"
    second.write_text(SECOND, encoding="utf-8")
    _aged([second], 60)
    daemon.builds.run(config, datetime.now(timezone.utc), changed={"2026-01-03-second.md"})
    assert daemon.builds.report.incremental
    report = build(config, now=datetime.now(timezone.utc), brief=True)  # `syndicator build` meanwhile
    assert not report.from_record and not report.incremental
    assert report.published_count == 2
    again = build(config, now=datetime.now(timezone.utc), brief=True)
    assert again.from_record and again.published_count == 2  # that build left its record in the file


def test_the_daemon_logs_each_problem_once_and_each_fix_once_across_reused_problem_objects(caplog):
    """Builds keeps problem texts by object: reused objects cost nothing, new ones are put into words."""
    from syndicator.build.report import BuildReport
    from syndicator.daemon.builds import Builds
    from syndicator.posts.problem import Problem

    a, b = Problem("posts/a.md", 3, "unknown key", "warning"), Problem("posts/b.md", 1, "bad date")
    reports = iter([[a, b], [a, b], [a, Problem("posts/b.md", 1, "bad date")], [a], [a, Problem("posts/c.md", 2, "x")]])
    builds = Builds(lambda config, **kwargs: BuildReport(problems=next(reports)))
    seen = []
    for _ in range(5):
        caplog.clear()
        with caplog.at_level("INFO", logger="syndicator.daemon"):
            builds.run(None, datetime.now(timezone.utc))
        seen.append(sorted(r.getMessage() for r in caplog.records
                           if r.getMessage().startswith(("post problem", "fixed"))))
    assert seen[0] == ["post problem: posts/a.md:3: warning: unknown key", "post problem: posts/b.md:1: bad date"]
    assert seen[1] == [] and seen[2] == []  # the same objects, then an equal new one: nothing to say
    assert seen[3] == ["fixed: posts/b.md:1: bad date"]
    assert seen[4] == ["post problem: posts/c.md:2: x"]
    assert builds.problems == {"posts/a.md:3: warning: unknown key", "posts/c.md:2: x"}
