"""FakeMastodon: statuses with the Idempotency-Key store, the instance limits, 401/422 shapes."""

from __future__ import annotations

import html
import re
import secrets
from typing import Any

import regex

from .server import FakeServer, Reply, Request, json_reply

# Independent of syndicator.crosspost.fitting on purpose: a valid-looking URL counts as url_length.
_URL = re.compile(r"(?<![A-Za-z0-9@$#＠＃])https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?"
                  r"(?:[/?#][!-~]*[A-Za-z0-9=_#/+-])?")


def count(text: str, url_length: int = 23) -> int:
    """Mastodon's count: URLs as url_length, everything else in grapheme clusters."""
    return len(regex.findall(r"\X", _URL.sub("x" * url_length, text)))


class FakeMastodon(FakeServer):
    """A Mastodon instance with one account.

    Attributes: token, max_characters, url_length, statuses (list of dicts: id, url, status,
    visibility, language, spoiler_text, key), keys (Idempotency-Key -> status).
    """

    def __init__(self, *, max_characters: int = 500, url_length: int = 23,
                 token: str | None = None) -> None:
        super().__init__()
        self.token = token or "mstdn-" + secrets.token_hex(16)
        self.max_characters = max_characters
        self.url_length = url_length
        self.statuses: list[dict[str, Any]] = []
        self.keys: dict[str, dict[str, Any]] = {}
        self.instance_requests = 0
        self._inflight: set[str] = set()

    def arrived(self, req: Request) -> Reply | None:
        """A repeat of a key whose first request is still being handled gets 503."""
        key = req.headers.get("idempotency-key")
        if req.method == "POST" and req.path == "/api/v1/statuses" and key:
            if key in self._inflight:
                return json_reply(503, {"error": "A request with this Idempotency-Key is "
                                                 "already being processed"})
            self._inflight.add(key)
        return None

    def left(self, req: Request) -> None:
        if req.method == "POST" and req.path == "/api/v1/statuses":
            self._inflight.discard(req.headers.get("idempotency-key", ""))

    @property
    def url(self) -> str:
        """The instance URL (config `instance`)."""
        return self.base_url

    def respond(self, req: Request) -> Reply:
        if req.method == "GET" and req.path == "/api/v2/instance":
            self.instance_requests += 1
            return json_reply(200, {"domain": "127.0.0.1", "configuration": {"statuses": {
                "max_characters": self.max_characters,
                "characters_reserved_per_url": self.url_length,
                "max_media_attachments": 4}}})
        if req.bearer() != self.token:
            return json_reply(401, {"error": "The access token is invalid"})
        if req.method == "POST" and req.path == "/api/v1/statuses":
            return self._create(req)
        if req.method == "GET" and req.path == "/api/v1/accounts/verify_credentials":
            return json_reply(200, {"id": "1", "username": "alice", "acct": "alice"})
        if req.method == "GET" and req.path == "/api/v1/accounts/1/statuses":
            limit = int((req.query.get("limit") or ["20"])[0])
            return json_reply(200, list(reversed(self.statuses))[:limit])
        found = re.fullmatch(r"/api/v1/statuses/(\d+)", req.path)
        if req.method == "GET" and found:
            for status in self.statuses:
                if status["id"] == found.group(1):
                    return json_reply(200, status)
            return json_reply(404, {"error": "Record not found"})
        return json_reply(404, {"error": "Not found"})

    def _create(self, req: Request) -> Reply:
        fields = req.json if "json" in req.headers.get("content-type", "") else \
            {k: v[-1] for k, v in req.form.items()}
        if not isinstance(fields, dict):
            return json_reply(400, {"error": "Invalid body"})
        key = req.headers.get("idempotency-key")
        if key and key in self.keys:
            return json_reply(200, self.keys[key])
        text = str(fields.get("status") or "")
        spoiler = str(fields.get("spoiler_text") or "")
        if not text.strip():
            return json_reply(422, {"error": "Validation failed: Text can't be blank"})
        if len(regex.findall(r"\X", spoiler)) + count(text, self.url_length) > self.max_characters:
            return json_reply(422, {"error": "Validation failed: Text character limit of "
                                             f"{self.max_characters} exceeded"})
        visibility = fields.get("visibility") or "public"
        if visibility not in ("public", "unlisted", "private", "direct"):
            return json_reply(422, {"error": "Validation failed: Visibility is not included "
                                             "in the list"})
        sid = str(100000 + len(self.statuses))
        status = {"id": sid, "url": f"{self.base_url}/@alice/{sid}",
                  "uri": f"{self.base_url}/users/alice/statuses/{sid}", "status": text,
                  "content": f"<p>{html.escape(text)}</p>", "visibility": visibility,
                  "language": fields.get("language"), "spoiler_text": spoiler, "key": key}
        self.statuses.append(status)
        if key:
            self.keys[key] = status
        return json_reply(200, status)
