"""The `syndicator` command group, its --config option, the clock and logging set-up."""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from .. import __version__
from ..config import Config
from ..config import load as load_config
from ..errors import SyndicatorError

logger = logging.getLogger(__name__)

CONFIG_OPTION = click.option(
    "--config", "config_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
    help="Path to config.toml (default: ./config.toml).",
)


def now_utc() -> datetime:
    """The current time; the only clock the commands read."""
    return datetime.now(timezone.utc)


def open_config(path: Path | None) -> Config:
    """Load the config or exit with its message (exit status 2).

    --config may stand before the command (`syndicator --config x.toml build`) or after it.
    """
    if path is None:
        ctx = click.get_current_context(silent=True)
        path = (ctx.find_root().obj if ctx else None) or Path("config.toml")
    try:
        return load_config(path)
    except SyndicatorError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syndicator")
@CONFIG_OPTION
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """syndicator: publish feeds from a posts directory and cross-post them."""
    ctx.obj = config_path


def setup_logging(level: str = "warning", fmt: str = "text") -> None:
    """Configure the root logger once for a command: one line per event on stderr."""
    import json as _json

    class _Json(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
                    "level": record.levelname.lower(), "logger": record.name,
                    "message": record.getMessage()}
            if record.exc_info or record.exc_text:  # the daemon logs job failures with tracebacks
                line["exc"] = record.exc_text or self.formatException(record.exc_info)
            return _json.dumps(line, ensure_ascii=False)

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Json() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
    try:
        from ..redact import RedactingFilter  # masks secrets in every log line
        handler.addFilter(RedactingFilter())
    except ImportError:
        pass
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
