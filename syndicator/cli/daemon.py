"""`syndicator run` (the daemon) and `syndicator serve` (the feed server alone)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from .app import CONFIG_OPTION, main, open_config, setup_logging

logger = logging.getLogger(__name__)

@main.command("run")
@CONFIG_OPTION
@click.option("--once", is_flag=True,
              help="One build and one cross-posting pass, then exit (for cron or systemd timers).")
@click.option("--serve/--no-serve", default=None,
              help="Also serve the feeds over HTTP (default: [daemon] serve in the config).")
@click.option("--host", default=None, help="Address to serve on (default: [server] host).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to serve on (default: [server] port; 0 picks a free one).")
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
    from ..daemon import run

    setup_logging(log_level, log_format)
    config = open_config(config_path)
    sys.exit(run(config, once=once, serve=serve, poll=poll, host=host, port=port))


@main.command()
@CONFIG_OPTION
@click.option("--host", default=None, help="Address to listen on (default: [server] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on (default: [server] port, 8080; 0 picks a free one).")
def serve(config_path: Path, host: str | None, port: int | None) -> None:
    """Serve the feeds directory over HTTP: feeds, an index page at / and /healthz."""
    import signal
    import threading

    from ..server import make_server

    config = open_config(config_path)
    setup_logging("info")
    server = make_server(config, host=host, port=port)

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
