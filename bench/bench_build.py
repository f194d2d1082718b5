"""Build benchmark: cold build, rebuild with nothing changed, rebuild after editing one post,
and peak memory, for N = 1,000 and 10,000 (or the sizes given with --sizes).

Each phase runs in a fresh Python process (as the CLI and the daemon would), timed two ways:
`build()` inside the process (what the daemon pays on every change) and the whole
`syndicator build` command including interpreter start-up and imports.

    python bench/bench_build.py [--sizes 1000 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402

PHASE = r"""
import json, resource, sys, time
from datetime import datetime, timezone
from syndicator.config import load
from syndicator.build import build
config = load(sys.argv[1])
t = time.perf_counter()
report = build(config, now=datetime(2030, 1, 1, tzinfo=timezone.utc))
elapsed = time.perf_counter() - t
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mib": own, "worker_peak_mib": kids,
                  "published": len(report.published), "written": len(report.written),
                  "unchanged": report.unchanged, "problems": len(report.problems),
                  "stages": report.timings}))
"""


def _phase(config: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", PHASE, str(config)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def _cli(config: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "syndicator", "build", "--config", str(config)],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def _edit_one(config: Path) -> None:
    post = sorted((config.parent / "posts").rglob("*.md"))[-1]
    text = post.read_text(encoding="utf-8")
    post.write_text(text.replace("## Part 1", "## Part one (edited)", 1), encoding="utf-8")


def run(n: int, root: Path) -> None:
    config = generate(root, n)
    feeds, state = root / "feeds", root / ".syndicator"
    rows = []
    cold = _phase(config)
    rows.append(("cold build (no cache)", cold))
    rows.append(("rebuild, nothing changed", _phase(config)))
    _edit_one(config)
    rows.append(("rebuild, one post edited", _phase(config)))
    shutil.rmtree(feeds)
    shutil.rmtree(state)
    cli_cold = _cli(config)
    cli_warm = _cli(config)
    files = sum(1 for _ in feeds.rglob("*") if _.is_file())
    print(f"\nN = {n:,} posts ({cold['published']:,} published, {files:,} feed files)")
    print(f"  {'phase':<28}{'build()':>10}{'peak RSS':>11}{'workers':>10}{'written':>9}")
    for name, r in rows:
        print(f"  {name:<28}{r['seconds']:>9.3f}s{r['peak_mib']:>8.0f} MiB{r['worker_peak_mib']:>6.0f} MiB"
              f"{r['written']:>9}   " + " ".join(f"{k} {v:.3f}" for k, v in r["stages"].items()))
    print(f"  whole command `syndicator build`: cold {cli_cold:.3f}s, nothing changed {cli_warm:.3f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--keep", type=Path, help="Generate the corpora here and keep them.")
    args = parser.parse_args()
    for n in args.sizes:
        if args.keep:
            root = args.keep / f"corpus-{n}"
            shutil.rmtree(root, ignore_errors=True)
            run(n, root)
        else:
            with tempfile.TemporaryDirectory(prefix=f"syndicator-bench-{n}-") as tmp:
                run(n, Path(tmp))


if __name__ == "__main__":
    main()
