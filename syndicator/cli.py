"""The command line: the one place that turns errors into messages and exit codes.

Each command is a thin shell over a pipeline function; no logic lives here.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from . import __version__
from .config import Config, load as load_config
from .errors import SyndicatorError

logger = logging.getLogger(__name__)

CONFIG_OPTION = click.option(
    "--config", "config_path", default="config.toml", show_default=True,
    type=click.Path(dir_okay=False, path_type=Path), help="Path to config.toml.",
)


def now_utc() -> datetime:
    """The current time; the only clock the commands read."""
    return datetime.now(timezone.utc)


def open_config(path: Path) -> Config:
    """Load the config or exit with its message (exit status 2)."""
    try:
        return load_config(path)
    except SyndicatorError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syndicator")
def main() -> None:
    """syndicator: publish feeds from a posts directory and cross-post them."""


# Commands are added below, one section per pipeline.
