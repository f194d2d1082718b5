"""FakeSlack: an incoming webhook answering `ok` or Slack's plain-string errors."""

from __future__ import annotations

import re
import secrets
from typing import Any

from .server import FakeServer, Reply, Request


# What Slack turns into a notification when it appears in `text` or a mrkdwn block: special
# mentions (<!channel>, <!here>, <!everyone>, <!subteam^ID>) and user mentions (<@U...>).
PING = re.compile(r"<(?:!(?:channel|here|everyone|subteam\^)|@[UW])[^>]*>")


class FakeSlack(FakeServer):
    """One incoming webhook. Attributes: url (the secret), messages (JSON bodies accepted),
    pings (mention sequences Slack would act on, found in `text` or any mrkdwn block),
    archived (True -> 410 channel_is_archived), revoked (True -> 404 no_service)."""

    def __init__(self) -> None:
        super().__init__()
        self.path = f"/services/T{secrets.token_hex(4).upper()}/B{secrets.token_hex(4).upper()}/" \
                    + secrets.token_urlsafe(18)
        self.messages: list[dict[str, Any]] = []
        self.pings: list[str] = []
        self.archived = False
        self.revoked = False

    @property
    def url(self) -> str:
        """The webhook URL: the credential (config `url_env`)."""
        return self.base_url + self.path

    def respond(self, req: Request) -> Reply:
        if req.method != "POST":
            return Reply(405, "invalid_method")
        if req.path != self.path:
            return Reply(403, "invalid_token")
        if self.revoked:
            return Reply(404, "no_service")
        if self.archived:
            return Reply(410, "channel_is_archived")
        doc = req.json
        if not isinstance(doc, dict) or not (doc.get("text") or doc.get("blocks")):
            return Reply(400, "invalid_payload")
        for block in doc.get("blocks") or []:
            text = (block.get("text") or {}).get("text") if isinstance(block, dict) else None
            if text is not None and len(text) > 3000:
                return Reply(400, "invalid_blocks")
        self.messages.append(doc)
        self.pings += PING.findall(str(doc.get("text") or ""))
        for block in doc.get("blocks") or []:
            for part in [block.get("text") or {}, *(block.get("elements") or [])]:
                if isinstance(part, dict) and part.get("type") == "mrkdwn":
                    self.pings += PING.findall(str(part.get("text") or ""))
        return Reply(200, "ok")
