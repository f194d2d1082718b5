"""Hostile posts against the [limits]: time and peak memory of `syndicator build` per input.

Each case is a small site (20 ordinary posts) plus one hostile post, built with
`/usr/bin/time -f "%e %M" syndicator build --no-cache` (GNU time: wall seconds, max RSS). It
prints, per case, the figures, how many posts published, and the message the hostile post got.
Then a 10,000-post site is built with and without one hostile post (the 20,000-tag one by
default) to show the hostile post costs no more than an ordinary one.

    python bench/bench_limits.py [--big 10000] [--skip-big]

Figures depend on the machine; on a shared machine run it twice.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402

MB = 1024 * 1024


def _tags(n: int) -> str:
    return "---\ntitle: Many tags\ntags: [" + ", ".join(f"t{i}" for i in range(n)) + "]\n---\nx\n"


def _cases() -> dict[str, bytes]:
    """name -> the hostile post's bytes."""
    line = "word " * 20 + "\n"
    return {
        "none (baseline)": b"",
        "2,000 tags": _tags(2_000).encode(),
        "20,000 tags (~240 KB)": _tags(20_000).encode(),
        "50 MB body": ("---\ntitle: Huge\n---\n" + line * (50 * MB // len(line))).encode(),
        "50 MB on one line": b"---\ntitle: Huge line\n---\n" + b"x" * (50 * MB),
        "9 MB body (under the limit)": ("---\ntitle: Big\n---\n" + line * (9 * MB // len(line))).encode(),
        "2 MB front matter": ("---\ntitle: Big front\nsummary: \"" + "y" * (2 * MB) + "\"\n---\nx\n").encode(),
        "TOML nested 100,000 deep": ("+++\ntitle = \"Deep\"\nx = " + "[" * 100_000 + "]" * 100_000
                                     + "\n+++\nx\n").encode(),
        "YAML nested 100,000 deep": ("---\ntitle: Deep\nx: " + "[" * 100_000 + "]" * 100_000
                                     + "\n---\nx\n").encode(),
        "YAML billion laughs": (b"---\ntitle: Laughs\na: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
                                + b"".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n".encode()
                                           for p, c in zip("abcdefgh", "bcdefghi"))
                                + b"tags: *i\n---\nx\n"),
        "date 2025-02-30": b"---\ntitle: Bad date\ndate: 2025-02-30\n---\nx\n",
    }


def _timed_build(config: Path) -> tuple[float, int, str]:
    """Wall seconds, max RSS in MiB, and stderr of one `build --no-cache`."""
    proc = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M", sys.executable, "-m", "syndicator", "build",
                           "--no-cache", "--config", str(config)], capture_output=True, text=True, timeout=900)
    match = re.search(r"TIME ([\d.]+) (\d+)", proc.stderr)
    if not match:
        return float("nan"), -1, proc.stderr
    return float(match.group(1)), int(match.group(2)) // 1024, proc.stderr[:match.start()]



def small_cases() -> None:
    """Each hostile input in a 20-post site."""
    print(f"{'hostile post':<30}{'seconds':>9}{'max RSS':>10}  outcome")
    for name, data in _cases().items():
        with tempfile.TemporaryDirectory(prefix="bench-limits-") as tmp:
            config = generate(Path(tmp), 20)
            if data:
                (Path(tmp) / "posts" / "2016-01-01-hostile.md").write_bytes(data)
            seconds, rss, err = _timed_build(config)
            problem = next((line for line in err.splitlines() if "hostile.md" in line), "no problem reported")
            print(f"{name:<30}{seconds:>8.2f}s{rss:>6} MiB  {problem[:150]}")


def big_site(n: int, hostile: str) -> None:
    """A site of n posts built with and without one hostile post."""
    data = _cases()[hostile]
    with tempfile.TemporaryDirectory(prefix="bench-limits-big-") as tmp:
        config = generate(Path(tmp), n)
        rows = []
        for label in ("without", "with", "without", "with"):
            target = Path(tmp) / "posts" / "2016-01-01-hostile.md"
            if label == "with":
                target.write_bytes(data)
            elif target.exists():
                target.unlink()
            seconds, rss, _err = _timed_build(config)
            rows.append((label, seconds, rss))
            print(f"{n:,} posts {label:>7} the {hostile} post: {seconds:6.2f}s, max RSS {rss} MiB")
        for label in ("without", "with"):
            best = min(s for lab, s, _ in rows if lab == label)
            print(f"  best of two, {label}: {best:.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", type=int, default=10_000, help="posts in the large site")
    parser.add_argument("--hostile", default="20,000 tags (~240 KB)", choices=list(_cases()))
    parser.add_argument("--skip-big", action="store_true")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    small_cases()
    if not args.skip_big:
        big_site(args.big, args.hostile)


if __name__ == "__main__":
    main()
