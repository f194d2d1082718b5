"""Shared helpers for the cross-posting tests: configs, posts, a scripted in-process endpoint."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

import pytest

import syndicator.endpoints as endpoints_pkg
from syndicator import config as config_mod
from syndicator import crosspost_settings
from syndicator.crosspost_settings import KindSpec
from syndicator.endpoints.base import Endpoint, Message, Receipt
from syndicator.model import Post, Syndication

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)


def make_post(n: int | str, *, age: timedelta = timedelta(hours=1), now: datetime = NOW,
              draft: bool = False, syndicate: Syndication | None = None, title: str | None = None,
              summary: str | None = None) -> Post:
    """A published post `age` before `now` (negative age: scheduled in the future)."""
    slug = f"post-{n}"
    return Post(
        source=f"{slug}.md", id=f"tag:example.org,2026:{slug}", slug=slug,
        title=title or f"Post {n}", url=f"https://example.org/{slug}/",
        published=now - age, updated=now - age, body=f"Body of post {n}.",
        body_format="markdown", summary=summary or f"Summary of post {n}.", draft=draft,
        syndicate=syndicate or Syndication(),
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def write_config(root: Path, *, endpoints: Iterable[dict[str, Any]] = (),
                 crosspost: dict[str, Any] | None = None) -> Path:
    """A minimal config.toml with the given [crosspost] and [[endpoints]] tables."""
    lines = ['[site]', 'title = "Test site"', 'url = "https://example.org/"', '']
    if crosspost:
        lines.append("[crosspost]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in crosspost.items()]
        lines.append("")
    for table in endpoints:
        lines.append("[[endpoints]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in table.items()]
        lines.append("")
    path = root / "config.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def make_config(root: Path, **kwargs: Any) -> config_mod.Config:
    """write_config + load."""
    return config_mod.load(write_config(root, **kwargs))


class FakeEndpoint(Endpoint):
    """An in-process endpoint: outcomes are scripted per endpoint name, sends are recorded.

    `script[name]` is a list consumed one item per send/settle: an exception to raise, a
    Receipt, or the string "ok". When empty, sends succeed. `applied` holds the keys that the
    "platform" accepted, so settle() can answer like an idempotent API.
    """

    kind = "fake"
    script: dict[str, list[Any]] = {}
    sent: list[tuple[str, str, str]] = []  # (endpoint, post id, key)
    applied: dict[str, dict[str, str]] = {}  # endpoint -> key -> post id
    settled: list[tuple[str, str, str]] = []

    def render(self, post: Post, body: Any, *, template: str, own_text: str | None = None) -> Message:
        text = own_text or template.format(title=post.title, url=post.url, summary=body.summary,
                                           hashtags="", author="", date="")
        return Message(text, len(text), 500, {"kind": "fake"})

    def new_key(self, *, now: datetime) -> str:
        return f"key-{self.name}-{len(self.sent)}-{now.timestamp()}"

    def _next(self) -> Any:
        queue = self.script.get(self.name) or []
        return queue.pop(0) if queue else "ok"

    def send(self, post: Post, body: Any, message: Message, *, key: str, now: datetime) -> Receipt:
        self.sent.append((self.name, post.id, key))
        outcome = self._next()
        if isinstance(outcome, BaseException):
            if getattr(outcome, "applied", False):
                self.applied.setdefault(self.name, {})[key] = post.id
            raise outcome
        if isinstance(outcome, Receipt) or outcome != "ok":
            return outcome
        self.applied.setdefault(self.name, {})[key] = post.id
        return Receipt(remote_id=key, remote_url=f"https://{self.name}.test/{post.slug}")

    def settle(self, post: Post, body: Any, message: Message, *, key: str, now: datetime) -> Receipt | None:
        self.settled.append((self.name, post.id, key))
        if key in self.applied.get(self.name, {}):
            return Receipt(remote_id=key, remote_url=f"https://{self.name}.test/{post.slug}")
        return None


class FakeChat(FakeEndpoint):
    """A chat webhook: never resent when unsure."""

    kind = "fakechat"


@pytest.fixture
def fake_kinds(monkeypatch: pytest.MonkeyPatch) -> type[FakeEndpoint]:
    """Register the fake kinds beside the real ones and reset their records."""
    kinds = dict(getattr(endpoints_pkg, "ENDPOINTS", {}))
    kinds.update({"fake": FakeEndpoint, "fakechat": FakeChat})
    monkeypatch.setattr(endpoints_pkg, "ENDPOINTS", kinds, raising=False)
    specs = dict(crosspost_settings.KINDS)
    specs.update({"fake": KindSpec({}, ("token",), True, "{title} {url}"),
                  "fakechat": KindSpec({}, ("url",), False, "{title} {url}")})
    monkeypatch.setattr(crosspost_settings, "KINDS", specs)
    FakeEndpoint.script = {}
    FakeEndpoint.sent = []
    FakeEndpoint.applied = {}
    FakeEndpoint.settled = []
    monkeypatch.setenv("FAKE_TOKEN", "s3cret-token-value-123")
    monkeypatch.setenv("CHAT_URL", "https://discord.com/api/webhooks/42/chat-secret-xyz")
    return FakeEndpoint


class FakeClock:
    """A monotonic clock that only the fake sleep advances; records every sleep."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


def fake(name: str = "masto", **extra: Any) -> dict[str, Any]:
    """An [[endpoints]] table of the fake kind."""
    return {"name": name, "type": "fake", "token_env": "FAKE_TOKEN", "pace": "0s", **extra}


def chat(name: str = "chat", **extra: Any) -> dict[str, Any]:
    """An [[endpoints]] table of the fake chat kind."""
    return {"name": name, "type": "fakechat", "url_env": "CHAT_URL", "pace": "0s", **extra}
