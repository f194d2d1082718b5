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

Modules: core (the Daemon, tick and the loop), changes (debouncing the watcher's
notifications), jobs (the cross-posting schedule, WebSub pings), worker (the worker thread and
the job guard), signals (signal handlers, config reload checks), lock (one daemon per state
directory), calls (the real build/crosspost/ledger calls), process (run: lock, watcher,
server, signals). They all log as `syndicator.daemon`.
"""

from __future__ import annotations

from .core import Daemon
from .lock import StateLock
from .process import run
from .worker import Worker

__all__ = ["Daemon", "StateLock", "Worker", "run"]
