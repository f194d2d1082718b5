"""Bounds on clients: connection slots per client address and in all, and a deadline on reading a request."""

from __future__ import annotations

import io
import ipaddress
import math
import socket
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class ServeLimits:
    """What one client, and all of them together, may hold.

    header_timeout bounds waiting for a request (idle keep-alive included) plus reading its line
    and headers; silence bounds any one read or write without progress.
    """

    header_timeout: float = 10.0
    silence: float = 10.0
    max_connections: int = 512
    max_per_client: int = 32


def client_key(host: str) -> str:
    """The address a limit counts by: IPv4 as is, IPv6 by its /64 (one machine often holds a whole /64)."""
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(getattr(ip, "ipv4_mapped", None) or ip)


class ClientSlots:
    """Connection slots: at most `total` at once, and at most `per_client` for one client address."""

    def __init__(self, *, total: int, per_client: int) -> None:
        self.total, self.per_client = total, per_client
        self._held: dict[str, int] = {}
        self._count = 0
        self._lock = threading.Lock()

    def take(self, host: str) -> bool:
        """Hold a slot for a connection from `host`; False when it or everyone is at the limit."""
        key = client_key(host)
        with self._lock:
            if self._count >= self.total or self._held.get(key, 0) >= self.per_client:
                return False
            self._held[key] = self._held.get(key, 0) + 1
            self._count += 1
            return True

    def give(self, host: str) -> None:
        """Release the slot a connection from `host` held."""
        key = client_key(host)
        with self._lock:
            left = self._held.get(key, 0) - 1
            if left > 0:
                self._held[key] = left
            else:
                self._held.pop(key, None)
            self._count -= 1

    def held(self, host: str) -> int:
        """How many connections from `host`'s address are being served now."""
        with self._lock:
            return self._held.get(client_key(host), 0)


class DeadlineReader(io.RawIOBase):
    """Reads a socket so that no read outlasts `deadline` (time.monotonic) or `silence` seconds."""

    def __init__(self, sock: socket.socket, *, silence: float) -> None:
        super().__init__()
        self.sock = sock
        self.silence = silence
        self.deadline = math.inf

    def readable(self) -> bool:
        """Always: it is the read side of a connection."""
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        """Receive into `buffer`; TimeoutError once the deadline has passed or the client stays silent."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.sock.settimeout(min(left, self.silence))
        return self.sock.recv_into(buffer)
