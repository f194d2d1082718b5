"""Settling file changes: a complete save (closed, renamed into place) builds after a short window,
anything else (a write in progress, the polling fallback) after the debounce; one save, one build."""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from daemon_helpers import Clock, FakeBuild, fake_post, wait_for, write_minimal_site

from syndicator import config as config_module
from syndicator.daemon import Daemon
from syndicator.daemon.changes import MAX_SETTLE, SETTLE_WINDOW
from syndicator.daemon.watcher import Watcher

DEBOUNCE = 3.0  # far longer than SETTLE_WINDOW, shorter than MAX_SETTLE: the two waits differ
POST = "---\ntitle: {title}\ndate: 2026-01-02\nauthor: ann\n---\n\nSaved by an editor.\n"


def _site(tmp_path: Path) -> config_module.Config:
    path = write_minimal_site(tmp_path)
    path.write_text(path.read_text().replace("debounce = 0.2", f"debounce = {DEBOUNCE}"))
    return config_module.load(path)


def _save_by_rename(posts: Path, title: str) -> None:
    """Most editors: write a hidden temporary file, then rename it over the post."""
    tmp = posts / ".2026-01-02-saved.md.tmp"
    tmp.write_text(POST.format(title=title), encoding="utf-8")
    os.replace(tmp, posts / "2026-01-02-saved.md")


def _save_like_vim(posts: Path, title: str) -> None:
    """vim with a backup: rename the post to `name~`, write the post anew, close it."""
    target = posts / "2026-01-02-saved.md"
    target.write_text(POST.format(title="Draft"), encoding="utf-8")
    os.replace(target, posts / "2026-01-02-saved.md~")
    target.write_text(POST.format(title=title), encoding="utf-8")


def _save_in_place_like_vim(posts: Path, title: str) -> None:
    """vim writing in place, as inotify shows it: open, write, set the mode, close, set the mode again."""
    target = posts / "2026-01-02-saved.md"
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(POST.format(title=title))
        handle.flush()
        os.chmod(target, 0o644)
    os.chmod(target, 0o644)


def _save_like_jetbrains(posts: Path, title: str) -> None:
    """JetBrains' "safe write": a temporary beside the post, the post renamed aside, the temporary
    renamed into place, the old one deleted (none of the side files is a post file)."""
    target = posts / "2026-01-02-saved.md"
    target.write_text(POST.format(title="Draft"), encoding="utf-8")
    tmp, old = posts / "2026-01-02-saved.md___jb_tmp___", posts / "2026-01-02-saved.md___jb_old___"
    tmp.write_text(POST.format(title=title), encoding="utf-8")
    os.replace(target, old)
    os.replace(tmp, target)
    old.unlink()


SAVES = [_save_by_rename, _save_like_vim, _save_in_place_like_vim, _save_like_jetbrains]


def _watched(daemon: Daemon, config: config_module.Config, *, poll: bool) -> Watcher:
    watcher = Watcher(config.posts_dir, config.path, daemon.notify, poll=poll,
                      skip=(config.feeds.output, config.state_dir))
    watcher.start()
    assert watcher.mode == ("poll" if poll else "notify")
    return watcher


def _fake_daemon(tmp_path: Path) -> tuple[Daemon, Clock, FakeBuild]:
    daemon = Daemon(_site(tmp_path), clock=(clock := Clock()), build=(build := FakeBuild([fake_post(1)])),
                    crosspost=lambda *a, **k: None, next_delivery=lambda config: None, threaded=False)
    daemon.tick(clock())
    return daemon, clock, build


def test_a_complete_change_settles_after_the_window_a_partial_one_after_the_debounce(tmp_path):
    daemon, clock, build = _fake_daemon(tmp_path)
    daemon.notify(complete=True, paths=("a.md",))
    assert 0 < daemon.tick(clock()) <= SETTLE_WINDOW  # the loop wakes when the window ends
    daemon.tick(clock.advance(SETTLE_WINDOW))
    assert len(build.calls) == 2
    daemon.notify(complete=True, paths=("a.md",))
    daemon.notify(paths=("a.md",))  # then another write begins: wait for it like any write in progress
    daemon.tick(clock.advance(SETTLE_WINDOW))
    assert len(build.calls) == 2
    daemon.tick(clock.advance(DEBOUNCE))
    assert len(build.calls) == 3


def test_the_window_waits_for_every_file_being_written_not_just_the_last_event(tmp_path):
    daemon, clock, build = _fake_daemon(tmp_path)
    daemon.notify(paths=("b.md",))  # b.md is being written...
    daemon.notify(complete=True, paths=("a.md",))  # ...when a.md's save completes
    daemon.tick(clock.advance(SETTLE_WINDOW))
    assert len(build.calls) == 1
    daemon.notify(complete=True, paths=("b.md",))  # b.md closed: nothing is left half-written
    daemon.tick(clock.advance(SETTLE_WINDOW))
    assert len(build.calls) == 2


def test_a_mode_change_neither_opens_nor_completes_a_file(tmp_path):
    daemon, clock, build = _fake_daemon(tmp_path)
    daemon.notify(complete=True, paths=("a.md",))
    daemon.notify(meta=True, paths=("a.md",))  # vim sets the mode after closing the file
    daemon.tick(clock.advance(SETTLE_WINDOW))
    assert len(build.calls) == 2
    daemon.notify(paths=("a.md",))  # a write begins...
    daemon.notify(meta=True, paths=("a.md",))  # ...and the writer changes its mode meanwhile
    daemon.tick(clock.advance(SETTLE_WINDOW))
    assert len(build.calls) == 2
    daemon.tick(clock.advance(DEBOUNCE))
    assert len(build.calls) == 3


def test_a_change_to_a_folder_waits_the_debounce(tmp_path):
    daemon, clock, build = _fake_daemon(tmp_path)
    daemon.notify(complete=True, paths=("a.md",))
    daemon.notify(paths=None)  # a folder moved in: which files changed is not known
    daemon.tick(clock.advance(SETTLE_WINDOW))
    assert len(build.calls) == 1
    daemon.tick(clock.advance(DEBOUNCE))
    assert len(build.calls) == 2


@pytest.mark.parametrize("save", SAVES)
def test_inotify_settles_an_editor_save_within_the_window(tmp_path, save):
    config = _site(tmp_path)
    clock, build = Clock(), FakeBuild([fake_post(1)])
    daemon = Daemon(config, clock=clock, build=build, crosspost=lambda *a, **k: None,
                    next_delivery=lambda config: None, threaded=False)
    daemon.tick(clock())
    watcher = _watched(daemon, config, poll=False)
    try:
        save(config.posts_dir, "Saved")
        wait_for(lambda: daemon.timers.changes.due(DEBOUNCE))
        wait_for(lambda: daemon.timers.changes.due(DEBOUNCE)[0] == clock() + timedelta(seconds=SETTLE_WINDOW),
                 timeout=5)  # the save's last event (close or rename) has arrived
        daemon.tick(clock.advance(SETTLE_WINDOW))
        assert len(build.calls) == 2
    finally:
        watcher.stop()


def test_polling_still_waits_the_debounce(tmp_path):
    config = _site(tmp_path)
    clock, build = Clock(), FakeBuild([fake_post(1)])
    daemon = Daemon(config, clock=clock, build=build, crosspost=lambda *a, **k: None,
                    next_delivery=lambda config: None, threaded=False)
    daemon.tick(clock())
    watcher = _watched(daemon, config, poll=True)
    try:
        _save_by_rename(config.posts_dir, "Saved")
        wait_for(lambda: daemon.timers.changes.due(DEBOUNCE), timeout=10)
        daemon.tick(clock.advance(SETTLE_WINDOW))
        assert len(build.calls) == 1  # polling sees no close events: no short window
        daemon.tick(clock.advance(DEBOUNCE))
        assert len(build.calls) == 2
    finally:
        watcher.stop()


@pytest.mark.parametrize("save", SAVES)
def test_one_editor_save_is_one_real_build_before_the_debounce(tmp_path, save):
    config = _site(tmp_path)
    daemon = Daemon(config, crosspost=lambda *a, **k: None)  # the real clock and build
    watcher = _watched(daemon, config, poll=False)
    thread = threading.Thread(target=daemon.loop, daemon=True)
    thread.start()
    try:
        wait_for(lambda: daemon.builds.count == 1, timeout=30)
        save(config.posts_dir, "Saved by an editor")
        # Generous, yet short of the debounce and MAX_SETTLE: only the short window explains it.
        wait_for(lambda: daemon.builds.count >= 2, timeout=DEBOUNCE - 0.5)
        assert "Saved by an editor" in (config.feeds.output / "rss.xml").read_text(encoding="utf-8")
        wait_for(lambda: daemon.timers.changes.due(DEBOUNCE) == [], timeout=MAX_SETTLE)
        threading.Event().wait(DEBOUNCE)  # anything left of the save would have built by now
        assert daemon.builds.count == 2
    finally:
        daemon.shutdown()
        watcher.stop()
        thread.join(5)

