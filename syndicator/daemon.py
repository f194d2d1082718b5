"""`syndicator run`: keep the feeds current, publish scheduled posts, cross-post on a schedule.

    watcher thread ──notify()──┐
    signal handlers ──stop()/reload()──┤
                               v
    main thread:  loop: tick(now) -> sleep until woken or the next thing is due
                     tick: reload config? -> build (debounced, next_due, rescan) -> schedule
                                  |                      |
                                  v                      v
    worker thread:          ping WebSub hubs         crosspost.run(stop=...)

`tick(now)` is the whole decision-making core and takes the time as an argument, so tests
drive it with a fake clock and fake build/crosspost functions. Every job is wrapped: an
exception is logged and the loop carries on (Pelican's daemon does the same); the build writes
atomically, so the last good feeds stay in place.
"""

from __future__ import annotations

import fcntl
import logging
import os
import queue
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import schedule

from . import config as config_module
from .config import Config
from .errors import DaemonError, SyndicatorError

logger = logging.getLogger(__name__)

MAX_SETTLE = 5.0  # seconds: a change that never settles (a log written into posts/) still builds
RESCAN_EVERY = timedelta(minutes=5)  # safety net for missed notifications; a no-op build is cheap
RETRY_BUILD = timedelta(seconds=30)  # after a failed build (disk full, unreadable dir)
MAX_SLEEP = 30.0  # wake at least this often, so wall-clock jumps are noticed
STOP_GRACE = 7.0  # seconds to let the delivery in flight finish on SIGTERM (systemd allows 90)
PING_TIMEOUT = 10.0
MIN_CROSSPOST_GAP = timedelta(seconds=2)  # between a pass and a follow-up for a due delivery


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _default_build(config: Config, *, now: datetime) -> Any:
    from .build import build
    return build(config, now=now)


def _default_crosspost(config: Config, posts: Any, **kwargs: Any) -> Any:
    from . import crosspost
    return crosspost.run(config, posts, **kwargs)


def _default_ping(session: Any, hubs: tuple[str, ...], urls: list[str], *, timeout: float) -> list[str]:
    from .endpoints.websub import ping_hubs
    return ping_hubs(session, hubs, urls, timeout=timeout)


def _default_next_delivery(config: Config) -> datetime | None:
    """When the ledger next has a delivery due (min_age waits, backoff retries), if ever."""
    from .ledger import open_ledger, parse_stamp
    from .targets import ledger_path

    ledger = open_ledger(ledger_path(config), readonly=True)
    if ledger is None:
        return None
    with ledger:
        rows = ledger.rows(states=["pending", "unknown"])
    return min((parse_stamp(r.next_attempt_at) for r in rows if r.next_attempt_at), default=None)


def _default_status(config: Config) -> dict:
    from . import crosspost
    return crosspost.status(config)


class StateLock:
    """One daemon per state directory: an flock on <state_dir>/daemon.lock holding our PID.

    The kernel drops an flock when its holder dies (SIGKILL included), so a stale file never
    blocks a restart.
    """

    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / "daemon.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise DaemonError naming the PID that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise DaemonError(f"another syndicator daemon (PID {holder}) is already running on "
                              f"{self.path.parent} (lock {self.path})", pid=holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Drop the lock (the file stays: unlinking it would race a starting daemon)."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "StateLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class Worker:
    """One background thread running named jobs in order; a job already queued is not queued twice.

    With threaded=False jobs run at once in the caller's thread (for tests and --once).
    """

    def __init__(self, *, threaded: bool = True) -> None:
        self.threaded = threaded
        self._queue: queue.Queue[tuple[str, Callable[[], None]] | None] = queue.Queue()
        self._queued: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.running: str | None = None

    def submit(self, name: str, job: Callable[[], None]) -> None:
        """Run `job` soon, unless a job of the same name is already waiting."""
        if not self.threaded:
            _guarded(name, job)
            return
        with self._lock:
            if name in self._queued:
                return
            self._queued.add(name)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="syndicator-worker", daemon=True)
            self._thread.start()
        self._queue.put((name, job))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            name, job = item
            with self._lock:
                self._queued.discard(name)
            self.running = name
            _guarded(name, job)
            self.running = None

    def close(self, timeout: float) -> bool:
        """Stop after the job in flight; True if it finished within `timeout` seconds."""
        if self._thread is None:
            return True
        with self._lock:  # drop waiting jobs: no new work after a stop
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queued.clear()
        self._queue.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()


def _guarded(name: str, job: Callable[[], Any]) -> bool:
    """Run one job; log any exception (traceback for the unexpected) and report success."""
    try:
        job()
        return True
    except Exception as exc:
        _log_failure(name, exc)
        return False


def _log_failure(name: str, exc: BaseException) -> None:
    """Expected errors get their message (traceback at debug); anything else its traceback."""
    if isinstance(exc, SyndicatorError):
        logger.error("%s failed: %s", name, exc)
        logger.debug("%s traceback", name, exc_info=exc)
    else:
        logger.error("%s failed with an unexpected error: %r", name, exc, exc_info=exc)


class Daemon:
    """The daemon's state and its one decision function, tick(now)."""

    def __init__(self, config: Config, *, clock: Callable[[], datetime] = _utcnow,
                 build: Callable[..., Any] = _default_build,
                 crosspost: Callable[..., Any] = _default_crosspost,
                 ping: Callable[..., list[str]] = _default_ping,
                 status: Callable[[Config], dict] = _default_status,
                 next_delivery: Callable[[Config], datetime | None] = _default_next_delivery,
                 load_config: Callable[[Path], Config] = config_module.load,
                 session: Any = None, threaded: bool = True) -> None:
        self.config = config
        self.clock = clock
        self._build_fn, self._crosspost_fn, self._ping_fn = build, crosspost, ping
        self._status_fn, self._load_config = status, load_config
        self._next_delivery_fn = next_delivery
        self._session = session
        self.worker = Worker(threaded=threaded)
        self.stopping = threading.Event()  # given to crosspost as `stop`
        self.wake = threading.Event()
        self.on_reload: list[Callable[[Config, Config], None]] = []
        self._lock = threading.Lock()
        self._changed_first: datetime | None = None
        self._changed_last: datetime | None = None
        self._config_changed: datetime | None = None
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
        self.started = clock()
        self.last_build: datetime | None = None
        self.last_build_error: str | None = None
        self.last_crosspost: datetime | None = None
        self.builds = 0
        self._status_cache: tuple[float, Any] | None = None
        self.scheduler = schedule.Scheduler()
        self._schedule_jobs()

    # -- called from other threads: record and wake, never work ---------------------------

    def notify(self, is_config: bool = False) -> None:
        """A file changed under posts/ (or the config file did)."""
        now = self.clock()
        with self._lock:
            if is_config:
                self._config_changed = now
            else:
                self._changed_first = self._changed_first or now
                self._changed_last = now
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
        _guarded("scheduler", self.scheduler.run_pending)
        if self._crosspost_at is not None and self._crosspost_at <= now:
            self._crosspost_at = None
            self._crosspost_wanted = self._crosspost_wanted or "a delivery is due"
        if self._crosspost_wanted and not self.stopping.is_set():
            self._start_crosspost(now, fresh=built)
        return self._sleep_for(now)

    def _start_crosspost(self, now: datetime, *, fresh: bool) -> None:
        # Posts are loaded here, on the main thread, from a build at `now` (a no-op build costs
        # milliseconds), so the pass sees what the feeds show; the pass itself runs on the
        # worker. If the build fails the request stays and is retried with the build.
        if not _enabled_endpoints(self.config):
            self._crosspost_wanted = None
            return
        if not (fresh or self.build(now)):
            return
        try:
            posts = self._published_posts(now)
        except Exception as exc:
            _log_failure("loading posts for cross-posting", exc)
            return
        reason, self._crosspost_wanted = self._crosspost_wanted, None
        self._crosspost_posts = posts  # a pass already queued picks up the newest list
        self.worker.submit("crosspost", lambda: self.crosspost(reason))

    def _published_posts(self, now: datetime) -> list:
        """Full published posts of the last build (its report loads them on demand)."""
        try:
            return list(self._report.posts)
        except Exception as exc:  # a report that cannot load them: read the posts directly
            logger.debug("build report could not load posts (%r); loading them", exc)
            from .loader import load_posts
            return [p for p in load_posts(self.config).posts if p.is_published(now)]

    def _build_due(self, now: datetime) -> bool:
        with self._lock:
            first, last = self._changed_first, self._changed_last
            settled = last is not None and (
                (now - last).total_seconds() >= self.config.daemon.debounce
                or (now - first).total_seconds() >= MAX_SETTLE
                or last > now)  # the wall clock went back: do not wait for it
            if settled:
                self._changed_first = self._changed_last = None
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
            _log_failure("build", exc)
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
        ids = {p.id for p in self.published}
        first = self._known_ids is None
        new = [p for p in self.published if p.id not in (self._known_ids or ids)]
        self._known_ids = ids
        for post in new:
            logger.info("published %s (%s)", post.source, getattr(post, "title", None) or post.url)
        if first or new:  # the first pass baselines new endpoints before any new post appears
            self.request_crosspost("startup" if first else "new posts")
        written = list(getattr(report, "changed", None) or getattr(report, "written", ()))
        if written and self.config.feeds.hubs:
            urls = self._feed_urls(written)
            if urls:
                self.worker.submit("websub", lambda: self.ping(urls))

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

    def _feed_urls(self, written: list[Path]) -> list[str]:
        out = self.config.feeds.output.resolve()
        urls = []
        for path in written:
            try:
                rel = Path(path).resolve().relative_to(out).as_posix()
            except ValueError:
                continue
            if rel.endswith((".xml", ".json")):  # feeds are WebSub topics; the OPML list is not
                urls.append(self.config.feeds.url + rel)
        return sorted(urls)

    def ping(self, urls: list[str]) -> None:
        """Tell the configured WebSub hubs that these feed URLs changed."""
        hubs = self.config.feeds.hubs
        problems = self._ping_fn(self._get_session(), hubs, urls, timeout=PING_TIMEOUT)
        for problem in problems:  # ping_hubs has logged each one as a warning
            logger.debug("websub: %s", problem)
        logger.info("websub: pinged %d hub(s) for %d feed(s)%s", len(hubs), len(urls),
                    f", {len(problems)} problem(s)" if problems else "")

    def crosspost(self, reason: str) -> None:
        """One cross-posting pass over the published posts (runs on the worker thread)."""
        if self.stopping.is_set() or not _enabled_endpoints(self.config):
            return
        now = self.clock()
        logger.info("crosspost: pass started (%s)", reason)
        report = self._crosspost_fn(self.config, self._crosspost_posts, now=now, session=self._session,
                                    sleep=self.stopping.wait, stop=self.stopping)
        self.last_crosspost = now
        logger.info("crosspost: pass finished: %s", _summary(report))
        # Deliveries held back by min_age or a backoff: come back for them when they are due
        # rather than at the next interval. Only future times, so a paused endpoint's old rows
        # cannot make the daemon spin.
        due = self._next_delivery_fn(self.config)
        floor = self.clock() + MIN_CROSSPOST_GAP
        if due is not None and due > now:
            self._crosspost_at = max(due, floor)
            logger.debug("crosspost: next delivery due at %s", due.isoformat())
            self.wake.set()

    def _get_session(self) -> Any:
        if self._session is None:
            import requests
            from . import __version__
            self._session = requests.Session()
            self._session.headers["User-Agent"] = f"syndicator/{__version__}"
        return self._session

    def _sleep_for(self, now: datetime) -> float:
        times = [t for t in (self._build_at, self._next_due, self._next_rescan, self._crosspost_at)
                 if t is not None]
        with self._lock:
            if self._changed_last is not None:
                times.append(min(self._changed_last + timedelta(seconds=self.config.daemon.debounce),
                                 self._changed_first + timedelta(seconds=MAX_SETTLE)))
            if self._config_changed is not None:
                times.append(self._config_changed + timedelta(seconds=self.config.daemon.debounce))
        wait = min([(t - now).total_seconds() for t in times] + [MAX_SLEEP])
        idle = self.scheduler.idle_seconds
        if idle is not None:
            wait = min(wait, idle)
        return max(wait, 0.01)

    # -- config reload -----------------------------------------------------------------------

    def _maybe_reload(self, now: datetime) -> None:
        with self._lock:
            changed = self._config_changed
            settled = changed is not None and (
                (now - changed).total_seconds() >= self.config.daemon.debounce or changed > now)
            if settled:
                self._config_changed = None
        if not (settled or self._reload_now):
            return
        self._reload_now = False
        self.reload()

    def reload(self) -> bool:
        """Re-read the config file; a broken one is logged and the running config kept."""
        old = self.config
        try:
            new = self._load_config(old.path)
        except Exception as exc:
            logger.error("config reload failed, keeping the running configuration: %s", exc)
            logger.debug("config reload traceback", exc_info=True)
            return False
        if new.fingerprint == old.fingerprint:
            logger.debug("config unchanged")
            return True
        if new.state_dir.resolve() != old.state_dir.resolve():
            # The lock, the ledger and the cache live there; moving them under a running
            # daemon would let a second daemon start on the old directory.
            logger.error("config reload: state_dir changed (%s -> %s); restart the daemon to "
                         "move it. Keeping the running configuration.", old.state_dir, new.state_dir)
            return False
        self.config = new
        logger.info("config reloaded from %s", new.path)
        self._schedule_jobs()
        for hook in self.on_reload:
            _guarded("config reload hook", lambda: hook(old, new))
        self._build_at = self.clock()  # the fingerprint is in every post's digest
        return True

    # -- the cross-posting schedule ----------------------------------------------------------

    def _schedule_jobs(self) -> None:
        self.scheduler.clear("crosspost")
        every = int(self.config.daemon.crosspost_every.total_seconds())
        if every > 0:
            self.scheduler.every(every).seconds.do(self.request_crosspost, "schedule").tag("crosspost")
        for at in self.config.daemon.crosspost_at:
            self._schedule_at(at)

    def _schedule_at(self, at: str) -> None:
        # `schedule` counts times of day in the machine's local time and needs pytz for
        # others; the config means the site's time zone. Convert for the next occurrence and
        # re-register after each run, so DST changes are followed.
        tz = self.config.site.timezone
        hour, minute = (int(x) for x in at.split(":"))
        now = datetime.now(tz)
        target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if target <= now:
            target = (target + timedelta(days=1)).replace(hour=hour, minute=minute)
        local = target.astimezone()

        def job() -> Any:
            self.request_crosspost(f"daily at {at}")
            self._schedule_at(at)
            return schedule.CancelJob

        self.scheduler.every().day.at(local.strftime("%H:%M")).do(job).tag("crosspost")

    # -- health ------------------------------------------------------------------------------

    def health(self) -> dict:
        """What /healthz shows: last build, published posts, cross-posting per endpoint."""
        cross = self._crosspost_status()
        return {
            "status": "ok" if self.last_build_error is None and self.last_build else "degraded",
            "pid": os.getpid(),
            "started": self.started.isoformat(),
            "last_build": self.last_build.isoformat() if self.last_build else None,
            "last_build_error": self.last_build_error,
            "builds": self.builds,
            "published_posts": len(self.published),
            "problems": len(self._problems),
            "next_scheduled_post": self._next_due.isoformat() if self._next_due else None,
            "last_crosspost": self.last_crosspost.isoformat() if self.last_crosspost else None,
            "next_delivery": self._crosspost_at.isoformat() if self._crosspost_at else None,
            "crosspost": cross,
        }

    def _crosspost_status(self) -> Any:
        cached = self._status_cache
        if cached and time.monotonic() - cached[0] < 5:  # one SQLite read per 5 s of probes
            return cached[1]
        try:
            value = self._status_fn(self.config)
        except Exception as exc:  # the health page must answer even when the ledger cannot
            logger.debug("cross-posting status unavailable: %s", exc)
            value = {"available": False}
        self._status_cache = (time.monotonic(), value)
        return value

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


def _enabled_endpoints(config: Config) -> bool:
    """Whether any [[endpoints]] table is enabled (the example config ships them disabled)."""
    return any(table.get("enabled", True) is not False for table in config.endpoints)


def _summary(report: Any) -> str:
    """One line for a crosspost report, whatever its shape."""
    if report is None:
        return "done"
    summary = getattr(report, "summary", None)
    if callable(summary):
        return str(summary())
    if isinstance(summary, str):
        return summary
    return str(report)


# -- the process: lock, watcher, server, signals ----------------------------------------------


def run(config: Config, *, once: bool = False, serve: bool | None = None, poll: bool = False,
        host: str | None = None, port: int | None = None) -> int:
    """`syndicator run`: the daemon (or one pass with once=True). Returns the exit status.

    Raises DaemonError when another daemon holds the state directory.
    """
    lock = StateLock(config.state_dir)
    lock.acquire()
    try:
        if once:
            return _run_once(config)
        return _run_forever(config, serve=config.daemon.serve if serve is None else serve,
                            poll=poll, host=host, port=port)
    finally:
        lock.release()


def _run_once(config: Config) -> int:
    daemon = Daemon(config, threaded=False)
    restore = _install_signals(daemon, hup=False)
    try:
        now = daemon.clock()
        if not daemon.build(now):
            return 1
        if not _enabled_endpoints(config):
            return 0
        try:
            daemon._crosspost_posts = daemon._published_posts(now)
        except Exception as exc:
            _log_failure("loading posts for cross-posting", exc)
            return 1
        ok = _guarded("crosspost", lambda: daemon.crosspost("once"))
        return 0 if ok else 1
    finally:
        restore()


def _run_forever(config: Config, *, serve: bool, poll: bool, host: str | None,
                 port: int | None) -> int:
    from .watch import Watcher

    daemon = Daemon(config)
    skip = (config.feeds.output, config.state_dir)
    watcher = Watcher(config.posts_dir, config.path, daemon.notify, poll=poll, skip=skip)
    server = None
    restore = _install_signals(daemon, hup=True)
    try:
        watcher.start()
        logger.info("watching %s (%s) and %s", config.posts_dir, watcher.mode, config.path)

        def rewatch(old: Config, new: Config) -> None:
            nonlocal watcher
            if (old.posts_dir, old.path) != (new.posts_dir, new.path):
                watcher.stop()
                watcher = Watcher(new.posts_dir, new.path, daemon.notify, poll=poll,
                                  skip=(new.feeds.output, new.state_dir))
                watcher.start()
                logger.info("now watching %s (%s) and %s", new.posts_dir, watcher.mode, new.path)
            if server is not None and (old.server, old.feeds.output) != (new.server, new.feeds.output):
                logger.warning("server address and feeds directory changes take effect on restart")

        daemon.on_reload.append(rewatch)
        if serve:
            server = _start_server(config, daemon, host=host, port=port)
        logger.info("syndicator daemon started (PID %d)", os.getpid())
        daemon.loop()
        logger.info("stopping")
        daemon.shutdown()
    finally:
        watcher.stop()
        if server is not None:
            server.shutdown()
            server.server_close()
        restore()
    logger.info("stopped")
    return 0


def _start_server(config: Config, daemon: Daemon, *, host: str | None, port: int | None) -> Any:
    from .server import serve_in_thread

    try:
        server = serve_in_thread(config, host=host, port=port, health=daemon.health)
    except OSError as exc:
        raise DaemonError(f"cannot serve on {host or config.server.host}:"
                          f"{config.server.port if port is None else port}: {exc.strerror}") from None
    bound_host, bound_port = server.server_address[:2]
    logger.info("serving %s on http://%s:%d/", config.feeds.output,
                f"[{bound_host}]" if ":" in str(bound_host) else bound_host, bound_port)
    return server


def _install_signals(daemon: Daemon, *, hup: bool) -> Callable[[], None]:
    """SIGTERM/SIGINT stop, SIGHUP reloads. Returns a function restoring the old handlers.

    A handler runs on the main thread between bytecodes, possibly while that thread holds one
    of the daemon's locks, so it only starts a thread that does the (locking) work.
    """
    import signal

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    owner = os.getpid()

    def later(fn: Callable[[], None]) -> Callable[[int, Any], None]:
        def handler(signum: int, frame: Any) -> None:
            if os.getpid() != owner:
                # A forked child (the build's worker pool) inherited this handler; the pool
                # ends its workers with SIGTERM, so act as if no handler were installed.
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)
                return
            if signum != signal.SIGHUP and daemon.stopping.is_set():
                logger.warning("already stopping; waiting for the delivery in flight")
            threading.Thread(target=fn, name="syndicator-signal", daemon=True).start()
        return handler

    wanted = {signal.SIGTERM: later(daemon.stop), signal.SIGINT: later(daemon.stop)}
    if hup:
        wanted[signal.SIGHUP] = later(_log_reload(daemon))
    previous = {sig: signal.signal(sig, handler) for sig, handler in wanted.items()}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return restore


def _log_reload(daemon: Daemon) -> Callable[[], None]:
    def reload() -> None:
        logger.info("SIGHUP: reloading configuration")
        daemon.request_reload()
    return reload
