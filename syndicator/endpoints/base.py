"""The one interface every endpoint kind implements, and the values that cross it.

The cross-posting orchestrator (crosspost.py) owns the ledger and the retry policy; an endpoint
only renders, measures, sends and settles. A delivery is a Receipt or an exception from
errors.DeliveryError's tree, never a truthy/falsy value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Mapping

import requests

from ..config import Field
from ..errors import AmbiguousError
from ..model import Body, Post


@dataclass(frozen=True)
class Message:
    """What will be sent for one post: the fitted text, measured the platform's way."""

    text: str
    length: int  # as the platform counts (graphemes, URLs as 23, bytes, ...)
    limit: int | None  # None when the platform has no practical limit
    details: Mapping[str, Any] = field(default_factory=dict)  # facets, embeds: shown by --dry-run
    dropped: tuple[str, ...] = ()  # what fitting removed (hashtags, summary words), for --dry-run


@dataclass(frozen=True)
class Receipt:
    """Proof that the platform accepted the post."""

    remote_id: str | None = None
    remote_url: str | None = None


class Endpoint:
    """Base class: one configured [[endpoints]] table of one kind."""

    kind: ClassVar[str] = ""
    # After an ambiguous outcome with no way to check, resend with the same key (True) or give
    # up as "unknown" (False: chat webhooks, where a missing message beats a duplicate). The
    # common config key `resend_when_unsure` overrides it for one endpoint (see __init__).
    resend_when_unsure: bool = True
    # Options beyond the common ones (name, type, enabled, template, max_age, min_age, ...).
    options: ClassVar[dict[str, Field]] = {}
    # Secrets this kind needs, by name; config gives each as `<name>_env` (e.g. token_env).
    secret_names: ClassVar[tuple[str, ...]] = ()
    # The text template used when the [[endpoints]] table gives none.
    default_template: ClassVar[str] = "{title}\n\n{summary}\n\n{url}"

    def __init__(self, name: str, opts: Mapping[str, Any], secrets: Mapping[str, str],
                 session: requests.Session, *, timeout: float = 10.0) -> None:
        self.name = name
        self.opts = dict(opts)
        self.secrets = dict(secrets)
        self.session = session
        self.timeout = timeout
        if self.opts.get("resend_when_unsure") is not None:
            self.resend_when_unsure = bool(self.opts["resend_when_unsure"])

    def secret_values(self) -> tuple[str, ...]:
        """Every string that must never appear in logs, errors or the ledger."""
        return tuple(v for v in self.secrets.values() if v)

    def render(self, post: Post, body: Body, *, template: str, own_text: str | None = None) -> Message:
        """Fit the post's summary into this platform's limits."""
        raise NotImplementedError

    def new_key(self, *, now: datetime) -> str:
        """A fresh idempotency key / record key / delivery id, stored before the first send."""
        raise NotImplementedError

    def send(self, post: Post, body: Body, message: Message, *, key: str, now: datetime) -> Receipt:
        """Deliver once. Raises TransientError, PermanentError, AuthError or AmbiguousError."""
        raise NotImplementedError

    def settle(self, post: Post, body: Body, message: Message, *, key: str, now: datetime) -> Receipt | None:
        """After an ambiguous outcome: a Receipt if it was applied, None if it certainly was not.

        Endpoints with an idempotency key simply resend with the same key. Raise AmbiguousError
        when it cannot be told.
        """
        return self.send(post, body, message, key=key, now=now)

    def _resend_if_allowed(self, post: Post, body: Body, message: Message, *, key: str,
                           now: datetime, unsure: str) -> Receipt:
        """settle() for kinds that cannot check: resend only when resend_when_unsure is set,
        else raise AmbiguousError saying `unsure` (why it cannot be told)."""
        if self.resend_when_unsure:
            return self.send(post, body, message, key=key, now=now)
        raise AmbiguousError(f"{self.kind} endpoint '{self.name}': {unsure} "
                             "(resend_when_unsure = true resends)")
