"""The last build's problems of a few post files, found without decoding everyone's (issue 12).

After most edits the changed file's problems are the record's (build/incremental.py's
problems_unchanged), and asking costs decoding every problem the record holds: 20,000 warnings
at 10,000 posts, 3-4 ms of a 70 ms edit. The record keeps them as report.problem_bytes: chunks of
pickled (path, line, message, severity) tuples, each compressed. A chunk is only unpickled when
its bytes hold one of the paths asked for (a pickle writes each string's UTF-8 bytes in full the
first time it holds it), so usually one chunk is, and the others are only decompressed.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable

from .report import problem_chunks

Row = tuple[str, int, str, str]  # (path, line, message, severity)


def rows_of(data: bytes, paths: Iterable[str]) -> dict[str, list[Row]] | None:
    """Each path's rows among problem_bytes() `data`, in their order there; None for data of one pickled
    list (a record written before the chunks: decode it whole)."""
    found: dict[str, list[Row]] = {path: [] for path in paths}
    chunks = problem_chunks(data)
    if chunks is None:
        return None
    needles = [path.encode("utf-8", "surrogatepass") for path in found]  # as pickle writes a str
    for raw in chunks:
        if any(needle in raw for needle in needles):
            for row in pickle.loads(raw):
                if row[0] in found:
                    found[row[0]].append(row)
    return found
