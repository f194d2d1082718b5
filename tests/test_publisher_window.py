"""build/write.py's Publisher hands each file to a writer thread and returns at once, until the bytes
handed over and not yet written reach its window (`in_flight`): then `write` waits for the oldest."""

from __future__ import annotations

import threading

from syndicator.build.manifest import Manifest
from syndicator.build.output import Outcome, OutputDir
from syndicator.build.write import Publisher


class _HeldOutput(OutputDir):
    """An output folder whose writes wait until the test lets each one through."""

    def __init__(self, root):
        super().__init__(root)
        self.gates: dict[str, threading.Event] = {}

    def write(self, rel, data):
        self.gates.setdefault(rel, threading.Event()).wait(10)
        return Outcome(rel, "written", signature="1:1:1")


def _publisher(tmp_path, window):
    output = _HeldOutput(tmp_path / "feeds")
    manifest = Manifest(tmp_path / "output.sqlite", tmp_path / "feeds")
    rels = ["a.xml", "b.xml", "c.xml"]
    return output, Publisher(output, manifest, rels, known=set(), expected=set(rels),
                             before_write=lambda rels: None, in_flight=window)


def _returns(call) -> bool:
    """Whether `call()` returns within half a second (it is left running if not)."""
    done = threading.Event()
    threading.Thread(target=lambda: (call(), done.set()), daemon=True).start()
    return done.wait(0.5)


def test_writes_within_the_window_return_at_once_and_the_next_waits_for_the_oldest(tmp_path):
    output, publisher = _publisher(tmp_path, window=250)
    assert _returns(lambda: publisher.write("a.xml", [b"x" * 100, b"y" * 50]))  # 150 in flight
    assert _returns(lambda: publisher.write("b.xml", b"z" * 100))  # 250: at the window, not over
    waiting = threading.Event()
    third = threading.Thread(target=lambda: (publisher.write("c.xml", b"w"), waiting.set()), daemon=True)
    third.start()
    assert not waiting.wait(0.5)  # 251 would be over: it waits for a.xml
    output.gates.setdefault("a.xml", threading.Event()).set()
    assert waiting.wait(5)
    for rel in ("b.xml", "c.xml"):
        output.gates.setdefault(rel, threading.Event()).set()
    assert publisher.finish().ok == [True, True, True]
