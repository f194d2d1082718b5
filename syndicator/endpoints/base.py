"""The one interface every endpoint kind implements, and the values that cross it.

The cross-posting runner (crosspost/) owns the ledger and the retry policy; an endpoint only
renders, measures, sends and settles. A delivery is a Receipt or an exception from
errors.DeliveryError's tree, never a truthy/falsy value. What a kind accepts in config is
declared in crosspost_settings.KINDS; an endpoint object is built from its typed settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Mapping

import requests

from ..crosspost_settings import EndpointSettings
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

    def __init__(self, settings: EndpointSettings, secrets: Mapping[str, str],
                 session: requests.Session) -> None:
        self.settings = settings
        self.name = settings.name
        self.opts = settings.options
        self.secrets = dict(secrets)
        self.session = session
        self.timeout = settings.timeout

    @property
    def resend_when_unsure(self) -> bool:
        """After an ambiguous outcome with no way to check: resend with the same key (True) or
        keep it `unknown` for a human (False: chat webhooks, where a missing message beats a
        duplicate). The kind's default, overridden by the table's `resend_when_unsure`."""
        return self.settings.resend_when_unsure

    def credential_hint(self) -> str:
        """Which credential to fix when the platform rejects ours, in words."""
        return self.settings.credential_hint()

    def secret_values(self) -> tuple[str, ...]:
        """Every string that must never appear in logs, errors or the ledger."""
        return tuple(v for v in self.secrets.values() if v)

    def session_state(self) -> dict[str, str] | None:
        """A login to keep between runs (None: this kind keeps none)."""
        return None

    def restore_session(self, state: dict[str, str]) -> None:
        """Use a login kept by session_state() instead of logging in again."""

    def render(self, post: Post, body: Body, *, template: str, own_text: str | None = None) -> Message:
        """Fit the post's summary into this platform's limits."""
        raise NotImplementedError

    def refit(self, post: Post, body: Body, *, template: str, own_text: str | None) -> Message | None:
        """After a TooLongError: the message fitted again with room to spare, or None when this
        kind cannot do better (the delivery then fails)."""
        return None

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
