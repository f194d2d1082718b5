"""A slow-client attack from one loopback address, and a probe timing requests from another.

Used by tests/test_server.py (a short window) and bench/bench_slow_clients.py (30 s). Bounded:
at most `idle + trickling` sockets at once, reconnecting each closed one at most once per tick.
"""

from __future__ import annotations

import selectors
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

TICK = 0.5  # seconds between a trickling client's header lines


@dataclass
class Attack:
    """`idle` connections that send nothing and `trickling` ones that send a header line per tick."""

    port: int
    source: str = "127.0.0.2"
    idle: int = 600
    trickling: int = 100
    connects: int = 0
    closed_by_server: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def _connect(self, sel: selectors.BaseSelector, kind: str) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.source, 0))
        sock.settimeout(2)
        try:
            sock.connect(("127.0.0.1", self.port))
        except OSError:
            sock.close()
            return
        sock.setblocking(False)
        self.connects += 1
        if kind == "trickling":
            self._send(sock, b"GET /rss.xml HTTP/1.1\r\nHost: x\r\n")
        sel.register(sock, selectors.EVENT_READ, kind)

    @staticmethod
    def _send(sock: socket.socket, data: bytes) -> bool:
        try:
            sock.send(data)
            return True
        except OSError:
            return False

    def _reap(self, sel: selectors.BaseSelector, wanted: dict[str, int]) -> None:
        """Close what the server answered or closed; reconnect to keep `wanted` open."""
        for key, _ in sel.select(timeout=0):
            sel.unregister(key.fileobj)
            key.fileobj.close()
            self.closed_by_server += 1
        held = {"idle": 0, "trickling": 0}
        for key in list(sel.get_map().values()):
            held[key.data] += 1
            if key.data == "trickling" and not self._send(key.fileobj, b"X-Slow: 1\r\n"):
                sel.unregister(key.fileobj)
                key.fileobj.close()
        for kind, count in wanted.items():
            for _ in range(count - held[kind]):
                self._connect(sel, kind)

    def run(self, seconds: float) -> None:
        """Hold the attack for `seconds` (call from a thread); closes every socket at the end."""
        sel = selectors.DefaultSelector()
        wanted = {"idle": self.idle, "trickling": self.trickling}
        end = time.monotonic() + seconds
        try:
            while time.monotonic() < end and not self._stop.is_set():
                self._reap(sel, wanted)
                self._stop.wait(TICK)
        finally:
            for key in list(sel.get_map().values()):
                key.fileobj.close()
            sel.close()

    def stop(self) -> None:
        """End run() at its next tick."""
        self._stop.set()


def attack_in_subprocess(port: int, *, seconds: float, idle: int = 600, trickling: int = 100):
    """Run Attack(...).run(seconds) in a process of its own, so it never slows the probe's timing."""
    import subprocess
    import sys

    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); from slow_clients import Attack; "
            f"a = Attack({port}, idle={idle}, trickling={trickling}); a.run({seconds}); print(a.connects)")
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def probe(port: int, *, seconds: float, every: float = 0.1, source: str = "127.0.0.1",
          path: str = "/rss.xml") -> list[tuple[int, float]]:
    """GET `path` on a new connection every `every` seconds: (status or 0 on failure, seconds) each."""
    results = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        status = 0
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0)) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                head = b""
                while b"\r\n" not in head:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    head += chunk
                if head.startswith(b"HTTP/1.1 "):
                    status = int(head[9:12])
                while s.recv(65536):
                    pass
        except OSError:
            pass
        results.append((status, time.perf_counter() - start))
        time.sleep(max(0.0, every - (time.perf_counter() - start)))
    return results
