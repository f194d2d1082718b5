"""FakeDiscord: an execute-webhook endpoint with Discord's limits and error shapes."""

from __future__ import annotations

import re
import secrets
from typing import Any

from .server import FakeServer, Reply, Request, json_reply


def _form_error(where: str, message: str) -> Reply:
    return json_reply(400, {"code": 50035, "message": "Invalid Form Body",
                            "errors": {where: {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH",
                                                            "message": message}]}}})


class FakeDiscord(FakeServer):
    """One webhook. Attributes: webhook_id, token, url (the secret), messages (the JSON bodies
    accepted, with "id" added), deleted (True -> 404 code 10015)."""

    def __init__(self) -> None:
        super().__init__()
        self.webhook_id = str(secrets.randbelow(10**18) + 10**17)
        self.token = secrets.token_urlsafe(48)
        self.guild_id = "111111111111111111"
        self.channel_id = "222222222222222222"
        self.messages: list[dict[str, Any]] = []
        self.deleted = False

    @property
    def url(self) -> str:
        """The webhook URL: the credential (config `url_env`)."""
        return f"{self.base_url}/api/webhooks/{self.webhook_id}/{self.token}"

    def rate_limit_next(self, retry_after: float = 1.5, n: int = 1) -> None:
        """Answer the next n requests 429 with Discord's JSON body."""
        self.fail_next(n, status=429, headers={"Retry-After": str(int(retry_after + 0.999)),
                                               "X-RateLimit-Scope": "user"},
                       body={"message": "You are being rate limited.",
                             "retry_after": retry_after, "global": False})

    def respond(self, req: Request) -> Reply:
        found = re.fullmatch(r"/api/webhooks/(\d+)/([^/]+)", req.path)
        if req.method != "POST" or not found:
            return json_reply(404, {"message": "404: Not Found", "code": 0})
        if found.group(1) != self.webhook_id or self.deleted:
            return json_reply(404, {"message": "Unknown Webhook", "code": 10015})
        if found.group(2) != self.token:
            return json_reply(401, {"message": "Invalid Webhook Token", "code": 50027})
        doc = req.json
        if not isinstance(doc, dict):
            return json_reply(400, {"message": "Cannot send an empty message", "code": 50006})
        problem = self._check(doc)
        if problem:
            return problem
        message = {**doc, "id": str(10**18 + len(self.messages)), "channel_id": self.channel_id,
                   "webhook_id": self.webhook_id}
        self.messages.append(message)
        if req.query.get("wait") == ["true"]:
            return json_reply(200, message)
        return Reply(204)

    @staticmethod
    def _check(doc: dict[str, Any]) -> Reply | None:
        content = doc.get("content") or ""
        embeds = doc.get("embeds") or []
        if not content and not embeds:
            return json_reply(400, {"message": "Cannot send an empty message", "code": 50006})
        if len(content) > 2000:
            return _form_error("content", "Must be 2000 or fewer in length.")
        if len(embeds) > 10:
            return _form_error("embeds", "Must be 10 or fewer in length.")
        total = 0
        for i, embed in enumerate(embeds):
            for key, limit in (("title", 256), ("description", 4096)):
                if len(embed.get(key) or "") > limit:
                    return _form_error(f"embeds.{i}.{key}", f"Must be {limit} or fewer in length.")
            author = (embed.get("author") or {}).get("name") or ""
            if len(author) > 256:
                return _form_error(f"embeds.{i}.author.name", "Must be 256 or fewer in length.")
            total += len(embed.get("title") or "") + len(embed.get("description") or "") + len(author)
        if total > 6000:
            return _form_error("embeds", "Embed size exceeds maximum size of 6000")
        return None
