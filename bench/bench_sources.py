"""Polling 1,000 feed sources that all answer 304: CPU seconds per round.

A separate process serves 1,000 feeds on 127.0.0.1 (its CPU is not counted): a first round
gets each feed (200, ETag, 3 entries: the baseline), the measured rounds send If-None-Match
and get 304. The poller runs `sources.run()` in this process with the clock moved past every
source's interval; CPU is time.process_time() around the round (user + system of this
process), wall time beside it. With --keep-alive the server keeps connections open (one host);
without it every request opens a new connection, as 1,000 different blogs would.

    python bench/bench_sources.py [--sources 1000] [--rounds 3] [--keep-alive]
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

SERVER = r'''
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
KEEP = sys.argv[1] == "1"
FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>b</title><link>https://b.example/</link>'
        + b"".join(b"<item><title>t%d</title><guid>g%d</guid><link>https://b.example/%d/</link></item>" % (i, i, i)
                   for i in range(3)) + b"</channel></rss>")
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        tag = '"%s"' % self.path
        fresh = self.headers.get("If-None-Match") == tag
        self.send_response(304 if fresh else 200)
        self.send_header("ETag", tag)
        self.send_header("Content-Length", "0" if fresh else str(len(FEED)))
        if not KEEP:
            self.send_header("Connection", "close")
        self.end_headers()
        if not fresh:
            self.wfile.write(FEED)
        self.close_connection = not KEEP
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
s.daemon_threads = True
print(s.server_address[1], flush=True)
s.serve_forever()
'''


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep-alive", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from syndicator.config import load
    from syndicator.sources.run import run

    logging.disable(logging.INFO)
    server = subprocess.Popen([sys.executable, "-c", SERVER, "1" if args.keep_alive else "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        root = Path(tempfile.mkdtemp(prefix="bench-sources-"))
        lines = ['[site]', 'title = "Bench"', 'url = "https://example.org/"', '']
        for n in range(args.sources):
            lines += ["[[sources]]", f'name = "s{n}"', f'url = "http://127.0.0.1:{port}/f{n}.xml"',
                      'every = "1m"', ""]
        (root / "config.toml").write_text("\n".join(lines), encoding="utf-8")
        config = load(root / "config.toml")
        now = datetime.now(timezone.utc)
        report = run(config, now=now)  # the baseline round: 200s
        assert sum(p.outcome == "new" for p in report.polls) == args.sources, report.summary()
        for r in range(1, args.rounds + 1):
            when = now + timedelta(minutes=r)
            cpu, wall = time.process_time(), time.perf_counter()
            report = run(config, now=when)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            outcomes = {p.outcome for p in report.polls}
            assert outcomes == {"not modified"}, outcomes
            print(f"round {r}: {len(report.polls)} sources, all 304: CPU {cpu:.2f} s, "
                  f"wall {wall:.2f} s ({'keep-alive' if args.keep_alive else 'new connection each'})")
    finally:
        server.kill()


if __name__ == "__main__":
    main()
