"""FakeMicropub: a Micropub endpoint answering 201 + Location, with the spec's error shapes."""

from __future__ import annotations

import secrets
from typing import Any

from .server import FakeServer, Reply, Request, json_reply


class FakeMicropub(FakeServer):
    """A Micropub server. `entries` holds each created entry's properties (name -> list)."""

    def __init__(self, *, token: str | None = None, status: int = 201) -> None:
        super().__init__()
        self.token = token or "mp-" + secrets.token_hex(16)
        self.status = status  # 201 or 202
        self.scope_ok = True  # False -> 403 insufficient_scope
        self.entries: list[dict[str, list[Any]]] = []
        self.formats: list[str] = []  # "form" or "json" per created entry

    @property
    def url(self) -> str:
        """The endpoint URL (config `endpoint`)."""
        return self.base_url + "/micropub"

    def respond(self, req: Request) -> Reply:
        if req.path != "/micropub" or req.method != "POST":
            return json_reply(404, {"error": "not_found"})
        is_json = "json" in req.headers.get("content-type", "")
        token = req.bearer() or (None if is_json else (req.form.get("access_token") or [None])[0])
        if token != self.token:
            return json_reply(401, {"error": "unauthorized",
                                    "error_description": "invalid access token"})
        if not self.scope_ok:
            return json_reply(403, {"error": "insufficient_scope",
                                    "error_description": "the create scope is required",
                                    "scope": "create"})
        if is_json:
            doc = req.json
            if not isinstance(doc, dict) or doc.get("type") != ["h-entry"] or \
                    not isinstance(doc.get("properties"), dict) or \
                    not all(isinstance(v, list) for v in doc["properties"].values()):
                return json_reply(400, {"error": "invalid_request",
                                        "error_description": "expected an h-entry with array values"})
            props = doc["properties"]
        else:
            props = {}
            for key, value in req.form_pairs:
                props.setdefault(key.removesuffix("[]"), []).append(value)
            if props.pop("h", None) != ["entry"]:
                return json_reply(400, {"error": "invalid_request", "error_description": "h=entry"})
            props.pop("access_token", None)
        if not any(props.get("content") or []):
            return json_reply(400, {"error": "invalid_request",
                                    "error_description": "content is required"})
        self.entries.append(props)
        self.formats.append("json" if is_json else "form")
        return Reply(self.status, b"", {"Location": f"{self.base_url}/entries/{len(self.entries)}"})
