"""The request handler: GET/HEAD of feed files, the index page and /healthz, with ETags and gzip."""

from __future__ import annotations

import email.utils
import hmac
import io
import ipaddress
import json
import logging
import os
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from .. import __version__
from .files import Entity
from .health import health_report
from .limits import DeadlineReader
from .paths import content_type, resolve, safe_segments

if TYPE_CHECKING:
    from .listener import FeedServer

logger = logging.getLogger(__package__)  # the server's lines keep the name `syndicator.server`

_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json"}
_COMPRESSIBLE = ("text/", "application/")
_PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")  # a loopback peer relaying someone else


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
        return self.server.limits.silence

    def setup(self) -> None:
        """Read requests through a deadline, so a slow or idle client cannot hold its slot."""
        super().setup()
        self.rfile.close()
        self._reader = DeadlineReader(self.connection, silence=self.server.limits.silence)
        self.rfile = io.BufferedReader(self._reader)
        self._said_close = False

    def handle_one_request(self) -> None:
        """Wait for one request; its line and headers must arrive within the header timeout."""
        self._reader.deadline = time.monotonic() + self.server.limits.header_timeout
        self._said_close = False
        super().handle_one_request()

    def parse_request(self) -> bool:
        """Parse the line and headers; a request with a body is answered and the connection closed.

        The body is never read, so on a kept-alive connection it could be taken for the next
        request (request smuggling behind a pooling proxy): closing makes that impossible.
        """
        ok = super().parse_request()
        self.connection.settimeout(self.server.limits.silence)  # the response's writes
        if ok and _has_body(self.headers):
            self.close_connection = True
        return ok

    def handle_expect_100(self) -> bool:
        """No `100 Continue`: the body is never read, so do not invite it."""
        return True

    def send_header(self, keyword: str, value: str) -> None:
        """Send one header, noting whether it told the client the connection closes."""
        if keyword.lower() == "connection" and value.lower() == "close":
            self._said_close = True
        super().send_header(keyword, value)

    def end_headers(self) -> None:
        """End the headers, saying `Connection: close` when the connection will close."""
        if self.close_connection and not self._said_close and self.request_version != "HTTP/0.9":
            self.send_header("Connection", "close")
        super().end_headers()

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
        paths = self.server.current().feeds.paths
        real = resolve(self.server.root, segments, paths)
        entity = self.server.files.get(real) if real else None
        if entity is None:
            self._error(404, "Not Found")
            return
        ctype = content_type("/".join(segments), paths) or "application/octet-stream"
        links = []
        if ctype.split(";")[0] in _FEED_TYPES and self.server.hubs:
            links = [f'<{hub}>; rel="hub"' for hub in self.server.hubs]
            links.append(f'<{self.server.feeds_url}{"/".join(segments)}>; rel="self"')
        self._send(entity, ctype, head=head, links=links)

    def _trusted(self) -> bool:
        """Whether this client may see paths and the PID: the configured token, or a loopback peer."""
        token = self.server.health_token
        given = self.headers.get("Authorization", "")
        if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
        if any(name in self.headers for name in _PROXY_HEADERS):
            return False
        try:
            ip = ipaddress.ip_address(self.client_address[0].split("%", 1)[0])
        except ValueError:
            return False
        return ip.is_loopback or bool(getattr(ip, "ipv4_mapped", None) and ip.ipv4_mapped.is_loopback)

    def _health(self, *, head: bool) -> None:
        try:
            report = health_report(self.server.health(), self.server.status.get(), config=self.server.config,
                                   pid=os.getpid(), private=self._trusted())
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


def _has_body(headers: Any) -> bool:
    """Whether a request says a body follows (any Transfer-Encoding, or a Content-Length but 0)."""
    if headers.get("Transfer-Encoding") is not None:
        return True
    lengths = headers.get_all("Content-Length") or []
    return any(value.strip() != "0" for value in lengths)


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
