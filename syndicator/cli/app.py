"""The `syndicator` command group with the one error exit, its --config option, the clock and logging."""

from __future__ import annotations

import importlib
import logging
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..config import Config
from ..config import find_config
from ..config import load as load_config
from ..errors import ConfigError, SyndicatorError, UsageError
from .logs import JsonLines, setup_logging  # noqa: F401 (re-exported: the commands use them)

logger = logging.getLogger(__name__)

CONFIG_OPTION = click.option(
    "--config", "config_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
    help="Path to the config (default: ./syndicator.toml, else ./config.toml with a [site] table).",
)


def exit_status(error: SyndicatorError) -> int:
    """The exit status for an expected failure: 2 for a config or usage error, else 1."""
    return 2 if isinstance(error, (ConfigError, UsageError)) else 1


# The module of this package that defines each command: a command line imports only its command's module.
COMMAND_MODULES = {"build": "build", "check": "build", "new": "build", "crosspost": "crosspost",
                   "status": "crosspost", "retry": "crosspost", "run": "daemon", "serve": "daemon",
                   "import": "importer", "init": "init", "sources": "sources"}


class Commands(click.Group):
    """The command group; its invoke() is the one place a SyndicatorError becomes a message and a status.

    Commands are loaded on first use (COMMAND_MODULES); an unknown name loads them all, so click's
    "No such command" still suggests the nearest one.
    """

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command named `cmd_name`, importing the module that defines it."""
        if cmd_name not in self.commands:
            known = COMMAND_MODULES.get(cmd_name)
            for module in [known] if known else sorted(set(COMMAND_MODULES.values())):
                importlib.import_module(f"{__package__}.{module}")
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, loaded or not."""
        return sorted(set(self.commands) | set(COMMAND_MODULES))

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; an expected failure prints `error: message` (no traceback) and exits."""
        try:
            return super().invoke(ctx)
        except SyndicatorError as exc:
            click.echo(f"error: {exc}", err=True)
            logger.debug("traceback of the error above", exc_info=exc)
            ctx.exit(exit_status(exc))


def now_utc() -> datetime:
    """The current time; the only clock the commands read."""
    return datetime.now(timezone.utc)


def open_config(path: Path | None) -> Config:
    """Load the config; raises ConfigError (exit status 2).

    --config may stand before the command (`syndicator --config x.toml build`) or after it.
    """
    if path is None:
        ctx = click.get_current_context(silent=True)
        path = ctx.find_root().obj if ctx else None
    return load_config(path or find_config(Path.cwd()))


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syndicator")
@CONFIG_OPTION
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """syndicator: publish feeds from a posts directory and cross-post them."""
    ctx.obj = config_path
