"""FakeFeedServer: a blog's feed host on 127.0.0.1, speaking HTTP the way real ones do.

    with FakeFeedServer() as host:
        url = host.publish("/feed.xml", rss_bytes)        # new ETag and Last-Modified each time
        host.redirect("/old.xml", "/feed.xml", 301)       # 301/302/307/308
        host.status("/gone.xml", 410)                     # any status, optional headers
        host.status("/busy.xml", 429, {"Retry-After": "120"})
        host.stream("/huge.xml", 1 << 30)                 # a body that never ends (chunked)
        host.delay = 0.3                                  # answer slowly
        host.requests                                     # (path, headers) as received

Conditional GET: If-None-Match / If-Modified-Since answer 304 when they match. gzip when the
client accepts it and `gzip=True` (the default). Every response closes the connection.
"""

from __future__ import annotations

import gzip as gzip_mod
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class _Doc:
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str


@dataclass
class _Route:
    kind: str  # "redirect", "status", "stream"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    size: int = 0


class FakeFeedServer:
    """Serves feeds with ETag/Last-Modified, redirects, errors and endless bodies."""

    def __init__(self, *, gzip: bool = True, validators: bool = True) -> None:
        self.gzip = gzip
        self.validators = validators
        self.lock = threading.Lock()
        self.docs: dict[str, _Doc] = {}
        self.routes: dict[str, _Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._version = 0
        self.delay = 0.0  # seconds to wait before answering (a slow blog host)
        self.arrivals = 0  # requests received, counted before the delay (a test can act mid-request)
        self._httpd: ThreadingHTTPServer | None = None

    def __enter__(self) -> "FakeFeedServer":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                fake._handle(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self._httpd is not None
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def publish(self, path: str, body: bytes, *, content_type: str = "application/rss+xml") -> str:
        """Serve `body` at `path` with fresh validators; returns the URL."""
        with self.lock:
            self._version += 1
            etag = f'"v{self._version}"' if self.validators else None
            modified = formatdate(1_700_000_000 + self._version, usegmt=True) if self.validators else None
            self.docs[path] = _Doc(body, etag, modified, content_type)
            self.routes.pop(path, None)
        return self.base_url + path

    def redirect(self, path: str, to: str, status: int = 301) -> str:
        """Answer `path` with a redirect to `to` (a path or a URL)."""
        location = to if "://" in to else self.base_url + to
        self.routes[path] = _Route("redirect", status, {"Location": location})
        return self.base_url + path

    def status(self, path: str, status: int, headers: dict[str, str] | None = None) -> str:
        """Answer `path` with `status` (and headers), no feed."""
        self.routes[path] = _Route("status", status, dict(headers or {}))
        return self.base_url + path

    def stream(self, path: str, size: int) -> str:
        """Answer `path` with `size` bytes of an ever-growing RSS document, chunked, no length."""
        self.routes[path] = _Route("stream", 200, {}, size)
        return self.base_url + path

    def hits(self, path: str) -> int:
        """How many requests `path` received."""
        with self.lock:
            return sum(1 for p, _ in self.requests if p == path)

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path.split("?", 1)[0]
        with self.lock:
            self.arrivals += 1
        if self.delay:
            time.sleep(self.delay)
        headers = {k.lower(): v for k, v in h.headers.items()}
        with self.lock:
            self.requests.append((path, headers))
            route, doc = self.routes.get(path), self.docs.get(path)
        if route is not None and route.kind == "stream":
            return self._stream(h, route.size)
        if route is not None:
            return self._send(h, route.status, b"", route.headers)
        if doc is None:
            return self._send(h, 404, b"not found", {"Content-Type": "text/plain"})
        if self._fresh(doc, headers):
            return self._send(h, 304, b"", self._validators(doc))
        body, extra = doc.body, {"Content-Type": doc.content_type, **self._validators(doc)}
        if self.gzip and "gzip" in headers.get("accept-encoding", ""):
            body, extra["Content-Encoding"] = gzip_mod.compress(body, mtime=0), "gzip"
        return self._send(h, 200, body, extra)

    @staticmethod
    def _fresh(doc: _Doc, headers: dict[str, str]) -> bool:
        if doc.etag and "if-none-match" in headers:
            return doc.etag in [t.strip() for t in headers["if-none-match"].split(",")]
        return bool(doc.last_modified and headers.get("if-modified-since") == doc.last_modified)

    @staticmethod
    def _validators(doc: _Doc) -> dict[str, str]:
        out = {}
        if doc.etag:
            out["ETag"] = doc.etag
        if doc.last_modified:
            out["Last-Modified"] = doc.last_modified
        return out

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
        try:
            h.send_response(status)
            for name, value in headers.items():
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(body)))
            h.send_header("Connection", "close")
            h.end_headers()
            if body and status != 304:
                h.wfile.write(body)
        except OSError:
            pass
        h.close_connection = True

    @staticmethod
    def _stream(h: BaseHTTPRequestHandler, size: int) -> None:
        chunk = b"<item><title>x</title></item>" * 2000
        try:
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.send_header("Transfer-Encoding", "chunked")
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(b"%x\r\n<rss><channel>\r\n" % len(b"<rss><channel>"))
            sent = 0
            while sent < size:
                h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client gave up, as it should
        h.close_connection = True
