"""Helpers for the daemon tests: a fake clock, a fake build, sites on disk, daemon subprocesses."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

from syndicator.build.report import BuildReport
from syndicator.posts.loader import Stub

REPO = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)


class Clock:
    """A settable clock for Daemon(clock=...)."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def fake_post(n: int, *, title: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(id=f"tag:example.org,2026:{n}", source=f"post-{n}.md",
                           title=title or f"Post {n}")


def fake_stub(post: SimpleNamespace) -> Stub:
    """The Stub a real build would report for a fake post."""
    return Stub(source=post.source, id=post.id, url=f"https://example.org/{post.source}", slug=post.source,
                published=T0.timestamp(), draft=False, tags=(), categories=(), authors=(), digest=post.id)


@dataclass
class FakeBuild:
    """Stands in for build.build: records calls, returns scripted reports."""

    posts: list = field(default_factory=list)
    next_due: datetime | None = None
    written: list = field(default_factory=list)
    fail: list = field(default_factory=list)  # exceptions to raise on the next calls
    calls: list = field(default_factory=list)

    def __call__(self, config: Any, *, now: datetime, keep_posts: bool = False, brief: bool = False,
                 memory: Any = None, changed: Any = None) -> BuildReport:
        self.calls.append(now)
        if self.fail:
            raise self.fail.pop(0)
        due = self.next_due
        if due is not None and due <= now:
            self.posts.append(fake_post(len(self.posts) + 1, title="scheduled"))
            self.next_due = due = None
        written, self.written = self.written, []
        return BuildReport(files=len(self.posts), published=[fake_stub(p) for p in self.posts],
                           posts=list(self.posts), written=written, next_due=due)


def wait_for(check: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll `check` until it returns something truthy; its value, or AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {check}")
        time.sleep(interval)


MINIMAL_CONFIG = """\
[site]
title = "Test Site"
url = "https://test.example.org/"
author = "ann"

[authors.ann]
name = "Ann Example"
email = "ann@example.org"

[feeds]
output = "feeds"

[daemon]
debounce = 0.2
"""


def write_minimal_site(root: Path, extra: str = "") -> Path:
    """A one-post site in `root`; returns the config path."""
    (root / "posts").mkdir(parents=True, exist_ok=True)
    (root / "posts" / "2026-01-01-hello.md").write_text(
        "---\ntitle: Hello\ndate: 2026-01-01\nauthor: ann\n---\n\nFirst post.\n", encoding="utf-8")
    config = root / "config.toml"
    config.write_text(MINIMAL_CONFIG + extra, encoding="utf-8")
    return config


def copy_example_site(root: Path, extra: str = "", *, debounce: float = 0.2) -> Path:
    """A copy of the repository's example site (config.toml and posts/) in `root`.

    Falls back to a minimal site while the example does not exist. `extra` is appended to the
    config (more [[endpoints]] tables, say) after [daemon], [crosspost] and [[endpoints]] are
    dropped, so tests control them.
    """
    source = REPO / "config.toml"
    if not (source.is_file() and (REPO / "posts").is_dir()):
        return write_minimal_site(root, extra)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "posts", root / "posts")
    # The tests choose the schedule and the endpoints (the example's would want real secrets).
    text = _drop_tables(source.read_text(encoding="utf-8"), {"[daemon]", "[crosspost]", "[[endpoints]]"})
    text += f"\n[daemon]\ndebounce = {debounce}\n" + extra
    config = root / "config.toml"
    config.write_text(text, encoding="utf-8")
    return config


def _drop_tables(text: str, headers: set[str]) -> str:
    out, skipping = [], False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("["):
            skipping = stripped.split("#")[0].strip() in headers
        if not skipping:
            out.append(line)
    return "".join(out)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post_text(title: str, *, date: str, author: str = "maya", body: str = "Body text.") -> str:
    return textwrap.dedent(f"""\
        ---
        title: {title}
        date: {date}
        author: {author}
        tags: [e2e]
        ---

        {body}
        """)


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies (a killed pytest leaves no daemons)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class DaemonProcess:
    """`python -m syndicator run ...` as a subprocess, its stderr collected in a thread."""

    def __init__(self, config: Path, *args: str, env: dict[str, str] | None = None) -> None:
        cmd = [sys.executable, "-m", "syndicator", "run", "--config", str(config), *args]
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc = subprocess.Popen(cmd, cwd=config.parent, env=full_env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     preexec_fn=_die_with_parent)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    def wait_log(self, text: str, timeout: float = 10.0) -> str:
        """Wait for a log line containing `text`; fail with the log so far."""
        try:
            return wait_for(lambda: next((l for l in self.lines if text in l), None), timeout)
        except AssertionError:
            raise AssertionError(f"no log line with {text!r} in {timeout}s; log:\n{self.log}") from None

    def stop(self, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise

    def __enter__(self) -> "DaemonProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=2)
