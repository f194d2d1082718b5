"""`syndicator run`: watch posts, rebuild, publish scheduled posts, cross-post on a schedule, serve.

May import config, errors, model, posts, build, crosspost, endpoints.websub and server; never cli.
"""

from __future__ import annotations

from .builds import BuildNews, Builds
from .core import Daemon
from .crossposts import Crossposts
from .lock import StateLock
from .process import run
from .timing import Timers
from .worker import Worker

__all__ = ["BuildNews", "Builds", "Crossposts", "Daemon", "StateLock", "Timers", "Worker", "run"]
