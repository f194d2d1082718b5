"""Test-only entry point for the crash tests: `python crash_entry.py N <syndicator args>` runs
the CLI with a ledger that SIGKILLs this process at its Nth step. The steps are: a claim was
committed (nothing sent yet); a send returned or failed (nothing recorded yet); a `sent`
outcome was recorded. Production code carries no hook for this: the fault is injected here, by
swapping in a Ledger subclass before the CLI opens the ledger.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from syndicator.cli import main
from syndicator.crosspost import ledger as ledger_module


def crashing_ledger(limit: int) -> type[ledger_module.Ledger]:
    """A Ledger subclass that kills the process at its `limit`-th step."""
    steps = [0]

    def step() -> None:
        steps[0] += 1
        if steps[0] >= limit:
            os.kill(os.getpid(), signal.SIGKILL)

    class CrashingLedger(ledger_module.Ledger):
        def claim(self, *args: Any, **kwargs: Any) -> Any:
            before = super().claim(*args, **kwargs)
            if before is not None:
                step()  # claimed and committed, nothing sent
            return before

        def _outcome(self, *args: Any, **kwargs: Any) -> None:
            step()  # the send returned or failed; nothing recorded yet
            super()._outcome(*args, **kwargs)
            if "'sent'" in str(args[2]):
                step()  # recorded as sent

    return CrashingLedger


if __name__ == "__main__":
    ledger_module.Ledger = crashing_ledger(int(sys.argv[1]))  # type: ignore[misc]
    sys.argv = ["syndicator", *sys.argv[2:]]
    main()
