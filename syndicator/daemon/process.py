"""The daemon process: lock, watcher, server and signals around the Daemon's loop."""

from __future__ import annotations

import logging
import os
from typing import Any

from ..config import Config
from .core import Daemon
from .lock import StateLock
from .signals import install_signals

logger = logging.getLogger(__package__)  # the daemon's lines keep the name `syndicator.daemon`


def run(config: Config, *, once: bool = False, serve: bool | None = None, poll: bool = False,
        host: str | None = None, port: int | None = None) -> int:
    """`syndicator run`: the daemon (or one pass with once=True). Returns the exit status.

    Raises DaemonError when another daemon holds the state directory, ServeError when it cannot listen.
    """
    lock = StateLock(config.state_dir)
    lock.acquire()
    try:
        if once:
            return _run_once(config)
        return _run_forever(config, serve=config.daemon.serve if serve is None else serve,
                            poll=poll, host=host, port=port)
    finally:
        lock.release()


def _run_once(config: Config) -> int:
    daemon = Daemon(config, threaded=False)
    restore = install_signals(daemon, hup=False)
    try:
        return daemon.run_once()
    finally:
        restore()


def _run_forever(config: Config, *, serve: bool, poll: bool, host: str | None,
                 port: int | None) -> int:
    from .watcher import Watcher

    daemon = Daemon(config)

    def watching(config: Config) -> Watcher:
        return Watcher(config.posts_dir, config.path, daemon.notify, poll=poll,
                       skip=(config.feeds.output, config.state_dir), exclude=config.reading.exclude)

    watcher = watching(config)
    server = None
    restore = install_signals(daemon, hup=True)
    try:
        watcher.start()
        logger.info("watching %s (%s) and %s", config.posts_dir, watcher.mode, config.path)

        def rewatch(old: Config, new: Config) -> None:
            nonlocal watcher
            if (old.posts_dir, old.path, old.reading.exclude) != (new.posts_dir, new.path, new.reading.exclude):
                watcher.stop()
                watcher = watching(new)
                watcher.start()
                logger.info("now watching %s (%s) and %s", new.posts_dir, watcher.mode, new.path)
            if server is not None and (old.server, old.feeds.output) != (new.server, new.feeds.output):
                logger.warning("server address and feeds directory changes take effect on restart")

        daemon.on_reload.append(rewatch)
        if serve:
            server = _start_server(config, daemon, host=host, port=port)
        logger.info("syndicator daemon started (PID %d)", os.getpid())
        daemon.loop()
        logger.info("stopping")
        daemon.shutdown()
    finally:
        watcher.stop()
        if server is not None:
            server.shutdown()
            server.server_close()
        restore()
    logger.info("stopped")
    return 0


def _start_server(config: Config, daemon: Daemon, *, host: str | None, port: int | None) -> Any:
    from ..server import serve_in_thread

    server = serve_in_thread(config, host=host, port=port, health=daemon.health,
                             current_config=lambda: daemon.config)
    bound_host, bound_port = server.server_address[:2]
    logger.info("serving %s on http://%s:%d/", config.feeds.output,
                f"[{bound_host}]" if ":" in str(bound_host) else bound_host, bound_port)
    return server
