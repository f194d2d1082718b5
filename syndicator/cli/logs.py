"""How a command logs: one line per event on stderr, secrets masked (text, or JSON lines for the daemon).

Without click, so that `syndicator build` answered before the command line loads (cli/quick.py)
logs exactly as the full command does.
"""

from __future__ import annotations

import logging
import sys


class JsonLines(logging.Formatter):
    """One JSON object per log line: time, level, logger, message (and exc for tracebacks)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON line."""
        import json  # only the daemon logs JSON: a command's start-up does without it

        line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
                "level": record.levelname.lower(), "logger": record.name,
                "message": record.getMessage()}
        if record.exc_info or record.exc_text:  # the daemon logs job failures with tracebacks
            line["exc"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class _Redacting(logging.Filter):
    """redact.py's RedactingFilter, loaded with the first record: a command that logs nothing (most builds)
    does without its patterns."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place, as RedactingFilter does; never drops it."""
        from ..redact import scrub

        scrub(record)
        return True


def setup_logging(level: str = "warning", fmt: str = "text") -> None:
    """Configure the root logger once for a command: one line per event on stderr, secrets masked."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
    handler.addFilter(_Redacting())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
