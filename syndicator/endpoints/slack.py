"""Slack incoming webhook: the text with a link, as {"text", "blocks"}.

Config ([[endpoints]] type = "slack"):
    resend_when_unsure  false  after an ambiguous failure, resend (may duplicate); a common key
Secrets: url (config `url_env`): the webhook URL https://hooks.slack.com/services/T/B/X.
The URL is the credential: it never appears in messages or logs.

The message is a mrkdwn section with the fitted text (escaped; 3000 characters at most) and a
context block linking the post title to its URL; `text` (the notification) carries the same
escaped text: every &, < and > of user text is escaped wherever it goes, so a title or summary
holding <!channel>, <!here> or <@U…> cannot ping anyone. Slack answers
200 `ok`; errors are plain strings: 400 invalid_payload, 403 action_prohibited / invalid_token,
404 channel_not_found / no_service, 410 channel_is_archived, 429 with Retry-After.
403/404 are AuthError and 410 a PermanentError with status=410: both pause the endpoint, since
no post can succeed until the webhook is fixed.

Delivery: at most once; settle() raises AmbiguousError unless resend_when_unsure = true.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from ..crosspost.fitting import Limit, fit_post
from ..errors import AuthError, PermanentError
from ..model import Body, Post
from .base import Endpoint, Message, Receipt
from ..redact import one_line, redact
from .http import check_length, raise_for, request, url_secrets

WHERE = "the Slack webhook"
SECTION_LIMIT = 3000


def escape(text: str) -> str:
    """Slack mrkdwn escaping: &, < and > only."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _length(text: str) -> int:
    return len(escape(text))


LIMITS = (Limit("characters", _length, SECTION_LIMIT),)


class Slack(Endpoint):
    """A Slack incoming webhook."""

    kind = "slack"

    def secret_values(self) -> tuple[str, ...]:
        """The webhook URL, its path and its last segment (the token), wherever they appear."""
        return url_secrets(self.secrets.get("url", ""))

    def render(self, post: Post, body: Body, *, template: str, own_text: str | None = None) -> Message:
        """Fit the escaped text into one section block (3000 characters)."""
        fitted = fit_post(post, body, template=template, own_text=own_text, limits=LIMITS)
        return Message(fitted.text, _length(fitted.text), SECTION_LIMIT, {}, fitted.dropped)

    def new_key(self, *, now: datetime) -> str:
        """A delivery id for the ledger (Slack webhooks have no idempotency key)."""
        return uuid.uuid4().hex

    def send(self, post: Post, body: Body, message: Message, *, key: str, now: datetime) -> Receipt:
        """POST the message; 200 `ok` is success."""
        check_length(self, message)
        link = f"<{post.url}|{escape(post.title) or post.url}>"
        text = escape(message.text)  # `text` is the notification: <!channel> there pings everyone
        doc = {"text": text,
               "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}},
                          {"type": "context", "elements": [{"type": "mrkdwn", "text": link}]}]}
        resp = request(self, "POST", self.secrets.get("url", ""), json=doc, where=WHERE)
        said = one_line(redact(resp.text, self.secret_values()), limit=100)
        if resp.status_code == 410:
            raise PermanentError(f"slack endpoint '{self.name}': the channel is archived (410 "
                                 f"{redact(said, self.secret_values())}); pause the endpoint",
                                 status=410)
        if resp.status_code in (403, 404):
            raise AuthError(f"slack endpoint '{self.name}': the webhook was refused "
                            f"({resp.status_code} {redact(said, self.secret_values())}); it was revoked, "
                            f"its channel is gone, or the URL is wrong",
                            status=resp.status_code)
        raise_for(self, resp, now=now, detail=said)
        return Receipt(remote_id=None, remote_url=None)

    def settle(self, post: Post, body: Body, message: Message, *, key: str, now: datetime) -> Receipt | None:
        """No way to check: resend only if resend_when_unsure is set (at most once by default)."""
        return self._resend_if_allowed(post, body, message, key=key, now=now,
                                       unsure="cannot tell whether the message was posted; "
                                       "not resending")
