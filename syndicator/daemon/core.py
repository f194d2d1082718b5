"""The Daemon: the one decision function tick(now) over its parts, and the loop around it.

    watcher thread ──notify()──┐
    signal handlers ──stop()/reload()──┤
                               v
    main thread:  loop: tick(now) -> sleep until woken or the next thing is due
                     tick: reload config? -> build (Timers say when; Builds run it) -> schedule
                                  |                      |
                                  v                      v
    worker thread:          ping WebSub hubs         Crossposts.run(stop=...)

Its parts, one concern each: Timers (timing.py: when builds are due), Builds (builds.py: the
build trigger), Crossposts (crossposts.py: the cross-post trigger), the Worker (worker.py) and
the schedule (jobs.py). tick(now) takes the time as an argument, so tests drive it with a fake
clock and fake build/crosspost calls (calls.py holds the real ones). Every job is wrapped: an
exception is logged and the loop carries on; the build writes atomically, so the last good
feeds stay in place. Health for /healthz is a BuildHealth (server/health.py).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import schedule

from .. import config as config_module
from ..config import Config
from ..server.health import BuildHealth
from . import calls, jobs
from .builds import BuildFn, BuildNews, Builds
from .crossposts import CrosspostFn, Crossposts, NextDeliveryFn
from .racy import reread_at, too_recent
from .signals import reloaded_config
from .timing import Timers
from .worker import Worker, guarded

logger = logging.getLogger(__package__)  # the daemon's lines keep the name `syndicator.daemon`

STOP_GRACE = 7.0  # seconds to let the delivery in flight finish on SIGTERM (systemd allows 90)


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


class Daemon:
    """The daemon's parts and its one decision function, tick(now)."""

    def __init__(self, config: Config, *, clock: Callable[[], datetime] = calls.utcnow,
                 build: BuildFn = calls.build, crosspost: CrosspostFn = calls.crosspost,
                 ping: Callable[..., list[str]] = calls.ping, next_delivery: NextDeliveryFn = calls.next_delivery,
                 load_config: Callable[[Path], Config] = config_module.load,
                 session: Any = None, threaded: bool = True,
                 sources: Callable[..., Any] = calls.sources) -> None:
        self.config, self.clock = config, clock
        self._ping_fn, self._load_config, self._session = ping, load_config, session
        self._sources_fn = sources
        self.worker = Worker(threaded=threaded)
        self.stopping = threading.Event()  # given to crosspost as `stop`
        self.wake = threading.Event()
        self.on_reload: list[Callable[[Config, Config], None]] = []
        self._reload_now = False
        self.started = clock()
        self.timers = Timers(self.started)
        self.builds = Builds(build)
        self.crossposts = Crossposts(crosspost, next_delivery, clock=clock, stopping=self.stopping)
        self.scheduler = schedule.Scheduler()
        jobs.schedule_crossposts(self.scheduler, config, self.request_crosspost)
        jobs.schedule_sources(self.scheduler, config, self.request_sources)

    # -- called from other threads: record and wake, never work ---------------------------

    def notify(self, is_config: bool = False, complete: bool = False, paths: tuple[str, ...] | None = None,
               meta: bool = False) -> None:
        """A file changed under posts/ (or the config file did); `paths`: which post files (below the
        posts folder), when the watcher knows; `complete`: they were closed or renamed into place;
        `meta`: only their mode or times changed."""
        self.timers.changes.note(self.clock(), is_config=is_config, complete=complete, paths=paths, meta=meta)
        self.wake.set()

    def request_reload(self) -> None:
        """SIGHUP: re-read the config file on the next tick."""
        self._reload_now = True
        self.wake.set()

    def request_crosspost(self, reason: str) -> None:
        """Ask for a cross-posting pass on the next tick."""
        self.crossposts.request(reason)
        self.wake.set()

    def request_sources(self, reason: str) -> None:
        """Poll the [[sources]] that are due, on the worker (after any pass in flight)."""
        self.worker.submit("sources", lambda: self.poll_sources(reason))

    def poll_sources(self, reason: str) -> None:
        """One pass over the [[sources]] (worker thread): poll the due ones, deliver their entries."""
        if self.stopping.is_set():
            return
        report = self._sources_fn(self.config, now=self.clock(), sleep=self.stopping.wait,
                                  stop=self.stopping)
        logger.info("sources: pass finished (%s): %s", reason, jobs.summary(report))

    def stop(self) -> None:
        """SIGTERM/SIGINT: take no new work; crosspost stops between deliveries."""
        self.stopping.set()
        self.wake.set()

    # -- the core ----------------------------------------------------------------------------

    @property
    def published(self) -> list:
        """The last good build's published posts."""
        return self.builds.published

    def tick(self, now: datetime) -> float:
        """Do whatever is due at `now`; return the seconds until something may next be due."""
        if self.stopping.is_set():
            return 0.0
        self._maybe_reload(now)
        debounce = self.config.daemon.debounce
        built = self.timers.build_due(now, debounce=debounce) and self.build(now)
        guarded("scheduler", self.scheduler.run_pending)
        if self.crossposts.due(now) and not self.stopping.is_set():
            self._start_crosspost(now, fresh=built)
        return self.timers.sleep_for(now, debounce=debounce, also=[self.crossposts.due_at],
                                     idle=self.scheduler.idle_seconds)

    def run_once(self) -> int:
        """`run --once`: one build and one cross-posting pass in this thread; the exit status."""
        if not self.build(self.clock(), keep_posts=jobs.enabled_endpoints(self.config)):
            return 1
        if any(s.enabled for s in self.config.sources) and \
                not guarded("sources", lambda: self.poll_sources("once")):
            return 1
        if not jobs.enabled_endpoints(self.config):
            return 0
        self.crossposts.take(self.builds.report)
        ran = guarded("crosspost", lambda: self.crosspost("once"))
        return 0 if ran and not self.crossposts.needs_attention else 1  # as `crosspost` exits

    def _start_crosspost(self, now: datetime, *, fresh: bool) -> None:
        # The pass takes its posts from a build at `now` on this thread (a no-op build costs
        # milliseconds), so it sees what the feeds show; the pass itself runs on the worker.
        # If the build fails the request stays and is retried with the build.
        if not jobs.enabled_endpoints(self.config):
            self.crossposts.wanted = None
            return
        if not ((fresh and self.builds.posts_kept) or self.build(now, keep_posts=True)):
            return
        reason = self.crossposts.take(self.builds.report)
        self.worker.submit("crosspost", lambda: self.crosspost(reason or "requested"))

    def build(self, now: datetime, *, keep_posts: bool = False) -> bool:
        """Build the feeds; on success ping hubs for changed feeds and ask for a pass on new posts.

        `keep_posts`: the report also carries the published posts, for a cross-posting pass
        (loading them costs more than a no-op build, so ordinary rebuilds skip it).
        """
        taken = self.timers.changes.take()
        changed = taken.paths
        if self.timers.rescan_due(now):
            changed = None  # the safety net for missed notifications: walk the posts folder
        self.timers.building(now)
        waited = (now - taken.noticed).total_seconds() if taken.noticed else None
        news = self.builds.run(self.config, now, keep_posts=keep_posts, changed=changed, waited=waited)
        if news is None:
            self.timers.failed(now)
            return False
        again = reread_at(self.builds.memory)
        if again is not None:
            logger.info("%d post files changed too close to the build's scan: building again at %s, "
                        "so that the next save need not read them all", too_recent(self.builds.memory),
                        again.isoformat(timespec="milliseconds"))
        self.timers.built(news.next_due, again=again)
        self._act_on(news)
        return True

    def _act_on(self, news: BuildNews) -> None:
        if news.first or news.new_posts:  # the first pass baselines new endpoints
            self.request_crosspost("startup" if news.first else "new posts")
        if self.config.feeds.hubs:  # after every build: pings that failed before are retried too
            changed = list(news.changed)
            self.worker.submit("websub", lambda: self.ping(changed))

    def ping(self, changed: list[Path]) -> None:
        """Tell the configured WebSub hubs about changed feeds (durably: see websub_outbox)."""
        if self._session is None:
            self._session = jobs.http_session()
        jobs.ping(self._ping_fn, self.config, changed, self._session, now=self.clock())

    def crosspost(self, reason: str) -> None:
        """One cross-posting pass over the published posts (runs on the worker thread)."""
        self.crossposts.run(self.config, reason, session=self._session)
        if self.crossposts.due_at is not None:
            self.wake.set()  # recompute the sleep for the delivery that comes due

    # -- config reload -----------------------------------------------------------------------

    def _maybe_reload(self, now: datetime) -> None:
        settled = self.timers.changes.config_settled(now, self.config.daemon.debounce)
        if not (settled or self._reload_now):
            return
        self._reload_now = False
        self.reload()

    def reload(self) -> bool:
        """Re-read the config file; a broken one is logged and the running config kept."""
        old = self.config
        new = reloaded_config(old, self._load_config)
        if new is None or new is old:
            return new is not None
        self.config = new
        logger.info("config reloaded from %s", new.path)
        jobs.schedule_crossposts(self.scheduler, new, self.request_crosspost)
        jobs.schedule_sources(self.scheduler, new, self.request_sources)
        for hook in self.on_reload:
            guarded("config reload hook", lambda: hook(old, new))
        self.timers.build_at = self.clock()  # the fingerprint is in every post's digest
        return True

    # -- health and the thin loop ------------------------------------------------------------

    def health(self) -> BuildHealth:
        """What /healthz shows of the builds; the server adds cross-posting status."""
        builds = self.builds
        return BuildHealth(
            source="daemon", started=_iso(self.started), last_build=_iso(builds.last),
            last_build_error=builds.last_error, builds=builds.count, published_posts=len(builds.published),
            problems=len(builds.problems), next_scheduled_post=_iso(self.timers.next_due),
            last_crosspost=_iso(self.crossposts.last), next_delivery=_iso(self.crossposts.due_at))

    def loop(self) -> None:
        """Tick until stop(); sleeps between ticks, woken early by notify/reload/stop."""
        if any(s.enabled for s in self.config.sources):
            self.request_sources("startup")  # then every minute, by the schedule
        while not self.stopping.is_set():
            self.wake.clear()
            try:
                timeout = self.tick(self.clock())
            except Exception:  # tick guards its jobs; this is a bug, but keep serving
                logger.exception("daemon tick failed")
                timeout = 1.0
            self.wake.wait(timeout)

    def shutdown(self) -> bool:
        """Stop and wait for the delivery in flight; True if it finished in time."""
        self.stop()
        done = self.worker.close(STOP_GRACE)
        if not done:
            logger.warning("abandoning %s in flight; the ledger settles it next run", self.worker.running)
        return done
