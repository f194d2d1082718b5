"""Content-named files beside the build's record: the pieces of its warm state (issue 12).

The warm state (build/warm.py) is a few hundred kilobytes to tens of megabytes: every post file's
row, in chunks, and every feed's newest members. An edit changes one chunk and a feed or two, so
each piece is a file named by a digest of its bytes, and the record names the pieces it was made
from: a build writes only the pieces that are new and removes the ones no record names any more.
A piece is written to a temporary name and renamed, so a name always holds the bytes it names.

No lock of its own: one build at a time (build/lock.py), and a build that starts has forgotten the
last record (build/entry.py), so the pieces only it named may go.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ..digests import blake2b

FOLDER = "warm"  # below the state folder


class Blobs:
    """The pieces in `<state_dir>/warm/`, by name."""

    def __init__(self, state_dir: Path) -> None:
        self.folder = state_dir / FOLDER

    def put(self, data: bytes) -> str:
        """Store `data` (unless a piece of that name is there already); its name."""
        name = blake2b(data, digest_size=16).hexdigest()
        path = self.folder / name
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            temp = self.folder / f".{name}.tmp"
            temp.write_bytes(data)
            os.replace(temp, path)
        return name

    def get(self, name: str) -> bytes:
        """The piece named `name` (OSError when there is none: the record that names it is no good)."""
        with open(self.folder / name, "rb") as handle:
            return handle.read()

    def keep_only(self, names: Iterable[str]) -> None:
        """Remove every piece (and leftover temporary file) but `names`."""
        keep = set(names)
        try:
            found = os.listdir(self.folder)
        except FileNotFoundError:
            return
        for name in found:
            if name not in keep:
                try:
                    os.unlink(self.folder / name)
                except FileNotFoundError:
                    pass
