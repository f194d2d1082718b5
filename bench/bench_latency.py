"""Save-to-served latency: from a post file landing in posts/ to the served feed containing it.

Starts `syndicator run --serve` on a temporary copy of the example site (config.toml and
posts/ from the repository), then repeatedly saves a new post the way an editor does (write a
temporary file, rename it over the target) and polls the served RSS feed over HTTP every few
milliseconds until the post's title appears (one kept-alive connection, conditional GETs). Prints each sample and the median (issue 12's
target: 100 ms with notifications), for filesystem notifications and for the polling fallback.

Each sample is broken down with the daemon's own build log line (read from its stderr as it
arrives; it says how long the build took and how long after the first notified change it
started): save -> noticed (the watcher's threads), noticed -> build start (settling), the
build, and build end -> served (the log line's arrival to the first GET that has the post).
It also counts the builds each save caused (an editor's save must be one build).

    python bench/bench_latency.py [--runs 9] [--debounce 0.5] [--modes notify poll] [--posts N] [--json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _site(root: Path, debounce: float, posts: int) -> tuple[Path, str]:
    """The site to run on, and an author key it knows."""
    if posts:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from corpus import generate

        config = generate(root, posts)
        with config.open("a", encoding="utf-8") as handle:
            handle.write(f"\n[daemon]\ndebounce = {debounce}\n")
        return config, "ada"
    shutil.copytree(REPO / "posts", root / "posts")
    # No cross-posting: the probe posts must never leave this machine.
    dropped = {"[daemon]", "[crosspost]", "[[endpoints]]"}
    lines, skipping = [], False
    for line in (REPO / "config.toml").read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("["):
            skipping = line.split("#")[0].strip() in dropped
        if not skipping:
            lines.append(line)
    config = root / "config.toml"
    config.write_text("\n".join(lines) + f"\n\n[daemon]\ndebounce = {debounce}\n", encoding="utf-8")
    return config, "maya"


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:  # 127.0.0.1 only
        return response.read()


class Poller:
    """Polls one URL as a feed reader does, on one kept-alive connection with If-None-Match, so
    that polling every few milliseconds costs the daemon little (a 304 from its file cache)."""

    def __init__(self, port: int, path: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        self.path, self.etag, self.body = path, None, b""

    def get(self) -> bytes:
        """The body as of now (the last one on a 304)."""
        headers = {"If-None-Match": self.etag} if self.etag else {}
        try:
            self.connection.request("GET", self.path, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()  # the server closed a kept-alive connection: open another
            self.connection.request("GET", self.path, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        if response.status == 200:
            self.etag, self.body = response.getheader("ETag"), data
        return self.body

    def close(self) -> None:
        self.connection.close()


def _wait(check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("timed out")
        time.sleep(0.05)


def _save(posts: Path, name: str, title: str, author: str) -> None:
    """Save like an editor: write a temporary file, then rename it over the target."""
    date = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    tmp = posts / f".{name}.tmp"
    tmp.write_text(f"---\ntitle: {title}\ndate: {date}\nauthor: {author}\n---\n\nBenchmark post.\n",
                   encoding="utf-8")
    os.replace(tmp, posts / name)


# The daemon's build line; since issue 12 it ends with how long the build took and waited (older
# daemons' lines have no timing: then only the totals are known).
BUILD_LINE = re.compile(r"build: \d+ published posts.*?(?:\((\d+) ms; (?:(\d+) changed files notified|walked the "
                        r"posts folder)(?:, the first (\d+) ms before the build)?\))?$")


@dataclass(frozen=True)
class Sample:
    """One save: seconds to served, and the parts the daemon's build line tells apart (None: no line)."""

    total: float
    builds: int  # build lines that arrived between this save and the next
    noticed: float | None = None  # save -> first change noticed by the daemon
    settle: float | None = None  # noticed -> build start
    build: float | None = None
    served: float | None = None  # build's log line -> first GET with the post (< 0: the GET came first)
    walked: bool = False
    cpu: float | None = None  # the daemon's threads on a CPU, save -> served
    queued: float | None = None  # the daemon's threads ready to run but waiting for a CPU, save -> served


class Log:
    """The daemon's stderr, each line with the time it arrived (perf_counter)."""

    def __init__(self, stream) -> None:
        self.lines: list[tuple[float, str]] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append((time.perf_counter(), line.rstrip("\n")))

    def builds(self, since: float, until: float = float("inf")) -> list[tuple[float, re.Match]]:
        """The build lines that arrived in [since, until), with their arrival times."""
        return [(t, m) for t, line in list(self.lines) if since <= t < until and (m := BUILD_LINE.search(line))]

    def text(self) -> str:
        return "\n".join(line for _t, line in self.lines)


def _quiet(log: Log, seconds: float = 1.5) -> bool:
    """Whether the daemon has built and then been quiet for `seconds` (its start-up builds are over)."""
    builds = log.builds(0)
    return bool(builds) and time.perf_counter() - builds[-1][0] >= seconds


def schedstat(pid: int) -> tuple[float, float]:
    """Seconds the process's live threads have spent on a CPU and waiting for one (Linux /proc; zeros elsewhere).

    The second is what a busy machine adds to the latency: the daemon was ready but not running.
    """
    on_cpu = waiting = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0, 0.0
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat", encoding="ascii") as handle:
                ran, queued, _slices = map(int, handle.read().split())
        except (OSError, ValueError):
            continue  # a thread that ended meanwhile
        on_cpu, waiting = on_cpu + ran, waiting + queued
    return on_cpu / 1e9, waiting / 1e9


def _sample(log: Log, start: float, served: float, until: float, sched: tuple[float, float]) -> Sample:
    builds = log.builds(start, until)
    if not builds:
        return Sample(served - start, 0, cpu=sched[0], queued=sched[1])
    arrived, match = builds[0]  # the line comes after the build wrote: a GET may see the post first
    if match.group(1) is None:
        return Sample(served - start, len(builds), cpu=sched[0], queued=sched[1])
    took = int(match.group(1)) / 1000
    waited = int(match.group(3)) / 1000 if match.group(3) else None
    began = arrived - took
    return Sample(served - start, len(builds), noticed=None if waited is None else began - waited - start,
                  settle=waited, build=took, served=served - arrived, walked=match.group(2) is None,
                  cpu=sched[0], queued=sched[1])


def _show(sample: Sample) -> str:
    parts = [f"{sample.total * 1000:.0f} ms"]
    if sample.build is not None:
        ms = lambda v: "?" if v is None else f"{v * 1000:.0f}"  # noqa: E731
        parts.append(f"(noticed {ms(sample.noticed)}, settle {ms(sample.settle)}, build {ms(sample.build)}"
                     f"{' walked' if sample.walked else ''}, served {ms(sample.served)})")
    if sample.cpu is not None:
        parts.append(f"[daemon CPU {sample.cpu * 1000:.0f} ms, waiting for a CPU {sample.queued * 1000:.0f} ms]")
    parts.append(f"{sample.builds} build{'s' if sample.builds != 1 else ''}")
    return " ".join(parts)


def _started(log: Log, url: str) -> None:
    """Wait for the first build and the quiet after the start-up builds; say what they were."""
    def ready() -> bool:
        try:
            return b"<rss" in _get(url)
        except OSError:
            return False
    _wait(ready, 120)
    _wait(lambda: _quiet(log), 120)
    startup = log.builds(0)
    print(f"  start-up: {len(startup)} build{'s' if len(startup) != 1 else ''} "
          f"({', '.join((m.group(1) or '?') + ' ms' for _t, m in startup)})", flush=True)


def _saves(mode: str, runs: int, posts: Path, author: str, log: Log, poller: Poller, pid: int, *,
           debounce: float, interval: float) -> list[Sample]:
    """Save `runs` posts one after another; each sample once the next save shows what came after it."""
    samples, pending = [], None
    for i in range(runs + 1):
        if pending:
            samples.append(_sample(log, *pending[:2], until=time.perf_counter(), sched=pending[2]))
            print(f"  {mode} run {len(samples)}: {_show(samples[-1])}", flush=True)
        if i == runs:
            break
        title = f"Latency probe {mode} {i} {time.time_ns()}"
        before = schedstat(pid)
        start = time.perf_counter()
        _save(posts, f"latency-{i}.md", title, author)
        while title.encode() not in poller.get():
            if time.perf_counter() - start > 20:
                raise TimeoutError(f"{title!r} never appeared in the served feed")
            time.sleep(interval)
        served, after = time.perf_counter(), schedstat(pid)
        pending = (start, served, (after[0] - before[0], after[1] - before[1]))
        # Let the daemon go idle (a second build for this save would run meanwhile), then wait a random
        # extra so saves do not fall in step with the polling observer's scans (one phase only).
        time.sleep(max(0.3, debounce) + random.uniform(0, 0.5))
    return samples


def measure(mode: str, runs: int, debounce: float, interval: float, posts: int) -> list[Sample]:
    """Samples for one watch mode ("notify" or "poll")."""
    with tempfile.TemporaryDirectory(prefix="syndicator-latency-") as tmp:
        config, author = _site(Path(tmp), debounce, posts)
        port = _free_port()
        cmd = [sys.executable, "-m", "syndicator", "run", "--config", str(config), "--serve",
               "--port", str(port), "--log-level", "info"] + (["--poll"] if mode == "poll" else [])
        proc = subprocess.Popen(cmd, cwd=tmp, stderr=subprocess.PIPE, text=True)
        log = Log(proc.stderr)
        poller = Poller(port, "/rss.xml")
        try:
            _started(log, f"http://127.0.0.1:{port}/rss.xml")
            return _saves(mode, runs, Path(tmp) / "posts", author, log, poller, proc.pid,
                          debounce=debounce, interval=interval)
        finally:
            poller.close()
            proc.terminate()
            try:
                status = proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                status = "killed"
            errors = [line for line in log.text().splitlines() if " INFO " not in line]
            if status != 0 or errors:
                print(f"  daemon exit status {status}; stderr:\n" + "\n".join(errors), file=sys.stderr)


def _median_ms(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    return f"{statistics.median(known) * 1000:.0f}" if known else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--debounce", type=float, default=0.5,
                        help="[daemon] debounce for the run (the config default is 0.5 s)")
    parser.add_argument("--modes", nargs="+", default=["notify", "poll"], choices=["notify", "poll"])
    parser.add_argument("--interval", type=float, default=0.005, help="seconds between feed polls")
    parser.add_argument("--posts", type=int, default=0,
                        help="use a generated site of this many posts instead of the example site")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    results = {}
    for mode in args.modes:
        site = f"{args.posts} generated posts" if args.posts else "the example site"
        print(f"{mode}: {args.runs} saves into {site}, debounce {args.debounce} s", flush=True)
        samples = measure(mode, args.runs, args.debounce, args.interval, args.posts)
        totals = [s.total for s in samples]
        results[mode] = {"median_ms": round(statistics.median(totals) * 1000),
                         "min_ms": round(min(totals) * 1000), "max_ms": round(max(totals) * 1000),
                         "runs": len(samples), "builds_per_save": sorted({s.builds for s in samples}),
                         "parts_median_ms": {part: _median_ms([getattr(s, part) for s in samples])
                                             for part in ("noticed", "settle", "build", "served", "cpu", "queued")}}
    print()
    print(f"{'watch mode':<12}{'median':>10}{'min':>10}{'max':>10}   builds/save   median parts (ms)")
    for mode, r in results.items():
        parts = ", ".join(f"{k} {v}" for k, v in r["parts_median_ms"].items())
        print(f"{mode:<12}{r['median_ms']:>8} ms{r['min_ms']:>7} ms{r['max_ms']:>7} ms   "
              f"{'/'.join(map(str, r['builds_per_save'])):<13} {parts}")
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.json:
        print(json.dumps({"debounce_s": args.debounce, "posts": args.posts or "example", **results}))


if __name__ == "__main__":
    main()
