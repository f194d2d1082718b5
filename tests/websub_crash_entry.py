"""Test-only entry point: `python websub_crash_entry.py POINT <syndicator args>` runs the CLI and
SIGKILLs the process at POINT of the WebSub outbox: "record" (the feeds are written, nothing
about them recorded yet) or "send" (the pings are recorded, none sent). The fault is injected
here; production code has no hook for it.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from syndicator.cli import main
from syndicator.crosspost import websub_outbox


def _kill(*args: Any, **kwargs: Any) -> Any:
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    point = sys.argv[1]
    setattr(websub_outbox, {"record": "_record", "send": "_send_due"}[point], _kill)
    sys.argv = ["syndicator", *sys.argv[2:]]
    main()
