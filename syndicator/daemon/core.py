"""The Daemon: its state, the one decision function tick(now), and the loop around it."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import schedule

from .. import config as config_module
from ..config import Config
from ..server.health import BuildHealth
from . import calls, jobs
from .changes import Changes
from .signals import reloaded_config
from .worker import Worker, guarded, log_failure

logger = logging.getLogger(__package__)  # the daemon's lines keep the name `syndicator.daemon`

RESCAN_EVERY = timedelta(minutes=5)  # safety net for missed notifications; a no-op build is cheap
RETRY_BUILD = timedelta(seconds=30)  # after a failed build (disk full, unreadable dir)
MAX_SLEEP = 30.0  # wake at least this often, so wall-clock jumps are noticed
STOP_GRACE = 7.0  # seconds to let the delivery in flight finish on SIGTERM (systemd allows 90)
MIN_CROSSPOST_GAP = timedelta(seconds=2)  # between a pass and a follow-up for a due delivery


class Daemon:
    """The daemon's state and its one decision function, tick(now)."""

    def __init__(self, config: Config, *, clock: Callable[[], datetime] = calls.utcnow,
                 build: Callable[..., Any] = calls.build,
                 crosspost: Callable[..., Any] = calls.crosspost,
                 ping: Callable[..., list[str]] = calls.ping,
                 next_delivery: Callable[[Config], datetime | None] = calls.next_delivery,
                 load_config: Callable[[Path], Config] = config_module.load,
                 session: Any = None, threaded: bool = True) -> None:
        self.config = config
        self.clock = clock
        self._build_fn, self._crosspost_fn, self._ping_fn = build, crosspost, ping
        self._load_config = load_config
        self._next_delivery_fn = next_delivery
        self._session = session
        self.worker = Worker(threaded=threaded)
        self.stopping = threading.Event()  # given to crosspost as `stop`
        self.wake = threading.Event()
        self.on_reload: list[Callable[[Config, Config], None]] = []
        self._changes = Changes()
        self._reload_now = False
        self._build_at: datetime | None = clock()  # build at once on start
        self._next_due: datetime | None = None
        self._next_rescan = clock() + RESCAN_EVERY
        self._crosspost_wanted: str | None = None
        self._crosspost_at: datetime | None = None  # a delivery waiting for min_age or a retry
        self._known_ids: set[str] | None = None
        self._problems: set[str] = set()
        self.published: tuple = ()  # the last build's published posts (stubs or Posts)
        self._report: Any = None
        self._crosspost_posts: list = []
        self._crosspost_bodies: Any = None  # Post.digest -> Body from the same build
        self.started = clock()
        self.last_build: datetime | None = None
        self.last_build_error: str | None = None
        self.last_crosspost: datetime | None = None
        self.builds = 0
        self.scheduler = schedule.Scheduler()
        jobs.schedule_crossposts(self.scheduler, config, self.request_crosspost)

    # -- called from other threads: record and wake, never work ---------------------------

    def notify(self, is_config: bool = False) -> None:
        """A file changed under posts/ (or the config file did)."""
        self._changes.note(self.clock(), is_config=is_config)
        self.wake.set()

    def request_reload(self) -> None:
        """SIGHUP: re-read the config file on the next tick."""
        self._reload_now = True
        self.wake.set()

    def request_crosspost(self, reason: str) -> None:
        """Ask for a cross-posting pass on the next tick."""
        self._crosspost_wanted = reason
        self.wake.set()

    def stop(self) -> None:
        """SIGTERM/SIGINT: take no new work; crosspost stops between deliveries."""
        self.stopping.set()
        self.wake.set()

    # -- the core ----------------------------------------------------------------------------

    def tick(self, now: datetime) -> float:
        """Do whatever is due at `now`; return the seconds until something may next be due."""
        if self.stopping.is_set():
            return 0.0
        self._maybe_reload(now)
        built = self._build_due(now) and self.build(now)
        guarded("scheduler", self.scheduler.run_pending)
        if self._crosspost_at is not None and self._crosspost_at <= now:
            self._crosspost_at = None
            self._crosspost_wanted = self._crosspost_wanted or "a delivery is due"
        if self._crosspost_wanted and not self.stopping.is_set():
            self._start_crosspost(now, fresh=built)
        return self._sleep_for(now)

    def run_once(self) -> int:
        """`run --once`: one build and one cross-posting pass in this thread; the exit status."""
        now = self.clock()
        if not self.build(now):
            return 1
        if not jobs.enabled_endpoints(self.config):
            return 0
        if not self._take_posts(now):
            return 1
        return 0 if guarded("crosspost", lambda: self.crosspost("once")) else 1

    def _start_crosspost(self, now: datetime, *, fresh: bool) -> None:
        # Posts are loaded here, on the main thread, from a build at `now` (a no-op build costs
        # milliseconds), so the pass sees what the feeds show; the pass itself runs on the
        # worker. If the build fails the request stays and is retried with the build.
        if not jobs.enabled_endpoints(self.config):
            self._crosspost_wanted = None
            return
        if not (fresh or self.build(now)):
            return
        if not self._take_posts(now):
            return
        reason, self._crosspost_wanted = self._crosspost_wanted, None
        self.worker.submit("crosspost", lambda: self.crosspost(reason))

    def _take_posts(self, now: datetime) -> bool:
        """Load the posts the next pass delivers; False (logged) when they cannot be loaded."""
        try:
            self._crosspost_posts = self._published_posts(now)  # a queued pass picks up the newest
            self._crosspost_bodies = getattr(self._report, "bodies", None)  # rendered by the build
        except Exception as exc:
            log_failure("loading posts for cross-posting", exc)
            return False
        return True

    def _published_posts(self, now: datetime) -> list:
        """Full published posts of the last build (its report loads them on demand)."""
        try:
            return list(self._report.posts)
        except Exception as exc:  # a report that cannot load them: read the posts directly
            logger.debug("build report could not load posts (%r); loading them", exc)
            from ..build import load_posts
            return [p for p in load_posts(self.config).posts if p.is_published(now)]

    def _build_due(self, now: datetime) -> bool:
        settled = self._changes.posts_settled(now, self.config.daemon.debounce)
        due = [t for t in (self._build_at, self._next_due, self._next_rescan) if t is not None]
        return settled or any(t <= now for t in due)

    def build(self, now: datetime) -> bool:
        """Build the feeds; on success note new posts, ping hubs, and ask for a crosspost."""
        self._build_at = None
        self._next_rescan = now + RESCAN_EVERY
        try:
            report = self._build_fn(self.config, now=now)
            self._digest(report, now)
        except Exception as exc:
            log_failure("build", exc)
            self.last_build_error = str(exc) or type(exc).__name__
            self._build_at = now + RETRY_BUILD
            return False
        return True

    def _digest(self, report: Any, now: datetime) -> None:
        published = getattr(report, "published", None)  # cheap stubs; .posts loads in full
        self.published = tuple(report.posts if published is None else published)
        self._report = report
        self.builds += 1
        self.last_build, self.last_build_error = now, None
        due_before, self._next_due = self._next_due, getattr(report, "next_due", None)
        self._log_build(report, news=due_before != self._next_due)
        self._note_new_posts()
        written = list(getattr(report, "changed", None) or getattr(report, "written", ()))
        if written and self.config.feeds.hubs:
            urls = jobs.feed_urls(self.config, written)
            if urls:
                self.worker.submit("websub", lambda: self.ping(urls))

    def _note_new_posts(self) -> None:
        ids = {p.id for p in self.published}
        first = self._known_ids is None
        new = [p for p in self.published if p.id not in (self._known_ids or ids)]
        self._known_ids = ids
        for post in new:
            logger.info("published %s (%s)", post.source, getattr(post, "title", None) or post.url)
        if first or new:  # the first pass baselines new endpoints before any new post appears
            self.request_crosspost("startup" if first else "new posts")

    def _log_build(self, report: Any, *, news: bool) -> None:
        problems = {str(p) for p in report.problems}
        news = news or problems != self._problems
        for problem in sorted(problems - self._problems):
            logger.warning("post problem: %s", problem)
        for problem in sorted(self._problems - problems):
            logger.info("fixed: %s", problem)
        self._problems = problems
        written, removed = list(report.written), list(getattr(report, "removed", ()))
        level = logging.INFO if written or removed or news or self.builds == 1 else logging.DEBUG
        logger.log(level, "build: %d published posts, %d feed files written, %d removed, %s unchanged, "
                   "%d problems%s", len(self.published), len(written), len(removed),
                   getattr(report, "unchanged", "?"), len(problems),
                   f", next scheduled post at {self._next_due.isoformat()}" if self._next_due else "")

    def ping(self, urls: list[str]) -> None:
        """Tell the configured WebSub hubs that these feed URLs changed."""
        if self._session is None:
            self._session = jobs.http_session()
        jobs.ping(self._ping_fn, self._session, self.config.feeds.hubs, urls)

    def crosspost(self, reason: str) -> None:
        """One cross-posting pass over the published posts (runs on the worker thread)."""
        if self.stopping.is_set() or not jobs.enabled_endpoints(self.config):
            return
        now = self.clock()
        logger.info("crosspost: pass started (%s)", reason)
        report = self._crosspost_fn(self.config, self._crosspost_posts, now=now, session=self._session,
                                    sleep=self.stopping.wait, stop=self.stopping,
                                    bodies=self._crosspost_bodies)
        self.last_crosspost = now
        logger.info("crosspost: pass finished: %s", jobs.summary(report))
        # Deliveries held back by min_age or a backoff: come back for them when they are due
        # rather than at the next interval. Only future times, so a paused endpoint's old rows
        # cannot make the daemon spin.
        due = self._next_delivery_fn(self.config)
        floor = self.clock() + MIN_CROSSPOST_GAP
        if due is not None and due > now:
            self._crosspost_at = max(due, floor)
            logger.debug("crosspost: next delivery due at %s", due.isoformat())
            self.wake.set()

    def _sleep_for(self, now: datetime) -> float:
        times = [t for t in (self._build_at, self._next_due, self._next_rescan, self._crosspost_at)
                 if t is not None]
        times += self._changes.due(self.config.daemon.debounce)
        wait = min([(t - now).total_seconds() for t in times] + [MAX_SLEEP])
        idle = self.scheduler.idle_seconds
        if idle is not None:
            wait = min(wait, idle)
        return max(wait, 0.01)

    # -- config reload -----------------------------------------------------------------------

    def _maybe_reload(self, now: datetime) -> None:
        settled = self._changes.config_settled(now, self.config.daemon.debounce)
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
        for hook in self.on_reload:
            guarded("config reload hook", lambda: hook(old, new))
        self._build_at = self.clock()  # the fingerprint is in every post's digest
        return True

    # -- health ------------------------------------------------------------------------------

    def health(self) -> BuildHealth:
        """What /healthz shows of the builds; the server adds cross-posting status."""
        return BuildHealth(
            source="daemon", started=self.started.isoformat(),
            last_build=self.last_build.isoformat() if self.last_build else None,
            last_build_error=self.last_build_error, builds=self.builds,
            published_posts=len(self.published), problems=len(self._problems),
            next_scheduled_post=self._next_due.isoformat() if self._next_due else None,
            last_crosspost=self.last_crosspost.isoformat() if self.last_crosspost else None,
            next_delivery=self._crosspost_at.isoformat() if self._crosspost_at else None,
        )

    # -- the thin loop -----------------------------------------------------------------------

    def loop(self) -> None:
        """Tick until stop(); sleeps between ticks, woken early by notify/reload/stop."""
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
