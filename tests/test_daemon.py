"""The daemon's core: tick() with a fake clock and fake jobs, the watcher, signals, the lock."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from daemon_helpers import T0, Clock, FakeBuild, fake_post, wait_for, write_minimal_site

from syndicator import config as config_module
from syndicator.daemon import Daemon, StateLock, Worker, run
from syndicator.daemon.watcher import Watcher
from syndicator.errors import DaemonError, TransientError


@pytest.fixture
def config(tmp_path: Path) -> config_module.Config:
    return config_module.load(write_minimal_site(tmp_path))


def make_daemon(config, build=None, clock=None, **kwargs) -> tuple[Daemon, FakeBuild, Clock]:
    build = build or FakeBuild(posts=[fake_post(1)])
    clock = clock or Clock()
    kwargs.setdefault("crosspost", lambda *a, **k: None)
    kwargs.setdefault("next_delivery", lambda config: None)
    daemon = Daemon(config, clock=clock, build=build, threaded=False, **kwargs)
    return daemon, build, clock


def test_first_tick_builds_at_once(config):
    daemon, build, clock = make_daemon(config)
    daemon.tick(clock())
    assert build.calls == [T0]
    assert daemon.health().published_posts == 1
    daemon.tick(clock.advance(1))
    assert len(build.calls) == 1  # nothing changed, nothing due


def test_debounce_coalesces_a_burst_into_one_build(config):
    daemon, build, clock = make_daemon(config)  # debounce = 0.2 s in the minimal site
    daemon.tick(clock())
    for _ in range(5):  # an editor: write temp, fsync, rename, chmod, touch the directory
        daemon.notify()
        daemon.tick(clock.advance(0.05))
    assert len(build.calls) == 1, "built before the burst settled"
    wait = daemon.tick(clock.advance(0.1))
    assert len(build.calls) == 1
    assert 0 < wait <= 0.2  # the loop wakes when the debounce ends, not at MAX_SLEEP
    daemon.tick(clock.advance(0.15))
    assert len(build.calls) == 2
    daemon.tick(clock.advance(5))
    assert len(build.calls) == 2


def test_a_change_that_never_settles_still_builds(config):
    daemon, build, clock = make_daemon(config)
    daemon.tick(clock())
    for _ in range(60):  # something writes into posts/ every 0.1 s forever
        daemon.notify()
        daemon.tick(clock.advance(0.1))
    assert len(build.calls) >= 2


def test_next_due_rebuilds_without_any_file_change(config):
    build = FakeBuild(posts=[fake_post(1)], next_due=T0.replace(second=2))
    daemon, build, clock = make_daemon(config, build)
    wait = daemon.tick(clock())
    assert len(build.calls) == 1 and wait == pytest.approx(2.0)
    daemon.tick(clock.advance(1.5))
    assert len(build.calls) == 1
    daemon.tick(clock.advance(0.5))
    assert len(build.calls) == 2 and build.calls[-1] == T0.replace(second=2)
    assert [p.id for p in daemon.published] == [fake_post(1).id, fake_post(2).id]  # the scheduled one


def test_new_posts_trigger_a_crosspost_and_the_first_build_baselines(config, tmp_path):
    config = config_module.load(write_minimal_site(
        tmp_path, '\n[[endpoints]]\nname = "hook"\ntype = "webhook"\nurl = "http://127.0.0.1:9/"\n'))
    passes = []
    daemon, build, clock = make_daemon(
        config, crosspost=lambda cfg, posts, **kw: passes.append([p.id for p in posts]))
    daemon.tick(clock())
    assert passes == [[fake_post(1).id]]  # startup pass: new endpoints baseline existing posts
    daemon.notify()
    daemon.tick(clock.advance(1))
    assert len(passes) == 1  # rebuilt, nothing new published: no pass
    build.posts.append(fake_post(2))
    daemon.notify()
    daemon.tick(clock.advance(1))
    assert passes[-1] == [fake_post(1).id, fake_post(2).id]


def test_a_delivery_held_back_by_min_age_gets_its_own_pass(tmp_path):
    config = config_module.load(write_minimal_site(
        tmp_path, '\n[[endpoints]]\nname = "hook"\ntype = "webhook"\nurl = "http://127.0.0.1:9/"\n'))
    passes, due = [], [T0.replace(minute=5)]
    daemon, build, clock = make_daemon(
        config, crosspost=lambda cfg, posts, **kw: passes.append(kw["now"]),
        next_delivery=lambda cfg: due[0])
    wait = daemon.tick(clock())
    assert passes == [T0] and daemon.health().next_delivery == due[0].isoformat()
    assert wait <= 30  # never sleeps past MAX_SLEEP, and wakes for the due delivery
    due[0] = None
    daemon.tick(clock.advance(299))
    assert len(passes) == 1
    daemon.tick(clock.advance(1))
    assert passes == [T0, T0.replace(minute=5)]
    daemon.tick(clock.advance(60))
    assert len(passes) == 2  # nothing else due: no spinning


def test_changed_feeds_are_pinged_to_websub_hubs(config, tmp_path):
    config = config_module.load(write_minimal_site(tmp_path).parent / "config.toml")
    text = config.path.read_text().replace('output = "feeds"', 'output = "feeds"\nhubs = ["http://127.0.0.1:9/hub"]')
    config.path.write_text(text)
    config = config_module.load(config.path)
    pings = []
    daemon, build, clock = make_daemon(
        config, ping=lambda cfg, changed, **kw: pings.append((cfg.feeds.hubs, changed)))
    out = config.feeds.output
    written = [out / "rss.xml", out / "tags/x/atom.xml", out / "feeds.opml"]
    build.written = list(written)
    daemon.tick(clock())
    assert pings == [(("http://127.0.0.1:9/hub",), written)]
    daemon.notify()
    daemon.tick(clock.advance(1))
    # nothing written: the outbox is still asked, so pings that failed before are retried
    assert len(pings) == 2 and pings[1][1] == []


def test_job_exceptions_are_logged_and_the_loop_carries_on(config, caplog):
    build = FakeBuild(posts=[fake_post(1)], fail=[OSError(28, "No space left on device"),
                                                  RuntimeError("bug in a renderer")])
    daemon, build, clock = make_daemon(config, build)
    with caplog.at_level(logging.DEBUG, logger="syndicator.daemon"):
        daemon.tick(clock())
        assert daemon.health().status == "degraded"
        assert "No space left" in daemon.health().last_build_error
        daemon.notify()
        daemon.tick(clock.advance(1))
        daemon.tick(clock.advance(31))  # the retry after a failed build, or the next change
    assert len(build.calls) == 3
    assert daemon.health().status == "ok" and daemon.health().published_posts == 1
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failures) == 2 and all(r.exc_info or r.exc_text for r in failures)


def test_a_crosspost_exception_does_not_stop_the_loop(config, tmp_path, caplog):
    config = config_module.load(write_minimal_site(
        tmp_path, '\n[[endpoints]]\nname = "hook"\ntype = "webhook"\nurl = "http://127.0.0.1:9/"\n'))
    calls = []

    def crosspost(cfg, posts, **kw):
        calls.append(len(posts))
        raise TransientError("connection refused")

    build = FakeBuild(posts=[fake_post(1)])
    daemon = Daemon(config, build=build, crosspost=crosspost, threaded=True)
    thread = threading.Thread(target=daemon.loop, daemon=True)
    with caplog.at_level(logging.INFO, logger="syndicator.daemon"):
        thread.start()
        wait_for(lambda: calls)
        build.posts.append(fake_post(2))
        daemon.notify()
        wait_for(lambda: len(calls) == 2)
        daemon.shutdown()
        thread.join(5)
    assert not thread.is_alive()
    assert "crosspost failed: connection refused" in caplog.text


def test_sighup_with_a_broken_config_keeps_the_old_one(config, caplog):
    daemon, build, clock = make_daemon(config, load_config=config_module.load)
    from syndicator.daemon.signals import install_signals

    restore = install_signals(daemon, hup=True)
    try:
        daemon.tick(clock())
        good = daemon.config
        config.path.write_text(config.path.read_text() + "\n[site\n")  # invalid TOML
        with caplog.at_level(logging.INFO, logger="syndicator.daemon"):
            os.kill(os.getpid(), signal.SIGHUP)
            wait_for(lambda: daemon._reload_now)
            daemon.tick(clock.advance(1))
        assert daemon.config is good
        assert "config reload failed, keeping the running configuration" in caplog.text
        assert "invalid TOML" in caplog.text
        # a good edit is picked up and rebuilds (the fingerprint is in every post's digest)
        config.path.write_text(config.path.read_text().replace("\n[site\n", "").replace(
            'title = "Test Site"', 'title = "Renamed"'))
        os.kill(os.getpid(), signal.SIGHUP)
        wait_for(lambda: daemon._reload_now)
        daemon.tick(clock.advance(1))
        assert daemon.config.site.title == "Renamed"
        assert len(build.calls) == 2
    finally:
        restore()


def test_config_file_edit_reloads_after_it_settles(config):
    daemon, build, clock = make_daemon(config)
    daemon.tick(clock())
    config.path.write_text(config.path.read_text().replace('"Test Site"', '"Edited"'))
    daemon.notify(is_config=True)
    daemon.tick(clock.advance(0.1))
    assert daemon.config.site.title == "Test Site"
    daemon.tick(clock.advance(0.2))
    assert daemon.config.site.title == "Edited" and len(build.calls) == 2


def test_lock_refuses_a_second_daemon_and_names_the_first(tmp_path):
    first = StateLock(tmp_path / "state")
    first.acquire()
    try:
        with pytest.raises(DaemonError) as err:
            StateLock(tmp_path / "state").acquire()
        assert f"PID {os.getpid()}" in str(err.value)
    finally:
        first.release()
    with StateLock(tmp_path / "state"):  # released: the next one may start
        pass


def test_lock_is_released_when_the_holder_is_killed(tmp_path):
    state = tmp_path / "state"
    code = ("import sys, time; from pathlib import Path; from syndicator.daemon import StateLock; "
            f"StateLock(Path({str(state)!r})).acquire(); print('locked', flush=True); time.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(DaemonError, match=f"PID {child.pid}"):
            StateLock(state).acquire()
    finally:
        child.kill()  # SIGKILL: no cleanup code runs
        child.wait()
    with StateLock(state):
        pass


def test_run_refuses_when_the_state_directory_is_locked(config):
    with StateLock(config.state_dir):
        with pytest.raises(DaemonError, match="already running"):
            run(config, once=True)


def test_interval_schedule_requests_crosspost_passes(tmp_path):
    config = config_module.load(write_minimal_site(
        tmp_path, 'crosspost_every = "1s"\n\n[[endpoints]]\nname = "hook"\ntype = "webhook"\n'
                  'url = "http://127.0.0.1:9/"\n'))
    passes = []
    daemon = Daemon(config, build=FakeBuild(posts=[fake_post(1)]),
                    crosspost=lambda cfg, posts, **kw: passes.append(kw["now"]))
    thread = threading.Thread(target=daemon.loop, daemon=True)
    thread.start()
    try:
        wait_for(lambda: len(passes) >= 3, timeout=6)  # startup + two interval passes
    finally:
        daemon.shutdown()
        thread.join(5)


def test_daily_times_are_registered_in_the_schedule(tmp_path):
    config = config_module.load(write_minimal_site(tmp_path, 'crosspost_at = ["07:30", "19:00"]\n'))
    daemon, _, _ = make_daemon(config)
    jobs = [j for j in daemon.scheduler.get_jobs("crosspost") if j.unit == "days"]
    assert len(jobs) == 2  # site time zone is UTC here; runs in the machine's local time


def test_shutdown_stops_a_crosspost_waiting_between_deliveries(tmp_path):
    config = config_module.load(write_minimal_site(
        tmp_path, '\n[[endpoints]]\nname = "hook"\ntype = "webhook"\nurl = "http://127.0.0.1:9/"\n'))
    started, stopped = threading.Event(), []

    def crosspost(cfg, posts, *, sleep, stop, **kw):
        started.set()
        sleep(60)  # honouring a Retry-After: must return when the daemon stops
        stopped.append(stop.is_set())

    daemon = Daemon(config, build=FakeBuild(posts=[fake_post(1)]), crosspost=crosspost)
    thread = threading.Thread(target=daemon.loop, daemon=True)
    thread.start()
    assert started.wait(5)
    t = time.monotonic()
    assert daemon.shutdown() is True
    thread.join(5)
    assert time.monotonic() - t < 2 and stopped == [True]


def test_worker_runs_jobs_in_order_and_skips_duplicates():
    worker, done, gate = Worker(), [], threading.Event()
    worker.submit("a", gate.wait)
    worker.submit("b", lambda: done.append("b1"))
    worker.submit("b", lambda: done.append("b2"))  # "b" is already waiting: dropped
    gate.set()
    wait_for(lambda: done)
    assert worker.close(2) and done == ["b1"]


def test_watcher_sees_save_as_temp_and_rename_as_one_rebuild(tmp_path):
    config = config_module.load(write_minimal_site(tmp_path))
    build = FakeBuild(posts=[fake_post(1)])
    daemon = Daemon(config, build=build, crosspost=lambda *a, **k: None)
    watcher = Watcher(config.posts_dir, config.path, daemon.notify,
                      skip=(config.feeds.output, config.state_dir))
    watcher.start()
    thread = threading.Thread(target=daemon.loop, daemon=True)
    thread.start()
    try:
        wait_for(lambda: len(build.calls) == 1)
        time.sleep(0.3)
        target = config.posts_dir / "2026-01-01-hello.md"
        tmp = config.posts_dir / ".hello.md.swp"
        tmp.write_text("---\ntitle: Hello again\ndate: 2026-01-01\n---\n\nEdited.\n")
        os.replace(tmp, target)
        (config.posts_dir / "notes~").write_text("backup")  # editor noise alone: ignored
        t = time.monotonic()
        wait_for(lambda: len(build.calls) == 2)
        assert time.monotonic() - t < 1.5
        time.sleep(1.0)
        assert len(build.calls) == 2
    finally:
        daemon.shutdown()
        watcher.stop()
        thread.join(5)


@pytest.mark.parametrize("poll", [False, True])
def test_watcher_reports_posts_and_config_changes(tmp_path, poll):
    config = config_module.load(write_minimal_site(tmp_path))
    seen: list[bool] = []
    watcher = Watcher(config.posts_dir, config.path, lambda is_config, _complete, _paths, _meta: seen.append(is_config),
                      poll=poll, skip=(config.feeds.output, config.state_dir))
    watcher.start()
    try:
        assert watcher.mode == ("poll" if poll else "notify")
        (config.posts_dir / "sub").mkdir()
        (config.posts_dir / "sub" / "new.md").write_text("---\ntitle: New\n---\n")
        wait_for(lambda: False in seen, timeout=5)
        time.sleep(1.2)  # the rest of that burst (close-after-write, the directory) and a poll
        seen.clear()
        (tmp_path / "feeds").mkdir()
        (tmp_path / "feeds" / "rss.xml").write_text("<rss/>")  # our own output: not a change
        config.path.write_text(config.path.read_text() + "\n")
        wait_for(lambda: True in seen, timeout=5)
        assert False not in seen
    finally:
        watcher.stop()


def test_a_save_in_an_excluded_folder_is_never_published(tmp_path):
    """[posts] exclude: the walk leaves the folder out; a notified save in it must not slip in (it
    did: the notified build looked at whatever path inotify named, until the next walk)."""
    config = config_module.load(write_minimal_site(tmp_path, '\n[posts]\nexclude = ["pages"]\n'))
    (config.posts_dir / "pages").mkdir()
    daemon = Daemon(config, crosspost=lambda *a, **k: None)  # the real clock and build
    watcher = Watcher(config.posts_dir, config.path, daemon.notify, skip=(config.feeds.output, config.state_dir),
                      exclude=config.reading.exclude)
    watcher.start()
    thread = threading.Thread(target=daemon.loop, daemon=True)
    thread.start()
    post = "---\ntitle: {title}\ndate: 2026-01-0{day}\nauthor: ann\n---\n\nText.\n"
    try:
        wait_for(lambda: daemon.builds.count == 1, timeout=30)
        (config.posts_dir / "pages" / "about.md").write_text(post.format(title="About page", day=2))
        (config.posts_dir / "2026-01-03-news.md").write_text(post.format(title="News post", day=3))
        wait_for(lambda: "News post" in (config.feeds.output / "rss.xml").read_text(encoding="utf-8"), timeout=10)
        wait_for(lambda: daemon.timers.changes.due(config.daemon.debounce) == [], timeout=10)
        time.sleep(0.5)  # any build still owed for the page would have written by now
        assert "About page" not in (config.feeds.output / "rss.xml").read_text(encoding="utf-8")
    finally:
        daemon.shutdown()
        watcher.stop()
        thread.join(5)


@pytest.mark.parametrize("poll", [False, True])
def test_the_watcher_reports_no_editor_droppings_only_posts(tmp_path, poll):
    config = config_module.load(write_minimal_site(tmp_path))
    seen: list = []
    watcher = Watcher(config.posts_dir, config.path, lambda *change: seen.append(change), poll=poll,
                      skip=(config.feeds.output, config.state_dir))
    watcher.start()
    try:
        for name in (".post.md.swp", "post.md~", "4913", "#post.md#", "post.md.tmp", "photo.jpg",
                     "post.md___jb_tmp___"):
            (config.posts_dir / name).write_text("noise")
        (config.posts_dir / ".git").mkdir()
        (config.posts_dir / ".git" / "post.md").write_text("a hidden folder's file")
        time.sleep(1.2)  # a poll or two, and every notification of the above
        assert seen == []
        (config.posts_dir / "2026-01-01-post.md").write_text("---\ntitle: A post\n---\n")
        wait_for(lambda: seen, timeout=5)
        assert all(paths in (None, ("2026-01-01-post.md",)) for _config, _complete, paths, _meta in seen)
    finally:
        watcher.stop()


def test_no_crosspost_pass_when_every_endpoint_is_disabled(tmp_path):
    config = config_module.load(write_minimal_site(
        tmp_path, '\n[[endpoints]]\nname = "hook"\ntype = "webhook"\nurl = "http://127.0.0.1:9/"\n'
                  'enabled = false\n'))
    passes = []
    daemon, build, clock = make_daemon(config, crosspost=lambda *a, **k: passes.append(1))
    daemon.tick(clock())
    daemon.request_crosspost("schedule")
    daemon.tick(clock.advance(1))
    assert passes == [] and len(build.calls) == 1
