"""Signals (SIGTERM/SIGINT stop, SIGHUP reloads) and the checks a reloaded config must pass."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..config import Config

if TYPE_CHECKING:
    from .core import Daemon

logger = logging.getLogger(__package__)  # the daemon's lines keep the name `syndicator.daemon`


def install_signals(daemon: "Daemon", *, hup: bool) -> Callable[[], None]:
    """SIGTERM/SIGINT stop, SIGHUP reloads. Returns a function restoring the old handlers.

    A handler runs on the main thread between bytecodes, possibly while that thread holds one
    of the daemon's locks, so it only starts a thread that does the (locking) work.
    """
    import signal

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    owner = os.getpid()

    def later(fn: Callable[[], None]) -> Callable[[int, Any], None]:
        def handler(signum: int, frame: Any) -> None:
            if os.getpid() != owner:
                # A forked child (the build's worker pool) inherited this handler; the pool
                # ends its workers with SIGTERM, so act as if no handler were installed.
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)
                return
            if signum != signal.SIGHUP and daemon.stopping.is_set():
                logger.warning("already stopping; waiting for the delivery in flight")
            threading.Thread(target=fn, name="syndicator-signal", daemon=True).start()
        return handler

    wanted = {signal.SIGTERM: later(daemon.stop), signal.SIGINT: later(daemon.stop)}
    if hup:
        wanted[signal.SIGHUP] = later(_log_reload(daemon))
    previous = {sig: signal.signal(sig, handler) for sig, handler in wanted.items()}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return restore


def _log_reload(daemon: "Daemon") -> Callable[[], None]:
    def reload() -> None:
        logger.info("SIGHUP: reloading configuration")
        daemon.request_reload()
    return reload


def reloaded_config(old: Config, load: Callable[[Path], Config]) -> Config | None:
    """Re-read old's file: the new config, `old` itself when unchanged, None (logged) when refused."""
    try:
        new = load(old.path)
    except Exception as exc:
        logger.error("config reload failed, keeping the running configuration: %s", exc)
        logger.debug("config reload traceback", exc_info=True)
        return None
    if new.fingerprint == old.fingerprint:
        logger.debug("config unchanged")
        return old
    if new.state_dir.resolve() != old.state_dir.resolve():
        # The lock, the ledger and the cache live there; moving them under a running
        # daemon would let a second daemon start on the old directory.
        logger.error("config reload: state_dir changed (%s -> %s); restart the daemon to "
                     "move it. Keeping the running configuration.", old.state_dir, new.state_dir)
        return None
    return new
