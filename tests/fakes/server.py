"""FakeServer: the real-HTTP base every platform fake builds on.

A ThreadingHTTPServer on 127.0.0.1, port 0, in a daemon thread. Subclasses implement
`respond(req) -> Reply` and keep their state under `self.lock`. The base records every request
(`self.requests`), runs scripted faults, and serves static files (`serve_file`).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, parse_qsl, urlsplit


@dataclass
class Request:
    """One request as received."""

    method: str
    path: str  # without the query
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes

    @property
    def json(self) -> Any:
        """The body parsed as JSON (None if it is not JSON)."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def form(self) -> dict[str, list[str]]:
        """The body parsed as application/x-www-form-urlencoded."""
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    @property
    def form_pairs(self) -> list[tuple[str, str]]:
        """The form body as ordered pairs (repeated keys kept)."""
        return parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def bearer(self) -> str | None:
        """The token of an `Authorization: Bearer` header."""
        value = self.headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else None


@dataclass
class Reply:
    """What a handler answers."""

    status: int = 200
    body: Any = b""  # bytes, str, or anything JSON-serialisable
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode("utf-8"), "text/plain; charset=utf-8"
        return json.dumps(self.body).encode("utf-8"), "application/json"


def json_reply(status: int, body: Any, **headers: str) -> Reply:
    """A JSON reply."""
    return Reply(status, body, dict(headers))


@dataclass
class _Fault:
    mode: str  # "fail", "delay", "apply_then", "reset"
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    seconds: float = 0.0
    apply: bool = True
    match: Callable[[Request], bool] | None = None


class FakeServer:
    """Base class. Use as a context manager, or call start()/stop()."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self.errors: list[Exception] = []  # exceptions raised by respond(): fake bugs
        self._faults: deque[_Fault] = deque()
        self._files: dict[str, tuple[bytes, str]] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "FakeServer":
        """Listen on 127.0.0.1 at a free port and serve in a daemon thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _any(self) -> None:
                fake._dispatch(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _any

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True,
                                        name=type(self).__name__)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT (no trailing slash)."""
        assert self._httpd is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return self._httpd.server_address[1]

    # -- scripted faults ----------------------------------------------------------------------

    def fail_next(self, n: int = 1, *, status: int = 503, headers: dict[str, str] | None = None,
                  body: Any = None, match: Callable[[Request], bool] | None = None) -> None:
        """Answer the next n requests with `status` without applying them."""
        for _ in range(n):
            self._faults.append(_Fault("fail", status, dict(headers or {}), body, match=match))

    def apply_then(self, status: int = 504, n: int = 1, *, headers: dict[str, str] | None = None,
                   body: Any = None, match: Callable[[Request], bool] | None = None) -> None:
        """Apply the next n requests, then answer `status` instead of the real answer."""
        for _ in range(n):
            self._faults.append(_Fault("apply_then", status, dict(headers or {}), body,
                                       match=match))

    def delay_next(self, seconds: float, n: int = 1, *, apply: bool = True,
                   match: Callable[[Request], bool] | None = None) -> None:
        """Wait `seconds` before handling the next n requests (past the client's timeout).

        With apply=True (the default) the request is then applied anyway: the client timed out
        but the post exists, the case that makes duplicates.
        """
        for _ in range(n):
            self._faults.append(_Fault("delay", seconds=seconds, apply=apply, match=match))

    def reset_next(self, n: int = 1, *, apply: bool = True,
                   match: Callable[[Request], bool] | None = None) -> None:
        """Close the connection without an answer for the next n requests (after applying)."""
        for _ in range(n):
            self._faults.append(_Fault("reset", apply=apply, match=match))

    def clear_faults(self) -> None:
        """Forget every scripted fault not yet used."""
        with self.lock:
            self._faults.clear()

    # -- static files ------------------------------------------------------------------------

    def serve_file(self, path: str, data: bytes, content_type: str = "image/png") -> str:
        """Serve `data` at GET path (no auth, no faults); returns its absolute URL."""
        if not path.startswith("/"):
            path = "/" + path
        self._files[path] = (data, content_type)
        return self.base_url + path

    # -- to implement ------------------------------------------------------------------------

    def respond(self, req: Request) -> Reply:
        """The platform's behaviour. Called with self.lock held."""
        return Reply(404, {"error": "not found"})

    # -- plumbing ----------------------------------------------------------------------------

    def _take_fault(self, req: Request) -> _Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.match is None or fault.match(req):
                    self._faults.remove(fault)
                    return fault
        return None

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        req = Request(h.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                      {k.lower(): v for k, v in h.headers.items()}, body)
        if h.command == "GET" and parts.path in self._files:
            data, ctype = self._files[parts.path]
            return self._write(h, Reply(200, data, {"Content-Type": ctype}))
        with self.lock:
            self.requests.append(req)
            early = self.arrived(req)
        if early is not None:
            return self._write(h, early)
        try:
            reply, quiet = self._serve(req)
        finally:
            # Before the client hears back, as on a real platform: a retry that follows the
            # answer at once must not find the request still being handled.
            with self.lock:
                self.left(req)
        if reply is not None:
            return self._write(h, reply, quiet=quiet)
        h.close_connection = True  # reset: close without an answer
        try:
            h.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return None

    def arrived(self, req: Request) -> Reply | None:
        """Hook before faults and respond(), under the lock: a Reply here answers at once."""
        return None

    def left(self, req: Request) -> None:
        """Hook after the request was answered (or dropped), under the lock."""

    def _serve(self, req: Request) -> tuple[Reply | None, bool]:
        """Handle the request with its scripted fault: (the answer or None to reset, quiet)."""
        fault = self._take_fault(req)
        if fault is None:
            return self._apply(req), False
        if fault.mode == "fail":
            return Reply(fault.status, fault.body if fault.body is not None
                         else {"error": "injected failure"}, fault.headers), False
        if fault.mode == "delay":
            time.sleep(fault.seconds)
            return (self._apply(req) if fault.apply else Reply(503, {"error": "delayed"})), True
        if fault.mode == "reset":
            if fault.apply:
                self._apply(req)
            return None, False
        self._apply(req)  # apply_then
        return Reply(fault.status, fault.body if fault.body is not None
                     else {"error": "injected failure after applying"}, fault.headers), False

    def _apply(self, req: Request) -> Reply:
        with self.lock:
            try:
                return self.respond(req)
            except Exception as exc:  # a bug in the fake: answer 500 and keep it visible
                self.errors.append(exc)
                return Reply(500, {"error": "FakeServerBug", "message": repr(exc)})

    @staticmethod
    def _write(h: BaseHTTPRequestHandler, reply: Reply, *, quiet: bool = False) -> None:
        data, ctype = reply.encoded()
        if reply.status in (204, 304):
            data = b""
        try:
            h.send_response(reply.status)
            headers = {"Content-Type": ctype, **reply.headers}
            for name, value in headers.items():
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(data)))
            h.send_header("Connection", "close")
            h.end_headers()
            if data:
                h.wfile.write(data)
            h.close_connection = True
        except OSError:
            if not quiet:
                raise
