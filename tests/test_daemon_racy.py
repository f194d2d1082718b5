"""After start on freshly written posts, the daemon builds once more when they can be trusted, so
the first save is an incremental build, not a full one; on posts written long ago it does not (issue 12)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from daemon_helpers import wait_for, write_minimal_site

from syndicator import config as config_module
from syndicator.build.incremental import MAX_CHANGED
from syndicator.daemon import Daemon
from syndicator.daemon.watcher import Watcher

POSTS = MAX_CHANGED + 6  # more fresh files than an incremental build reads again
POST = "---\ntitle: Post {n}\ndate: 2026-{month:02d}-{day:02d}\nauthor: ann\ntags: [t{tag}]\n---\n\nBody {n}.\n"


def _site(tmp_path: Path, *, age: float) -> config_module.Config:
    """`age=0`: stamped in whole seconds, 3 s ahead, as a checkout on a filesystem of whole seconds would be
    (its first build cannot trust them: build/vouch.py's trusted_from; 3 s, so that a loaded machine
    starting the daemon slowly does not reach the trusted time before the first scan)."""
    config = config_module.load(write_minimal_site(tmp_path))
    stamp = time.time() - age if age else float(int(time.time()) + 3)
    for n in range(POSTS):
        path = config.posts_dir / f"post-{n:03d}.md"
        path.write_text(POST.format(n=n, month=1, day=n % 28 + 1, tag=n % 5), encoding="utf-8")
        os.utime(path, (stamp, stamp))
    return config


def _running(config: config_module.Config):
    daemon = Daemon(config, crosspost=lambda *a, **k: None)  # the real clock and build
    watcher = Watcher(config.posts_dir, config.path, daemon.notify, skip=(config.feeds.output, config.state_dir))
    watcher.start()
    thread = threading.Thread(target=daemon.loop, daemon=True)
    thread.start()

    def stop() -> None:
        daemon.shutdown()
        watcher.stop()
        thread.join(5)
    return daemon, stop


def _save(config: config_module.Config, n: int) -> None:
    tmp = config.posts_dir / f".post-{n:03d}.md.tmp"
    tmp.write_text(POST.format(n=n, month=2, day=1, tag=1).replace("Body", "Edited body"), encoding="utf-8")
    os.replace(tmp, config.posts_dir / f"post-{n:03d}.md")


def test_fresh_posts_are_read_again_before_the_first_save_which_is_then_incremental(tmp_path):
    config = _site(tmp_path, age=0)
    daemon, stop = _running(config)
    try:
        # The first build cannot trust files stamped this close to its scan; the daemon builds again
        # once they are old enough, on its own.
        wait_for(lambda: daemon.builds.count >= 2, timeout=30)
        assert daemon.timers.build_at is None  # and no further build is owed
        _save(config, 7)
        wait_for(lambda: daemon.builds.count >= 3, timeout=10)
        assert daemon.builds.report.incremental  # the save read one file, not all of them
        assert "Edited body 7" in (config.feeds.output / "rss.xml").read_text(encoding="utf-8")
    finally:
        stop()


def test_posts_written_long_ago_need_no_second_build(tmp_path):
    config = _site(tmp_path, age=3600)
    daemon, stop = _running(config)
    try:
        wait_for(lambda: daemon.builds.count >= 1, timeout=30)
        time.sleep(1.5)  # a build owed for fresh files would be due within a second and a bit
        assert daemon.builds.count == 1
        _save(config, 7)
        wait_for(lambda: daemon.builds.count >= 2, timeout=10)
        assert daemon.builds.report.incremental
    finally:
        stop()
