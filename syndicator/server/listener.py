"""The listening server: a thread per connection, slots per client address and in all, its factories."""

from __future__ import annotations

import logging
import os
import socket
import socketserver
import threading
from http.server import ThreadingHTTPServer
from typing import Any, Callable

from ..config import Config
from ..errors import ServeError
from .files import FileCache
from .handler import Handler
from .health import BuildHealth, StatusCache, file_health
from .limits import ClientSlots, ServeLimits

logger = logging.getLogger(__package__)  # the server's lines keep the name `syndicator.server`

HealthFn = Callable[[], BuildHealth]
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"


class FeedServer(ThreadingHTTPServer):
    """ThreadingHTTPServer over the feeds directory; see make_server()."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], *, config: Config, index: Any, health: HealthFn,
                 status: StatusCache, limits: ServeLimits, health_token: str | None,
                 current: Callable[[], Config] | None = None) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.config = config
        self.current = current or (lambda: config)  # after reloads: [feeds.paths] apply at once
        self.root = config.feeds.output
        self.feeds_url = config.feeds.url
        self.hubs = config.feeds.hubs
        self.index = index
        self.health = health
        self.status = status
        self.limits = limits
        self.health_token = health_token
        self.files = FileCache()
        self.slots = ClientSlots(total=limits.max_connections, per_client=limits.max_per_client)
        super().__init__(address, Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup: skip it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve on a thread of its own, or answer 503 at once when its address or everyone is at the limit."""
        if not self.slots.take(client_address[0]):
            try:
                request.sendall(_BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            self.slots.give(client_address[0])
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.give(client_address[0])

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that failed outside a handler: log it, print nothing."""
        logger.debug("connection from %s failed", client_address, exc_info=True)


def make_server(config: Config, *, host: str | None = None, port: int | None = None,
                health: HealthFn | None = None, current_config: Callable[[], Config] | None = None,
                timeout: float | None = None, header_timeout: float | None = None,
                max_connections: int | None = None, max_per_client: int | None = None) -> FeedServer:
    """A bound, not yet serving, server for config.feeds.output; call .serve_forever().

    `health` is the daemon's report of its builds (default: read from the feed files);
    `current_config` gives the config after reloads. Limits default to [server]. Raises
    ServeError when the address cannot be listened on.
    """
    from .index_page import IndexPage

    settings = config.server
    limits = ServeLimits(
        header_timeout=settings.header_timeout if header_timeout is None else header_timeout,
        silence=settings.timeout if timeout is None else timeout,
        max_connections=settings.max_connections if max_connections is None else max_connections,
        max_per_client=settings.max_per_client if max_per_client is None else max_per_client)
    address = (settings.host if host is None else host, settings.port if port is None else port)
    current = current_config or (lambda: config)
    status = StatusCache(current)
    try:
        return FeedServer(address, config=config, index=IndexPage(config, current=current), status=status,
                          limits=limits, health=health or (lambda: file_health(current())),
                          health_token=_token(config), current=current)
    except OSError as exc:
        raise ServeError(f"cannot listen on {address[0]}:{address[1]}: {exc.strerror or exc}") from None


def _token(config: Config) -> str | None:
    """The /healthz token from the variable [server] health_token_env names, if set."""
    name = config.server.health_token_env
    if not name:
        return None
    token = os.environ.get(name)
    if not token:
        logger.warning("[server] health_token_env: $%s is not set; only loopback sees /healthz in full", name)
    return token or None


def serve_in_thread(config: Config, **options: Any) -> FeedServer:
    """Start make_server(config, **options) in a daemon thread; stop with .shutdown(), .server_close()."""
    server = make_server(config, **options)
    thread = threading.Thread(target=server.serve_forever, name="syndicator-server", daemon=True)
    thread.start()
    server.thread = thread  # type: ignore[attr-defined]
    return server
