"""Discord channel webhook: a message with one embed, mentions disabled.

Config ([[endpoints]] type = "discord"):
    username            none   override the webhook's display name
    avatar_url          none   override the webhook's avatar
    embed               true   add an embed (title, url, summary, author, image, timestamp)
    resend_when_unsure  false  after an ambiguous failure, resend (may duplicate); a common key
Secrets: url (config `url_env`): the webhook URL https://discord.com/api/webhooks/<id>/<token>.
The URL is the credential: it never appears in messages or logs.

`?wait=true` makes Discord answer 200 with the message (so success is confirmed).
`allowed_mentions: {"parse": []}` stops "@everyone" in a post from pinging anyone. Limits:
content 2000 characters (counted in UTF-16 units, never fewer than Discord counts), embed title
256, description 4096, author name 256, all embed text 6000.

Delivery: at most once. Webhook messages have no idempotency key, so after an ambiguous
outcome settle() raises AmbiguousError (a missing message beats a duplicate) unless
resend_when_unsure = true.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..crosspost.fitting import DISCORD_LIMITS, clip, fit_post, utf16_units
from ..errors import AuthError
from ..model import Body, Post
from ..redact import one_line
from .base import Endpoint, Message, Receipt
from .http import check_length, json_or_none, raise_for, request, url_secrets

WHERE = "the Discord webhook"
EMBED_TOTAL = 6000


def _clip(text: str, limit: int) -> str:
    """Shorten to `limit` UTF-16 units at a word boundary with "…"."""
    if utf16_units(text) <= limit:
        return text
    return clip(text, lambda s: utf16_units(s) <= limit)


class Discord(Endpoint):
    """A Discord webhook."""

    kind = "discord"

    def secret_values(self) -> tuple[str, ...]:
        """The webhook URL, its path and its last segment (the token), wherever they appear."""
        return url_secrets(self.secrets.get("url", ""))

    def render(self, post: Post, body: Body, *, template: str, own_text: str | None = None) -> Message:
        """Fit the content into 2000 characters; the embed is shown in details."""
        fitted = fit_post(post, body, template=template, own_text=own_text, limits=DISCORD_LIMITS)
        details = {"embed": self._embed(post, body)} if self.opts.get("embed", True) else {}
        return Message(fitted.text, utf16_units(fitted.text), 2000, details, fitted.dropped)

    def _embed(self, post: Post, body: Body) -> dict[str, Any]:
        embed: dict[str, Any] = {"title": _clip(post.title, 256), "url": post.url,
                                 "timestamp": post.published.isoformat()}
        if post.authors:
            author = post.authors[0]
            embed["author"] = {k: v for k, v in (("name", _clip(author.name, 256)),
                                                 ("url", author.url),
                                                 ("icon_url", author.avatar)) if v}
        if post.image is not None:
            embed["image"] = {"url": post.image.url}
        used = utf16_units(embed["title"]) + utf16_units(embed.get("author", {}).get("name", ""))
        description = _clip(body.summary, min(4096, EMBED_TOTAL - used))
        if description:
            embed["description"] = description
        return embed

    def new_key(self, *, now: datetime) -> str:
        """A delivery id for the ledger (Discord webhooks have no idempotency key)."""
        return uuid.uuid4().hex

    def _url(self) -> str:
        parts = urlsplit(self.secrets.get("url", ""))
        query = "&".join(q for q in (parts.query, "wait=true") if q)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    def send(self, post: Post, body: Body, message: Message, *, key: str, now: datetime) -> Receipt:
        """POST the message with ?wait=true; 200 with the message id is success."""
        check_length(self, message)
        doc: dict[str, Any] = {"content": message.text, "allowed_mentions": {"parse": []}}
        if self.opts.get("embed", True):
            doc["embeds"] = [self._embed(post, body)]
        for key_name in ("username", "avatar_url"):
            if self.opts.get(key_name):
                doc[key_name] = self.opts[key_name]
        resp = request(self, "POST", self._url(), json=doc, where=WHERE)
        data = json_or_none(resp)
        code = data.get("code") if isinstance(data, dict) else None
        said = one_line(data.get("message", ""), limit=200) if isinstance(data, dict) else ""
        if resp.status_code == 404 and code == 10015 or resp.status_code == 401:
            raise AuthError(f"discord endpoint '{self.name}': the webhook was rejected "
                            f"({resp.status_code}{f' code {code}' if code else ''}: {said}); "
                            "it was deleted or its URL is wrong",
                            status=resp.status_code)
        raise_for(self, resp, now=now, body=data,
                  detail=f"{said} (code {code})" if code else said)
        message_id = str(data["id"]) if isinstance(data, dict) and "id" in data else None
        guild = data.get("guild_id") if isinstance(data, dict) else None
        channel = data.get("channel_id") if isinstance(data, dict) else None
        url = (f"https://discord.com/channels/{guild}/{channel}/{message_id}"
               if guild and channel and message_id else None)
        return Receipt(remote_id=message_id, remote_url=url)

    def settle(self, post: Post, body: Body, message: Message, *, key: str, now: datetime) -> Receipt | None:
        """No way to check: resend only if resend_when_unsure is set (at most once by default)."""
        return self._resend_if_allowed(post, body, message, key=key, now=now,
                                       unsure="cannot tell whether the message was posted; "
                                       "not resending")
