"""The listening server: a thread per connection, a cap on connections, and its factories."""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

from ..config import Config
from ..errors import ServeError
from .files import FileCache
from .handler import Handler
from .health import file_health

logger = logging.getLogger(__package__)  # the server's lines keep the name `syndicator.server`

HealthFn = Callable[[], dict[str, Any]]


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


def make_server(config: Config, *, host: str | None = None, port: int | None = None,
                health: HealthFn | None = None, timeout: float = 10.0,
                max_connections: int = 512) -> FeedServer:
    """A bound, not yet serving, server for config.feeds.output; call .serve_forever().

    Raises ServeError when the address cannot be listened on.
    """
    from .index_page import IndexPage

    def report() -> dict[str, Any]:
        return file_health(config) if health is None else {"status": "ok", **health()}

    address = (config.server.host if host is None else host, config.server.port if port is None else port)
    try:
        return FeedServer(address, root=config.feeds.output, feeds_url=config.feeds.url,
                          hubs=config.feeds.hubs, index=IndexPage(config), health=report,
                          timeout=timeout, max_connections=max_connections)
    except OSError as exc:
        raise ServeError(f"cannot listen on {address[0]}:{address[1]}: {exc.strerror or exc}") from None


def serve_in_thread(config: Config, **options: Any) -> FeedServer:
    """Start make_server(config, **options) in a daemon thread; stop with .shutdown(), .server_close()."""
    server = make_server(config, **options)
    thread = threading.Thread(target=server.serve_forever, name="syndicator-server", daemon=True)
    thread.start()
    server.thread = thread  # type: ignore[attr-defined]
    return server
