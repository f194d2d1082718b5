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


# Commands are added below, one section per pipeline.


def setup_logging(level: str = "warning", fmt: str = "text") -> None:
    """Configure the root logger once for a command: one line per event on stderr."""
    import json as _json

    class _Json(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return _json.dumps({"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
                                "level": record.levelname.lower(), "logger": record.name,
                                "message": record.getMessage()}, ensure_ascii=False)

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Json() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
    try:
        from .redact import RedactingFilter  # masks secrets in every log line
        handler.addFilter(RedactingFilter())
    except ImportError:
        pass
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


# ---- build / check / new -------------------------------------------------------------------

def _progress_printer():
    """A progress callback for long builds, only on a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        click.echo(f"\rparsing posts: {done}/{total}", err=True, nl=done >= total)

    return show


def _print_problems(problems) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


@main.command()
@CONFIG_OPTION
@click.option("--no-cache", is_flag=True, help="Ignore the build cache and parse every post again.")
def build(config_path: Path, no_cache: bool) -> None:
    """Regenerate the feeds now."""
    from .build import build as run_build

    setup_logging()
    config = open_config(config_path)
    try:
        report = run_build(config, now=now_utc(), use_cache=not no_cache, progress=_progress_printer())
    except SyndicatorError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    _print_problems(report.problems)
    due = f" (next due {report.next_due.isoformat()})" if report.next_due else ""
    click.echo(f"posts: {report.files} read, {len(report.published)} published, {report.drafts} draft, "
               f"{report.future} scheduled{due}, {report.rejected} rejected")
    click.echo(f"feeds: {len(report.written)} written, {report.unchanged} unchanged, "
               f"{len(report.removed)} removed in {config.feeds.output}")
    if report.rejected:
        sys.exit(1)


@main.command()
@CONFIG_OPTION
def check(config_path: Path) -> None:
    """Validate config and posts; write nothing."""
    from .loader import load_posts

    setup_logging()
    config = open_config(config_path)
    problems = []
    try:
        from .crosspost import check_config  # the [[endpoints]] tables
    except ImportError:
        check_config = None
    if check_config is not None:
        try:
            check_config(config)
        except SyndicatorError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
    result = load_posts(config, bodies=False, cache=None)
    problems = result.problems
    _print_problems(problems)
    click.echo(f"config: ok; posts: {result.files} read, {len(result.posts)} good, {result.rejected} rejected, "
               f"{sum(1 for p in problems if p.severity == 'warning')} warnings")
    if result.rejected:
        sys.exit(1)


@main.command()
@CONFIG_OPTION
@click.argument("title")
@click.option("--author", help="Author key from [authors] (default: the site's author).")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
def new(config_path: Path, title: str, author: str | None, fmt: str) -> None:
    """Create a post file with a minted id, the current time and the default author."""
    from .newpost import create

    config = open_config(config_path)
    try:
        path = create(config, title, now=now_utc(), author=author, fmt=fmt)
    except SyndicatorError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"created {path}")


# --- run: the daemon (issue 4) ---------------------------------------------------------------


class _TextFormatter(logging.Formatter):
    """`2026-05-01T12:00:00.123Z INFO syndicator.daemon: message`, UTC."""

    converter = staticmethod(__import__("time").gmtime)  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__("%(asctime)s.%(msecs)03dZ %(levelname)s %(name)s: %(message)s",
                         "%Y-%m-%dT%H:%M:%S")


class _JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and exc when there is one)."""

    def format(self, record: logging.LogRecord) -> str:
        import json

        stamp = datetime.fromtimestamp(record.created, timezone.utc)
        line = {"time": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def setup_logging(level: str = "info", fmt: str = "text") -> None:
    """Log to stderr, one line per event, secrets masked; only the CLI configures handlers."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonFormatter() if fmt == "json" else _TextFormatter())
    try:
        from . import redact

        redact.install()  # masks every record as it is created, from any library
        handler.addFilter(redact.RedactingFilter())
    except ImportError:  # pragma: no cover - redact.py ships with the package
        pass
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_syndicator", False)]:
        root.removeHandler(old)
    handler._syndicator = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper()))
    if level.lower() != "debug":  # per-request lines from urllib3 are noise at info
        logging.getLogger("urllib3").setLevel(logging.WARNING)
        logging.getLogger("watchdog").setLevel(logging.WARNING)


@main.command("run")
@CONFIG_OPTION
@click.option("--once", is_flag=True,
              help="One build and one cross-posting pass, then exit (for cron or systemd timers).")
@click.option("--serve/--no-serve", default=None,
              help="Also serve the feeds over HTTP (default: [daemon] serve in the config).")
@click.option("--host", default=None, help="Address to serve on (default: [server] host).")
@click.option("--port", type=int, default=None, help="Port to serve on (default: [server] port).")
@click.option("--poll", is_flag=True,
              help="Watch posts by polling instead of filesystem notifications (network filesystems).")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]),
              default="info", show_default=True, help="Least severe log level shown.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Log lines as text or as JSON objects.")
def run_command(config_path: Path, once: bool, serve: bool | None, host: str | None,
                port: int | None, poll: bool, log_level: str, log_format: str) -> None:
    """Run the daemon: rebuild on change, publish scheduled posts, cross-post, serve.

    Watches the posts directory and the config file and rebuilds the feeds within a second of
    a change; publishes future-dated posts at their time; cross-posts on the [daemon]
    schedule and after new posts appear; pings WebSub hubs. SIGHUP reloads the config,
    SIGTERM stops cleanly. Only one daemon may run per state directory.
    """
    from .daemon import run
    from .errors import DaemonError

    setup_logging(log_level, log_format)
    config = open_config(config_path)
    try:
        status = run(config, once=once, serve=serve, poll=poll, host=host, port=port)
    except DaemonError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    sys.exit(status)


# ---------------------------------------------------------------- serve (issue 4)

@main.command()
@CONFIG_OPTION
@click.option("--host", default=None, help="Address to listen on (default: [server] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on (default: [server] port, 8080; 0 picks a free one).")
def serve(config_path: Path, host: str | None, port: int | None) -> None:
    """Serve the feeds directory over HTTP: feeds, an index page at / and /healthz."""
    import signal
    import threading

    from .server import make_server

    config = open_config(config_path)
    setup_logging("info")
    try:
        server = make_server(config, host=host, port=port)
    except OSError as exc:
        where = f"{host or config.server.host}:{config.server.port if port is None else port}"
        click.echo(f"error: cannot listen on {where}: {exc.strerror or exc}", err=True)
        sys.exit(1)

    def stop(signum: int, frame: object) -> None:
        # shutdown() waits for serve_forever() to return, so it cannot run in this (its) thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    if not config.feeds.output.is_dir():
        logger.warning("%s does not exist yet; run `syndicator build`", config.feeds.output)
    click.echo(f"serving {config.feeds.output} at http://{shown}:{bound_port}/ (Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
