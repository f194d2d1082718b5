"""Mastodon: `POST {instance}/api/v1/statuses` with an Idempotency-Key.

Config ([[endpoints]] type = "mastodon"):
    instance        required  "https://mastodon.social"
    visibility      "public"  public | unlisted | private | direct
    language        none      ISO 639 code; default: the post's lang
    spoiler_text    none      content warning (counted in the limit, as Mastodon does)
    max_characters  none      override the limit read from GET /api/v2/instance
Secrets: token (config `token_env`), an access token with write:statuses.

Delivery: exactly once. The key from new_key() goes in `Idempotency-Key`; Mastodon returns
the same status for a repeat within an hour, so settle() resends with the same key. A key
older than 50 minutes (the key carries its creation time) is no longer trusted: settle() looks
for the post's URL among the account's 40 latest statuses instead (found -> Receipt, not found
-> None).
"""

from __future__ import annotations

import html
import logging
import uuid
from datetime import datetime
from typing import Any

from ..crosspost.fitting import fit_post, mastodon_limits
from ..errors import AmbiguousError, DeliveryError, TooLongError
from ..model import Body, Post
from ..redact import one_line
from .base import Endpoint, Message, Receipt
from .http import check_length, host_of, json_or_none, raise_for, request

logger = logging.getLogger(__name__)

class Mastodon(Endpoint):
    """A Mastodon (or compatible) account."""

    kind = "mastodon"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance = str(self.opts["instance"]).rstrip("/")
        self._limits: tuple[int, int] | None = None

    def limits(self) -> tuple[int, int]:
        """(max_characters, characters_reserved_per_url), read once from the instance."""
        if self.opts.get("max_characters"):
            return int(self.opts["max_characters"]), 23
        if self._limits is None:
            self._limits = (500, 23)
            try:
                resp = request(self, "GET", f"{self.instance}/api/v2/instance",
                               where=host_of(self.instance))
                statuses = (json_or_none(resp) or {})["configuration"]["statuses"]
                self._limits = (int(statuses["max_characters"]),
                                int(statuses.get("characters_reserved_per_url", 23)))
            except (DeliveryError, KeyError, TypeError, ValueError) as exc:
                logger.warning("mastodon endpoint %s: instance limits unavailable (%s); "
                               "using 500 characters, URLs as 23", self.name,
                               type(exc).__name__)
        return self._limits

    def render(self, post: Post, body: Body, *, template: str, own_text: str | None = None,
               margin: int = 0) -> Message:
        """Fit to the instance's limit, content warning included, leaving `margin` characters
        unused (a refit after Mastodon answered 422 over the limit passes margin > 0)."""
        maximum, per_url = self.limits()
        spoiler = self.opts.get("spoiler_text") or ""
        limits = mastodon_limits(maximum, per_url, spoiler_text=spoiler, margin=margin)
        fitted = fit_post(post, body, template=template, own_text=own_text, limits=limits)
        return Message(fitted.text, limits[0].measure(fitted.text), maximum,
                       {"visibility": self.opts.get("visibility") or "public",
                        "language": self._language(post) or "(instance default)"},
                       fitted.dropped)

    def refit(self, post: Post, body: Body, *, template: str, own_text: str | None) -> Message | None:
        """Fit again leaving a fifth of the limit unused (at least 20 characters): Mastodon
        counted more than we did, and a 422 stored nothing, so the same key can be reused."""
        maximum, _ = self.limits()
        return self.render(post, body, template=template, own_text=own_text,
                           margin=max(20, maximum // 5))

    def _language(self, post: Post) -> str | None:
        """The `language` option, else the post's lang; None leaves it to the instance."""
        return self.opts.get("language") or post.lang

    def new_key(self, *, now: datetime) -> str:
        """An Idempotency-Key carrying its creation time: "syn-<unix seconds>-<random hex>"."""
        return f"syn-{int(now.timestamp())}-{uuid.uuid4().hex}"

    def send(self, post: Post, body: Body, message: Message, *, key: str, now: datetime) -> Receipt:
        """POST the status with the key; 200 gives the status id and URL."""
        check_length(self, message)
        form = {"status": message.text, "visibility": self.opts.get("visibility") or "public"}
        language = self._language(post)
        if language:
            form["language"] = language
        if self.opts.get("spoiler_text"):
            form["spoiler_text"] = self.opts["spoiler_text"]
        headers = {"Authorization": f"Bearer {self.secrets.get('token', '')}",
                   "Idempotency-Key": key}
        resp = request(self, "POST", f"{self.instance}/api/v1/statuses", data=form,
                       headers=headers, where=host_of(self.instance))
        data = json_or_none(resp)
        detail = str(data.get("error", "")) if isinstance(data, dict) else resp.text
        if resp.status_code == 422 and "character limit" in detail.lower():
            raise TooLongError(f"mastodon endpoint '{self.name}': Mastodon counts the status over "
                               f"its limit, we counted {message.length} ({one_line(detail, limit=200)})",
                               status=422)
        raise_for(self, resp, now=now, body=data, detail=detail)
        if not isinstance(data, dict) or "id" not in data:
            raise AmbiguousError(f"mastodon endpoint '{self.name}': {resp.status_code} without a "
                                 "status in the answer", status=resp.status_code)
        return Receipt(remote_id=str(data["id"]), remote_url=data.get("url") or data.get("uri"))

    def settle(self, post: Post, body: Body, message: Message, *, key: str, now: datetime) -> Receipt | None:
        """Resend with the same key while Mastodon still remembers it (an hour). For an older
        key, look for the post's URL among the account's latest statuses instead: found ->
        Receipt, not found -> None (not applied; safe to send again)."""
        made = _key_time(key)
        if made is None or now.timestamp() - made < KEY_MEMORY:
            return self.send(post, body, message, key=key, now=now)
        auth = {"Authorization": f"Bearer {self.secrets.get('token', '')}"}
        where = host_of(self.instance)
        resp = request(self, "GET", f"{self.instance}/api/v1/accounts/verify_credentials",
                       headers=auth, where=where)
        account = json_or_none(resp)
        raise_for(self, resp, now=now, body=account)
        resp = request(self, "GET", f"{self.instance}/api/v1/accounts/{account['id']}/statuses",
                       params={"limit": 40, "exclude_reblogs": "true"}, headers=auth, where=where)
        statuses = json_or_none(resp)
        raise_for(self, resp, now=now, body=statuses)
        for status in statuses if isinstance(statuses, list) else []:
            content = str(status.get("content", ""))
            if post.url in content or html.escape(post.url) in content:
                return Receipt(remote_id=str(status["id"]), remote_url=status.get("url"))
        return None


# Mastodon keeps an Idempotency-Key for an hour; stop trusting it a little earlier.
KEY_MEMORY = 50 * 60


def _key_time(key: str) -> int | None:
    parts = key.split("-")
    return int(parts[1]) if len(parts) == 3 and parts[0] == "syn" and parts[1].isdigit() else None
