#!/usr/bin/env python3
"""How `syndicator build` and Hugo grow with the number of posts, on the shared corpus (issue 12).

    python bench/bench_scale.py [N ...] [--runs R] [--plot bench/scale.svg] [--without-hugo] [--syndicator CMD]
                                                                        (default N: 1000 10000 100000)
    (WORK=/tmp/somewhere keeps corpora and sites apart from other runs; SHARED=... the steering folder)

For each N it builds the shared corpus (../shared/bench/make_corpus.py, cached under $WORK), then
times, alternating, Hugo's feeds-only build and `syndicator build` cold, with nothing changed and
with one post edited. Memory is the peak of the whole process tree (main process and forked
workers): the sum of each process's proportional set size (PSS, /proc/PID/smaps_rollup), sampled
every 10 ms, so pages a worker shares with its parent are counted once, not once per process.
CPU time is user + sys of the command and the workers it waited for (os.wait4), the figure to
compare on a shared machine. Prints a table with ratios to Hugo and writes a plot of time against N
(matplotlib).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED_BENCH = Path(os.environ.get("SHARED", REPO.parent / "shared")) / "bench"  # steering folder beside the clone
WORK = Path(os.environ.get("WORK", "/tmp/syndicator-race"))


def corpus(n: int) -> Path:
    """The shared corpus of n posts (generic and Hugo layouts), made once and cached."""
    folder = WORK / f"corpus-{n}"
    if not (folder / "MANIFEST.json").is_file():
        subprocess.run([sys.executable, str(SHARED_BENCH / "make_corpus.py"), str(n), str(folder),
                        "--layouts", "generic,hugo"], check=True, stdout=subprocess.DEVNULL)
        shutil.copytree(SHARED_BENCH / "hugo-site", folder / "hugo", dirs_exist_ok=True)
    return folder


def site(n: int, source: Path) -> Path:
    """A fresh syndicator site: the project's config.toml with the corpus authors, and the posts."""
    folder = WORK / f"site-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(REPO / "config.toml", folder / "config.toml")
    shutil.copytree(source / "posts", folder / "posts")
    subprocess.run([sys.executable, str(SHARED_BENCH / "corpus_config.py"), str(folder / "config.toml"),
                    str(source / "authors.yaml")], check=True)
    return folder


def _pss(pid: int) -> int:
    """Bytes of one process's PSS (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _tree_pss(root: int) -> tuple[int, int]:
    """PSS bytes of root, and summed over its descendants (the scan's workers)."""
    below, pids = 0, []
    try:
        with open(f"/proc/{root}/task/{root}/children") as handle:
            pids = [int(p) for p in handle.read().split()]
    except (OSError, ValueError):
        pass
    while pids:
        pid = pids.pop()
        below += _pss(pid)
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as handle:
                pids.extend(int(p) for p in handle.read().split())
        except (OSError, ValueError):
            continue
    return _pss(root), below


def measure(cmd: list[str], cwd: Path) -> tuple[float, int, float, str]:
    """Wall seconds, peak whole-tree PSS bytes, CPU seconds (user + sys, workers included) of one command,
    and where its peak was (when, and the main process's and the workers' shares)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, done = [(0, 0, 0, 0.0)], threading.Event()

    def sample() -> None:
        while not done.is_set():
            main, workers = _tree_pss(proc.pid)
            if main + workers > peak[0][0]:
                peak[0] = (main + workers, main, workers, time.perf_counter() - start)
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)  # the child's usage includes the workers it waited for
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"bench_scale: failed ({proc.returncode}): {' '.join(cmd)}")
    total, main, workers, when = peak[0]
    where = (f"{total / 2**20:.0f} MiB at {when:.1f} of {elapsed:.1f} s: main {main / 2**20:.0f} MiB"
             f" + workers {workers / 2**20:.0f} MiB")
    return elapsed, total, usage.ru_utime + usage.ru_stime, where


def race(n: int, runs: int, *, hugo: bool = True, syndicator: str = "syndicator") -> dict[str, float]:
    """Median figures for one N: Hugo, and syndicator cold / nothing changed / one post edited."""
    source = corpus(n)
    folder = site(n, source)
    hugo_out = WORK / "hugo-out"
    rows: dict[str, list[tuple[float, int, float, str]]] = {k: [] for k in ("hugo", "cold", "nothing", "edited")}
    posts = sorted(p.name for p in (folder / "posts").iterdir())
    load_before = os.getloadavg()[0]
    print(f"N = {n:,}: load average {load_before:.1f} before the runs", flush=True)
    for i in range(runs):
        shutil.rmtree(hugo_out, ignore_errors=True)
        rows["hugo"].append(measure(["hugo", "--quiet", "-s", str(source / "hugo"), "--config",
                                     str(source / "hugo" / "config-feedsonly.toml"), "-d", str(hugo_out)], WORK)
                            if hugo else (float("nan"), 0, float("nan"), ""))
        for name in os.listdir(folder):
            if name not in ("config.toml", "posts"):
                shutil.rmtree(folder / name, ignore_errors=True)
        rows["cold"].append(measure([syndicator, "build"], folder))
        print(f"  run {i + 1}: cold {rows['cold'][-1][0]:.2f} s (CPU {rows['cold'][-1][2]:.2f} s), "
              f"peak {rows['cold'][-1][3]}", flush=True)
        rows["nothing"].append(measure([syndicator, "build"], folder))
        with open(folder / "posts" / posts[(i + 1) * 7 % len(posts)], "a") as handle:
            handle.write(f"Edited line {i}.\n")
        rows["edited"].append(measure([syndicator, "build"], folder))
        print(f"  run {i + 1}: nothing changed {rows['nothing'][-1][0]:.3f} s (CPU {rows['nothing'][-1][2]:.3f} s, "
              f"{rows['nothing'][-1][1] / 2**20:.0f} MiB), one post edited {rows['edited'][-1][0]:.3f} s "
              f"(CPU {rows['edited'][-1][2]:.3f} s, {rows['edited'][-1][1] / 2**20:.0f} MiB)"
              + (f"; Hugo {rows['hugo'][-1][0]:.2f} s" if hugo else ""), flush=True)
    out: dict[str, float] = {"n": n, "load": os.getloadavg()[0], "load_before": load_before}
    for key, values in rows.items():
        out[key] = statistics.median(t for t, _, _, _ in values)
        out[key + "_mib"] = max(m for _, m, _, _ in values) / 2**20
        out[key + "_cpu"] = statistics.median(c for _, _, c, _ in values)
    return out


def report(results: list[dict[str, float]]) -> None:
    """The tables: ratios to Hugo first, then wall and CPU seconds (user + sys, workers included); then
    each command's peak memory (whole-tree PSS); then the issue's targets, met or not."""
    print("| N | Hugo | cold | nothing changed | one post edited | peak memory (tree PSS) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in results:
        h = r["hugo"]
        cells = [(f"{r[k] / h:.3f}x " if h == h else "") + f"({r[k]:.{p}f} s, CPU {r[k + '_cpu']:.{p}f} s)"
                 for k, p in (("cold", 2), ("nothing", 3), ("edited", 3))]
        hugo = f"{h:.2f} s, {r['hugo_mib']:.0f} MiB" if h == h else "not run"
        print(f"| {int(r['n']):,} | {hugo} | {' | '.join(cells)} "
              f"| {max(r['cold_mib'], r['nothing_mib'], r['edited_mib']):.0f} MiB |")
    print()
    print("| N | peak tree PSS: Hugo | cold | nothing changed | one post edited | load before, after |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in results:
        hugo = f"{r['hugo_mib']:.0f} MiB" if r["hugo"] == r["hugo"] else "not run"
        print(f"| {int(r['n']):,} | {hugo} | {r['cold_mib']:.0f} MiB | {r['nothing_mib']:.0f} MiB "
              f"| {r['edited_mib']:.0f} MiB | {r['load_before']:.1f}, {r['load']:.1f} |")
    print()
    for line in targets(results):
        print(line)


def targets(results: list[dict[str, float]]) -> list[str]:
    """Issue 12's targets, each with the figure measured (medians; memory: the highest peak)."""
    lines = []
    for r in results:
        n, h = int(r["n"]), r["hugo"]
        peak = max(r["cold_mib"], r["nothing_mib"], r["edited_mib"])
        if n == 10_000 and h == h:
            lines += [_target(f"{n:,}: cold <= 0.5x Hugo", r["cold"] / h, 0.5, "x"),
                      _target(f"{n:,}: nothing changed <= 0.05x Hugo", r["nothing"] / h, 0.05, "x"),
                      _target(f"{n:,}: one post edited <= 0.05x Hugo", r["edited"] / h, 0.05, "x")]
        if n == 10_000:
            lines.append(_target(f"{n:,}: peak tree PSS <= 100 MiB", peak, 100, " MiB"))
        if n == 100_000:
            lines += [_target(f"{n:,}: cold <= 10 s", r["cold"], 10, " s"),
                      _target(f"{n:,}: nothing changed <= 0.5 s", r["nothing"], 0.5, " s"),
                      _target(f"{n:,}: peak tree PSS <= 200 MiB", peak, 200, " MiB")]
    return lines


def _target(what: str, value: float, most: float, unit: str) -> str:
    shown = f"{value:.0f}" if unit == " MiB" else f"{value:.3f}"
    return f"target {what}: {shown}{unit} -> {'met' if value <= most else 'NOT met'}"


def plot(results: list[dict[str, float]], path: Path) -> None:
    """Time against N (log-log) and peak memory against N, for Hugo and each syndicator command."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (times, memory) = plt.subplots(1, 2, figsize=(11, 4.5))
    for key, label in (("hugo", "Hugo (feeds only)"), ("cold", "syndicator, cold"),
                       ("nothing", "syndicator, nothing changed"), ("edited", "syndicator, one post edited")):
        shown = [r for r in results if r[key] == r[key]]  # Hugo is NaN where it was not run
        if shown:
            times.plot([r["n"] for r in shown], [r[key] for r in shown], marker="o", label=label)
            memory.plot([r["n"] for r in shown], [r[key + "_mib"] for r in shown], marker="o", label=label)
    for ax, ylabel, title in ((times, "seconds (median)", "Build time against number of posts"),
                              (memory, "MiB (peak, whole process tree, PSS)", "Peak memory against number of posts")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("posts (shared corpus)")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, metadata={"Date": None} if path.suffix == ".svg" else None)
    print(f"plot written to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--plot", type=Path, default=None, help="default bench/scale.svg (none --without-hugo)")
    parser.add_argument("--without-hugo", action="store_true",
                        help="time syndicator only (Hugo needs 3.5 GB and 40 s at 100,000 posts); no ratios")
    beside = Path(sys.executable).parent / "syndicator"  # this venv's console script, whatever PATH says
    parser.add_argument("--syndicator", default=str(beside) if beside.is_file() else "syndicator",
                        help="the syndicator command to time (default: the one beside this Python, else PATH's)")
    args = parser.parse_args()
    for tool in (args.syndicator,) if args.without_hugo else ("hugo", args.syndicator):
        if shutil.which(tool) is None:
            raise SystemExit(f"bench_scale: {tool} is not found")
    print(f"syndicator: {shutil.which(args.syndicator)}, on {sys.version.split()[0]} ({sys.executable}); "
          f"corpora and sites under {WORK}", flush=True)
    # the package's byte code, as pip compiles an installed package (an editable install run with
    # PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module on every build)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "syndicator")], check=False,
                   stdout=subprocess.DEVNULL)
    results = [race(n, args.runs, hugo=not args.without_hugo, syndicator=args.syndicator) for n in args.sizes]
    report(results)
    if args.plot or not args.without_hugo:
        plot(results, args.plot or HERE / "scale.svg")


if __name__ == "__main__":
    main()
