"""HTTP serving of the feeds folder for `serve` and `run --serve`: files, the index page, /healthz.

May import config, errors, redact, render (file names, the placeholder page), crosspost (status for /healthz) and its index_page; never daemon or cli.
"""

from __future__ import annotations

from .files import Entity, FileCache
from .handler import Handler
from .health import BuildHealth, StatusCache, file_health, health_report, scrub
from .limits import ClientSlots, ServeLimits, client_key
from .listener import FeedServer, HealthFn, make_server, serve_in_thread
from .paths import content_type, resolve, safe_segments

__all__ = ["BuildHealth", "ClientSlots", "Entity", "FeedServer", "FileCache", "Handler", "HealthFn",
           "ServeLimits", "StatusCache", "client_key", "content_type", "file_health", "health_report",
           "make_server", "resolve", "safe_segments", "scrub", "serve_in_thread"]
