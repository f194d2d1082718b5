"""HTTP serving of the feeds output directory: `syndicator serve` and the daemon's server.

Why threads (http.server.ThreadingHTTPServer) and not asyncio: the work per request is a
stat, a cache lookup and one write of a few kilobytes, so a thread per connection costs
little; the standard library's HTTP/1.1 parser is mature and the handler stays plain
synchronous code that the daemon can run in a background thread next to its blocking
scheduler. Slow clients are contained by a per-connection socket timeout (a client that
stalls mid-request is dropped after `timeout` seconds) and a cap on concurrent connections
(beyond it a connection gets an immediate 503), so one slow client never blocks another.

What is served, and what never is (issue 4):

    /            index page for people (index_page.py), re-rendered when feed.json changes
    /healthz     JSON: last build, post counts, cross-posting status (secrets removed)
    /<file>      a regular file inside the output directory with a known feed type

Refused with 404: `..` and `.` segments (also percent-encoded), encoded `/` or `\\`,
backslashes, NUL and control characters, empty segments (`//`), any name starting with `.`
(dotfiles and the build's `.name.tmp-*` temporary files) or looking temporary, symlinks
that resolve outside the directory, directories, and file types not in _TYPES (so
feeds/README.md stays private). Methods other than GET and HEAD get 405.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import json
import logging
import os
import re
import socket
import socketserver
import stat
import threading
import time
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from . import __version__
from .config import Config

logger = logging.getLogger(__name__)

HealthFn = Callable[[], dict[str, Any]]

# Content types by file name first, then by suffix. Only these are ever served.
_BY_NAME = {
    "rss.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
}
_TYPES = {
    ".opml": "text/x-opml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json"}
_COMPRESSIBLE = ("text/", "application/")
_TEMPORARY = re.compile(r"(\.tmp(-.*)?|\.part|\.swp|~|\.bak)$|\.tmp-", re.IGNORECASE)
_ENCODED_SEPARATORS = ("%2f", "%5c", "%00")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SECRET_KEY = re.compile(r"token|secret|password|passwd|authorization|api_?key|credential|"
                         r"cookie|session|private", re.IGNORECASE)
_CACHE_ENTRIES = 512
_CACHE_MAX_BODY = 8 * 1024 * 1024


class Entity:
    """One representation to send: bytes, strong ETags (plain and gzip) and a modification time."""

    __slots__ = ("body", "etag", "etag_gz", "mtime", "_gz")

    def __init__(self, body: bytes, mtime: float | None) -> None:
        digest = hashlib.sha256(body).hexdigest()[:32]
        self.body = body
        self.etag = f'"{digest}"'
        self.etag_gz = f'"{digest}-gz"'  # a different representation needs its own strong tag
        self.mtime = None if mtime is None else int(mtime)  # HTTP dates have whole seconds
        self._gz: bytes | None = None

    def gzipped(self) -> bytes:
        """The gzip-encoded body, computed once (mtime=0 keeps the bytes deterministic)."""
        if self._gz is None:
            self._gz = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gz


class FileCache:
    """Reads files and remembers their ETags by (path, mtime_ns, size): no re-hashing per request."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[tuple[int, int], Entity]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: str) -> Entity | None:
        """The entity for a regular file, or None when it is missing or not a regular file."""
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            key = (st.st_mtime_ns, st.st_size)  # from the open file: consistent with its bytes
            with self._lock:
                hit = self._entries.get(path)
                if hit and hit[0] == key:
                    self._entries.move_to_end(path)
                    return hit[1]
            entity = Entity(fh.read(), st.st_mtime)
        if st.st_size <= _CACHE_MAX_BODY:
            with self._lock:
                self._entries[path] = (key, entity)
                self._entries.move_to_end(path)
                while len(self._entries) > _CACHE_ENTRIES:
                    self._entries.popitem(last=False)
        return entity


def content_type(name: str) -> str | None:
    """The Content-Type for a served file name, or None when the type is never served."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    return _TYPES.get(os.path.splitext(name)[1].lower())


def safe_segments(raw_path: str) -> tuple[str, ...] | None:
    """Split a request target into path segments, or None when it must not be served.

    `()` is the root. Decoding happens once, after refusing encoded separators, so
    `%2e%2e` becomes `..` and is refused like a literal one.
    """
    if raw_path.startswith(("http://", "https://")):  # absolute-form (RFC 9112 3.2.2)
        raw_path = urlsplit(raw_path).path or "/"
    path = raw_path.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or "\\" in path or any(e in path.lower() for e in _ENCODED_SEPARATORS):
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if decoded == "/":
        return ()
    segments = tuple(decoded[1:].split("/"))
    return None if any(map(_hidden, segments)) else segments


def _hidden(segment: str) -> bool:
    """Empty, `.`/`..`, a dotfile, a temporary file or a name with a backslash or control character."""
    return (not segment or segment.startswith(".") or "\\" in segment
            or bool(_CONTROL.search(segment)) or bool(_TEMPORARY.search(segment)))


def resolve(root: Path, segments: tuple[str, ...]) -> str | None:
    """The real path of `segments` under `root`, or None if it leaves root or is not servable."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, *segments))
    if os.path.commonpath([real, real_root]) != real_root or real == real_root:
        return None
    # A symlink inside may point at a dotfile or an unserved type inside: check the target too.
    if any(map(_hidden, os.path.relpath(real, real_root).split(os.sep))):
        return None
    if content_type(segments[-1]) is None or content_type(os.path.basename(real)) is None:
        return None
    return real


def scrub(value: Any) -> Any:
    """Drop anything that looks like a credential from a health report, recursively."""
    if isinstance(value, dict):
        return {k: ("[redacted]" if isinstance(k, str) and _SECRET_KEY.search(k) else scrub(v))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    return value


class Handler(BaseHTTPRequestHandler):
    """GET/HEAD of feed files, `/` and `/healthz`; every other method gets 405."""

    server: "FeedServer"
    server_version = f"syndicator/{__version__}"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        """The Server header: no Python version."""
        return self.server_version

    @property
    def timeout(self) -> float:  # type: ignore[override]  # read by StreamRequestHandler.setup
        return self.server.client_timeout

    def do_GET(self) -> None:
        """Serve a file, the index page or the health report."""
        self._dispatch(head=False)

    def do_HEAD(self) -> None:
        """Like GET without the body."""
        self._dispatch(head=True)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # every other method, known or not
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        self._error(405, "Method Not Allowed", extra={"Allow": "GET, HEAD"})

    def _dispatch(self, *, head: bool) -> None:
        try:
            segments = safe_segments(self.path)
            if segments is None:
                self._error(404, "Not Found")
            elif segments == ():
                entity = self.server.index.get()
                self._send(entity, "text/html; charset=utf-8", head=head, cache="no-cache")
            elif segments == ("healthz",):
                self._health(head=head)
            else:
                self._file(segments, head=head)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception:  # noqa: BLE001 - a bug answers 500 and is logged, never shown
            logger.exception("error serving %s %r", self.command, self.path)
            self._error(500, "Internal Server Error")

    def _file(self, segments: tuple[str, ...], *, head: bool) -> None:
        real = resolve(self.server.root, segments)
        entity = self.server.files.get(real) if real else None
        if entity is None:
            self._error(404, "Not Found")
            return
        ctype = content_type(segments[-1]) or "application/octet-stream"
        links = []
        if ctype.split(";")[0] in _FEED_TYPES and self.server.hubs:
            links = [f'<{hub}>; rel="hub"' for hub in self.server.hubs]
            links.append(f'<{self.server.feeds_url}{"/".join(segments)}>; rel="self"')
        self._send(entity, ctype, head=head, links=links)

    def _health(self, *, head: bool) -> None:
        try:
            report = scrub(self.server.health())
            status = 200
        except Exception:  # noqa: BLE001 - the health check itself failing is a 503, not a crash
            logger.exception("health check failed")
            report, status = {"status": "error", "error": "health check failed"}, 503
        body = json.dumps(report, indent=2, sort_keys=True, default=str).encode() + b"\n"
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _send(self, entity: Entity, ctype: str, *, head: bool, links: tuple[str, ...] | list[str] = (),
              cache: str = "no-cache") -> None:
        use_gz = ctype.startswith(_COMPRESSIBLE) and _accepts_gzip(self.headers.get("Accept-Encoding"))
        etag = entity.etag_gz if use_gz else entity.etag
        fresh = self._not_modified(entity)
        self.send_response(304 if fresh else 200)
        self.send_header("ETag", etag)
        if entity.mtime is not None:
            self.send_header("Last-Modified", email.utils.formatdate(entity.mtime, usegmt=True))
        self.send_header("Cache-Control", cache)
        self.send_header("Vary", "Accept-Encoding")
        for link in links:
            self.send_header("Link", link)
        if fresh:
            self.end_headers()
            return
        body = entity.gzipped() if use_gz else entity.body
        self.send_header("Content-Type", ctype)
        self.send_header("X-Content-Type-Options", "nosniff")
        if use_gz:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _not_modified(self, entity: Entity) -> bool:
        # RFC 9110 13.1.2/13.2.2: If-None-Match (weak comparison) wins over If-Modified-Since.
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return "*" in tags or entity.etag in tags or entity.etag_gz in tags
        ims = self.headers.get("If-Modified-Since")
        if ims is None or entity.mtime is None:
            return False
        try:
            since = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            return False
        if since is None or since.tzinfo is None:
            return False
        return entity.mtime <= since.timestamp()

    def _error(self, code: int, reason: str, *, extra: dict[str, str] | None = None) -> None:
        body = f"{code} {reason}\n".encode()
        self.send_response(code, reason)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol errors from the parser (400, 414, 431, 505): short text, then close."""
        self.close_connection = True
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # an unparseable line still gets a status line
        try:
            self._error(code, message or self.responses.get(code, ("Error",))[0])
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """One debug line per request through `logging`, never stderr."""
        logger.debug("%s %s", self.address_string(), format % args)


class FeedServer(ThreadingHTTPServer):
    """ThreadingHTTPServer over the feeds directory; see make_server()."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], *, root: Path, feeds_url: str,
                 hubs: tuple[str, ...], index: Any, health: HealthFn,
                 timeout: float, max_connections: int) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.root = root
        self.feeds_url = feeds_url
        self.hubs = hubs
        self.index = index
        self.health = health
        self.client_timeout = timeout
        self.files = FileCache()
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup: skip it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):  # full: answer at once rather than queue
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                b"Retry-After: 1\r\nConnection: close\r\n\r\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that failed outside a handler: log it, print nothing."""
        logger.debug("connection from %s failed", client_address, exc_info=True)


def file_health(config: Config) -> dict[str, Any]:
    """What a standalone server can tell from the files, plus cross-posting status if available."""
    out = config.feeds.output
    report: dict[str, Any] = {"status": "ok", "site": config.site.title, "source": "files",
                              "last_build": None, "posts_in_feed": None}
    newest = [p.stat().st_mtime for p in (out / "feed.json", out / "atom.xml", out / "rss.xml")
              if p.is_file()]
    if newest:
        report["last_build"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(max(newest)))
    try:
        items = json.loads((out / "feed.json").read_bytes()).get("items")
        report["posts_in_feed"] = len(items) if isinstance(items, list) else None
    except (OSError, ValueError, AttributeError):
        pass
    report["crosspost"] = _crosspost_status(config)
    return report


_status_cache: dict[str, tuple[float, Any]] = {}


def _crosspost_status(config: Config) -> Any:
    cached = _status_cache.get(config.fingerprint)
    if cached and time.monotonic() - cached[0] < 5:  # a SQLite read per health probe is plenty
        return cached[1]
    try:
        from . import crosspost  # optional: written in parallel, absent in a feeds-only install

        value = _summary(crosspost.status(config))
    except Exception as exc:  # noqa: BLE001 - health must answer even when the ledger cannot
        logger.debug("cross-posting status unavailable: %s", exc)
        value = {"available": False}
    _status_cache[config.fingerprint] = (time.monotonic(), value)
    return value


def _summary(status: Any) -> Any:
    """Per endpoint state and counts only: recent deliveries and error texts stay off /healthz."""
    if not isinstance(status, dict) or not isinstance(status.get("endpoints"), list):
        return status
    keep = ("name", "type", "enabled", "paused", "paused_reason", "counts")
    return {
        "endpoints": [{k: e.get(k) for k in keep if k in e} for e in status["endpoints"] if isinstance(e, dict)],
        "problems": len(status.get("problems") or ()),
        "retrying": len(status.get("retrying") or ()),
    }


def make_server(config: Config, *, host: str | None = None, port: int | None = None,
                health: HealthFn | None = None, timeout: float = 10.0,
                max_connections: int = 512) -> FeedServer:
    """A bound, not yet serving, server for config.feeds.output; call .serve_forever()."""
    from .index_page import IndexPage

    def report() -> dict[str, Any]:
        base = file_health(config) if health is None else {"status": "ok", **health()}
        return base

    return FeedServer(
        (config.server.host if host is None else host, config.server.port if port is None else port),
        root=config.feeds.output, feeds_url=config.feeds.url, hubs=config.feeds.hubs,
        index=IndexPage(config), health=report, timeout=timeout, max_connections=max_connections,
    )


def serve_in_thread(config: Config, **options: Any) -> FeedServer:
    """Start make_server(config, **options) in a daemon thread; stop with .shutdown(), .server_close()."""
    server = make_server(config, **options)
    thread = threading.Thread(target=server.serve_forever, name="syndicator-server", daemon=True)
    thread.start()
    server.thread = thread  # type: ignore[attr-defined]
    return server


def _accepts_gzip(header: str | None) -> bool:
    if not header:
        return False
    for part in header.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip().lower()
            if q.startswith("q="):
                try:
                    return float(q[2:]) > 0
                except ValueError:
                    return False
            return True
    return False
