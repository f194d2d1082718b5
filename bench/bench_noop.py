#!/usr/bin/env python3
"""`syndicator build` with nothing changed, as a command: where its time goes (issue 12).

    python bench/bench_noop.py [N ...] [--runs R]      (default N: 10000; sites from bench/race.sh)

Uses the race's site for each N ($WORK/site-N, default WORK=/tmp/syndicator-race: run
`bash bench/race.sh N` or bench/bench_scale.py first). Builds it once if its record does not
vouch for it, then alternates R runs of `syndicator build` with R runs of `python -c pass` (the
interpreter's own start-up) and prints medians of wall and CPU time (user + sys of the child),
the command's imports (`-X importtime`, one run) and the load average before and after. CPU
time is the figure to compare on a shared machine; wall time is what the race measures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

WORK = Path(os.environ.get("WORK", "/tmp/syndicator-race"))


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall s, CPU s, exit status) of one run, output discarded."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def import_ms(command: str, cwd: Path) -> tuple[float, int]:
    """Milliseconds of imports (sum of -X importtime's self times) and how many modules, for one run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    script = Path(command).read_text().splitlines()[0].removeprefix("#!").strip()
    result = subprocess.run([script, "-X", "importtime", command, "build"], cwd=cwd, env=env,
                            capture_output=True, text=True, check=False)
    rows = [line.split("|") for line in result.stderr.splitlines() if line.startswith("import time:")][1:]
    return sum(int(row[0].split(":")[1]) for row in rows) / 1000, len(rows)


def bench(n: int, runs: int) -> None:
    """Print the figures for the race's site of n posts."""
    site = WORK / f"site-{n}"
    command = shutil.which("syndicator")
    if not (site / "config.toml").is_file() or command is None:
        sys.exit(f"bench_noop: no {site} (run `bash bench/race.sh {n}` first) or no syndicator on PATH")
    python = Path(command).read_text().splitlines()[0].removeprefix("#!").strip()
    timed([command, "build"], site)  # a full build if the record does not vouch for the site
    time.sleep(1.1)  # a file written less than a second before a scan is never trusted (build/cache.RACY_NS)
    load = os.getloadavg()[0]
    build, bare = [], []
    for _ in range(runs):
        build.append(timed([command, "build"], site))
        bare.append(timed([python, "-c", "pass"], site))
    if any(status not in (0, 1) for *_, status in build):
        sys.exit("bench_noop: `syndicator build` failed")
    imports, modules = import_ms(command, site)
    wall, cpu = statistics.median(w for w, _, _ in build), statistics.median(c for _, c, _ in build)
    print(f"N={n}  nothing changed, {runs} runs (load {load:.2f} -> {os.getloadavg()[0]:.2f})")
    print(f"  syndicator build   wall {wall * 1000:6.1f} ms  cpu {cpu * 1000:6.1f} ms  (min wall "
          f"{min(w for w, _, _ in build) * 1000:.1f})")
    print(f"  python -c pass     wall {statistics.median(w for w, _, _ in bare) * 1000:6.1f} ms  "
          f"cpu {statistics.median(c for _, c, _ in bare) * 1000:6.1f} ms")
    print(f"  imports            {imports:6.1f} ms in {modules} modules (-X importtime, one run)")


def main() -> None:
    """Parse the sizes and run each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10000])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    for n in args.sizes:
        bench(n, args.runs)


if __name__ == "__main__":
    main()
