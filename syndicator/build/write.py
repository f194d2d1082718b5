"""Publish the rendered files into the output folder, in an order a kill at any moment survives:

1. remove temporary files that killed builds left (exact `.NAME.tmp-` prefix);
2. record in the manifest every file about to be written, and let the caller drop its records
   of them (the build cache), both committed before the first byte is written;
3. write each file atomically as soon as it is rendered, only when its bytes changed, keeping
   the old file on failure (so a build never holds every rendered file at once);
4. remove files an earlier build wrote that no plan produces now, and only those;
5. report every symbolic link met, and leave it alone (see output.py).
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..posts.loader import Problem
from .manifest import Manifest
from .output import Outcome, OutputDir

_MANAGED = ("", "tags", "categories", "authors")  # folders whose links are reported


@dataclass(frozen=True)
class Written:
    """What publishing the outputs did."""

    ok: list[bool]  # per output: whether the file now holds its bytes
    written: list[Path] = field(default_factory=list)  # files whose bytes changed
    unchanged: int = 0
    removed: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    signatures: dict[str, str] = field(default_factory=dict)  # rel -> signature, for files now holding their bytes
    failed: int = 0  # outputs left as they were: not rendered, or not writable (a link in the way)


class Publisher:
    """Publish one build's files as they are rendered, in the order described above.

    Steps 1 and 2 happen when it is made (for every file the build means to write); each
    `write` then hands one file to a writer thread (fsync waits on the disk, not the CPU) and
    returns, holding at most `in_flight` bytes not yet on disk; `finish` waits for the writes,
    removes stale files and reports.
    """

    def __init__(self, output: OutputDir, manifest: Manifest, rels: list[str], *, known: set[str],
                 expected: set[str], before_write: Callable[[list[str]], None], in_flight: int = 8 << 20) -> None:
        every = known | expected  # each file's own name: the names are settings ([feeds.paths])
        output.sweep_temp({_folder(rel) for rel in every}, {rel.rpartition("/")[2] for rel in every})
        manifest.add(rels)
        before_write(rels)
        self._output, self._manifest, self._known, self._expected = output, manifest, known, expected
        self._pool = ThreadPoolExecutor(max_workers=4)
        self._outcomes: list[Future[Outcome] | Outcome] = []
        self._pending: deque[tuple[Future[Outcome], int]] = deque()
        self._pending_bytes, self._limit = 0, in_flight

    def write(self, rel: str, data: bytes | Sequence[bytes]) -> None:
        """Write `data` (bytes, or parts one after another) to `rel` (atomically, only if it changed)
        in the background."""
        size = len(data) if isinstance(data, bytes) else sum(len(part) for part in data)
        while self._pending and self._pending_bytes + size > self._limit:
            done, done_size = self._pending.popleft()
            done.result()
            self._pending_bytes -= done_size
        future = self._pool.submit(self._output.write, rel, data)
        self._outcomes.append(future)
        self._pending.append((future, size))
        self._pending_bytes += size

    def skip(self, rel: str, why: str) -> None:
        """A file that could not be rendered: the old one (if any) stays."""
        self._outcomes.append(Outcome(rel, "failed", why))

    def finish(self) -> Written:
        """Wait for every write, remove the stale files, and report."""
        self._pool.shutdown(wait=True)
        outcomes = [o.result() if isinstance(o, Future) else o for o in self._outcomes]
        output, manifest = self._output, self._manifest
        removals = [output.remove(rel) for rel in sorted(self._known - self._expected)]
        manifest.discard(o.rel for o in removals if o.status in ("removed", "absent"))
        failed = [o for o in outcomes if not o.ok]
        problems = [Problem(str(output.root / o.rel), 0, f"cannot write feed ({o.message}); the old file is kept")
                    for o in failed]
        problems += [Problem(str(output.root / o.rel), 0, f"cannot remove an old feed ({o.message})")
                     for o in removals if not o.ok]
        problems += _link_warnings(output, [o.message for o in failed + removals if not o.ok])
        return Written(ok=[o.ok for o in outcomes],
                       written=[output.root / o.rel for o in outcomes if o.status == "written"],
                       unchanged=sum(o.status == "unchanged" for o in outcomes),
                       removed=[output.root / o.rel for o in removals if o.status == "removed"],
                       problems=problems, signatures={o.rel: o.signature for o in outcomes if o.ok},
                       failed=len(failed))


def publish(output: OutputDir, manifest: Manifest, outputs: list[tuple[str, bytes]], *, expected: set[str],
            known: set[str], before_write: Callable[[list[str]], None]) -> Written:
    """Write `outputs` (rel, bytes) and remove the `known` files (written earlier) not `expected` now."""
    publisher = Publisher(output, manifest, [rel for rel, _data in outputs], known=known, expected=expected,
                          before_write=before_write)
    for rel, data in outputs:
        publisher.write(rel, data)
    return publisher.finish()


def _link_warnings(output: OutputDir, reported: Iterable[str]) -> list[Problem]:
    """One warning per link in the managed folders that no failed write or removal named already."""
    told = " ".join(reported)
    return [Problem(f"{output.shown}/{rel}", 0, f"{output.shown}/{rel} is a symbolic link; left alone "
                                                "(the build never writes or deletes through links)", "warning")
            for rel in output.links(_MANAGED) if f"{output.shown}/{rel} is a symbolic link" not in told]


def _folder(rel: str) -> str:
    return rel.rpartition("/")[0]


def known_files(manifest: Manifest, recorded: Iterable[str]) -> set[str]:
    """Files earlier builds wrote: the manifest, plus those the build cache recorded before it existed."""
    return manifest.files() | set(recorded)


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory, fsync, rename: readers never see half."""
    import tempfile  # (here: a build's start does without it and what it loads)

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
