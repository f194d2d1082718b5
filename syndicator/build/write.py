"""Write the rendered files: atomically, only when their bytes changed, keeping the old file
when a write fails; and remove the feed files no plan produces any more.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..posts.loader import Problem
from ..render import FILENAMES


@dataclass(frozen=True)
class Written:
    """What writing the outputs did."""

    ok: list[bool]  # per output: whether the file now holds its bytes
    written: list[Path] = field(default_factory=list)  # files whose bytes changed
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory, fsync, rename: readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_all(outputs: list[tuple[Path, bytes]]) -> Written:
    """Write each file whose bytes changed (threads: fsync waits on the disk, not the CPU).

    A failed write keeps the old file and becomes a problem.
    """
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda item: _write_if_changed(*item), outputs))
    written = [path for (path, _data), outcome in zip(outputs, outcomes) if outcome == "written"]
    problems = [Problem(str(path), 0, f"cannot write feed ({outcome}); the old file is kept")
                for (path, _data), outcome in zip(outputs, outcomes) if outcome not in ("unchanged", "written")]
    return Written([o in ("unchanged", "written") for o in outcomes], written,
                   outcomes.count("unchanged"), problems)


def _write_if_changed(path: Path, data: bytes) -> str:
    """ "unchanged", "written", or the reason the write failed."""
    try:
        if path.read_bytes() == data:
            return "unchanged"
    except OSError:
        pass
    try:
        atomic_write(path, data)
    except OSError as exc:
        return exc.strerror or str(exc)
    return "written"


def remove_stale(out: Path, expected: set[str]) -> list[Path]:
    """Delete feed files no plan produced (a tag that disappeared), and their empty folders."""
    names = set(FILENAMES.values())
    gone = []
    for top in ("", "tags", "categories", "authors"):
        base = out / top
        if not base.is_dir():
            continue
        candidates = base.glob("*") if top == "" else base.glob("*/*")
        for path in sorted(candidates):
            rel = path.relative_to(out).as_posix()
            if path.is_file() and path.name in names and rel not in expected:
                path.unlink()
                gone.append(path)
        if top:
            for folder in sorted(base.iterdir()):
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
    return gone
