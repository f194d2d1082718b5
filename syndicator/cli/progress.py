"""The "parsing posts: done/total" line a long build shows on a terminal (without click: the quick path uses it too)."""

from __future__ import annotations

from typing import Callable, TextIO

Progress = Callable[[int, int], None]


def progress_printer(stream: TextIO) -> Progress | None:
    """A progress callback writing to `stream` as click.echo(..., nl=done >= total) would, only on a terminal."""
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        stream.write(f"\rparsing posts: {done}/{total}" + ("\n" if done >= total else ""))
        stream.flush()

    return show
