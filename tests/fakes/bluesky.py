"""FakeBluesky: a PDS with app-password sessions, createRecord/getRecord and uploadBlob.

Enforced: login counting with a limit (429 RateLimitExceeded), access-token expiry
(400 ExpiredToken) and refreshSession, record keys as TIDs, 500 on an existing record key,
300 graphemes / 3000 bytes, facet byte ranges (in bounds, on UTF-8 boundaries, sorted, not
overlapping, a link facet's bytes equal to its uri and a tag facet's bytes equal to '#'+tag),
embed thumbs that must be uploaded blobs.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

import regex
from atproto_client import models

from .server import FakeServer, Reply, Request, json_reply

TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def _err(status: int, error: str, message: str, **headers: str) -> Reply:
    return json_reply(status, {"error": error, "message": message}, **headers)


class FakeBluesky(FakeServer):
    """One account. Attributes: handle, did, password, records (rkey -> {uri, cid, value}),
    blobs (cid -> (mime, bytes)), logins, refreshes, login_limit."""

    def __init__(self, *, handle: str = "alice.test", password: str | None = None,
                 login_limit: int = 30) -> None:
        super().__init__()
        self.handle = handle
        self.did = "did:plc:" + secrets.token_hex(12)
        self.password = password or "app-" + secrets.token_hex(8)
        self.login_limit = login_limit
        self.logins = 0
        self.refreshes = 0
        self.records: dict[str, dict[str, Any]] = {}
        self.blobs: dict[str, tuple[str, bytes]] = {}
        self._access: dict[str, bool] = {}  # token -> still valid
        self._refresh: dict[str, bool] = {}

    @property
    def url(self) -> str:
        """The PDS URL (config `service`)."""
        return self.base_url

    def expire_access_tokens(self) -> None:
        """Every access token issued so far now answers ExpiredToken."""
        with self.lock:
            self._access = {t: False for t in self._access}

    def expire_refresh_tokens(self) -> None:
        """Every refresh token issued so far is now rejected too (forces a new login)."""
        with self.lock:
            self._access = {t: False for t in self._access}
            self._refresh = {t: False for t in self._refresh}

    def posts(self) -> list[dict[str, Any]]:
        """The record values, oldest record key first."""
        return [self.records[k]["value"] for k in sorted(self.records)]

    # -- dispatch ---------------------------------------------------------------------------

    def respond(self, req: Request) -> Reply:
        nsid = req.path.removeprefix("/xrpc/")
        if nsid == "com.atproto.server.createSession" and req.method == "POST":
            return self._create_session(req)
        if nsid == "com.atproto.server.refreshSession" and req.method == "POST":
            return self._refresh_session(req)
        if nsid == "com.atproto.repo.getRecord" and req.method == "GET":
            return self._get_record(req)
        token = req.bearer()
        if token is None:
            return _err(401, "AuthenticationRequired", "Authentication Required")
        if token not in self._access:
            return _err(400, "InvalidToken", "Token could not be verified")
        if not self._access[token]:
            return _err(400, "ExpiredToken", "Token has expired")
        if nsid == "com.atproto.repo.createRecord" and req.method == "POST":
            return self._create_record(req)
        if nsid == "com.atproto.repo.uploadBlob" and req.method == "POST":
            return self._upload_blob(req)
        return _err(501, "MethodNotImplemented", f"Method Not Implemented: {nsid}")

    def _session(self) -> dict[str, str]:
        access, refresh = "acc-" + secrets.token_hex(16), "ref-" + secrets.token_hex(16)
        self._access[access] = True
        self._refresh[refresh] = True
        return {"did": self.did, "handle": self.handle, "accessJwt": access,
                "refreshJwt": refresh, "active": True}

    def _create_session(self, req: Request) -> Reply:
        body = req.json or {}
        self.logins += 1
        if self.logins > self.login_limit:
            return _err(429, "RateLimitExceeded", "Rate Limit Exceeded",
                        **{"RateLimit-Limit": str(self.login_limit), "RateLimit-Remaining": "0",
                           "RateLimit-Reset": "300", "RateLimit-Policy": f"{self.login_limit};w=300"})
        if body.get("identifier") not in (self.handle, self.did) or \
                body.get("password") != self.password:
            return _err(401, "AuthenticationRequired", "Invalid identifier or password")
        return json_reply(200, self._session())

    def _refresh_session(self, req: Request) -> Reply:
        token = req.bearer()
        if token not in self._refresh:
            return _err(400, "InvalidToken", "Token could not be verified")
        if not self._refresh[token]:
            return _err(400, "ExpiredToken", "Token has expired")
        self._refresh[token] = False  # refresh tokens are single-use
        self.refreshes += 1
        return json_reply(200, self._session())

    def _get_record(self, req: Request) -> Reply:
        q = {k: v[0] for k, v in req.query.items()}
        if q.get("repo") not in (self.did, self.handle) or \
                q.get("collection") != "app.bsky.feed.post":
            return _err(400, "InvalidRequest", "Could not find repo")
        record = self.records.get(q.get("rkey", ""))
        if record is None:
            return _err(400, "RecordNotFound", f"Could not locate record: {q.get('rkey')}")
        return json_reply(200, record)

    def _upload_blob(self, req: Request) -> Reply:
        if not req.body:
            return _err(400, "InvalidRequest", "empty blob")
        cid = "bafkrei" + hashlib.sha256(req.body).hexdigest()[:52]
        mime = req.headers.get("content-type", "application/octet-stream")
        self.blobs[cid] = (mime, req.body)
        return json_reply(200, {"blob": {"$type": "blob", "ref": {"$link": cid},
                                         "mimeType": mime, "size": len(req.body)}})

    # -- createRecord ------------------------------------------------------------------------

    def _create_record(self, req: Request) -> Reply:
        body = req.json
        if not isinstance(body, dict):
            return _err(400, "InvalidRequest", "Invalid JSON")
        if body.get("repo") not in (self.did, self.handle):
            return _err(400, "InvalidRequest", "Invalid repo")
        if body.get("collection") != "app.bsky.feed.post":
            return _err(400, "InvalidRequest", "Invalid collection")
        rkey = body.get("rkey")
        if not isinstance(rkey, str) or not TID.match(rkey):
            return _err(400, "InvalidRequest", "Invalid record key (not a TID)")
        if rkey in self.records:
            return _err(500, "InternalServerError", "Internal Server Error")
        problem = self.check_record(body.get("record"))
        if problem:
            return _err(400, "InvalidRequest", problem)
        uri = f"at://{self.did}/app.bsky.feed.post/{rkey}"
        cid = "bafyrei" + hashlib.sha256(repr(body["record"]).encode()).hexdigest()[:52]
        self.records[rkey] = {"uri": uri, "cid": cid, "value": body["record"]}
        return json_reply(200, {"uri": uri, "cid": cid,
                                "commit": {"cid": cid, "rev": rkey}, "validationStatus": "valid"})

    def check_record(self, record: Any) -> str | None:
        """Why a post record is invalid, or None."""
        if not isinstance(record, dict) or record.get("$type") != "app.bsky.feed.post":
            return "Record/$type must be app.bsky.feed.post"
        text = record.get("text")
        if not isinstance(text, str):
            return "Record/text must be a string"
        if len(regex.findall(r"\X", text)) > 300:
            return "Record/text must not be longer than 300 graphemes"
        data = text.encode("utf-8")
        if len(data) > 3000:
            return "Record/text must not be longer than 3000 characters"
        created = record.get("createdAt")
        if not isinstance(created, str) or not re.fullmatch(
                r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", created):
            return "Record/createdAt must be a valid datetime"
        problem = self._check_facets(record.get("facets", []), data) or _check_lexicon(record)
        if problem:
            return problem
        embed = record.get("embed")
        if embed is not None:
            return self._check_embed(embed)
        return None

    def _check_facets(self, facets: Any, data: bytes) -> str | None:
        if not isinstance(facets, list):
            return "Record/facets must be an array"
        end = 0
        for i, facet in enumerate(facets):
            index = facet.get("index", {}) if isinstance(facet, dict) else {}
            start, stop = index.get("byteStart"), index.get("byteEnd")
            if not (isinstance(start, int) and isinstance(stop, int) and
                    end <= start < stop <= len(data)):
                return f"Record/facets/{i}/index is out of range or overlaps"
            end = stop
            try:
                covered = data[start:stop].decode("utf-8")
            except UnicodeDecodeError:
                return f"Record/facets/{i}/index does not fall on character boundaries"
            for feature in facet.get("features", []):
                kind = feature.get("$type")
                # Not a PDS rule, but what a reader must see: the link or tag as written
                # (a bare domain is linked as https://; a tag starts with # or ＃).
                if kind == "app.bsky.richtext.facet#link" and feature.get("uri") not in (
                        covered, "https://" + covered):
                    return f"Record/facets/{i}: link bytes {covered!r} != uri"
                tag = str(feature.get("tag"))
                if kind == "app.bsky.richtext.facet#tag" and not (
                        covered[:1] in ("#", "＃") and covered[1:] == tag
                        or covered[:1] == "$" and covered.upper() == tag):  # a cashtag
                    return f"Record/facets/{i}: tag bytes {covered!r} != #tag"
        return None

    def _check_embed(self, embed: Any) -> str | None:
        if not isinstance(embed, dict) or embed.get("$type") != "app.bsky.embed.external":
            return "Record/embed: only app.bsky.embed.external is supported here"
        external = embed.get("external")
        if not isinstance(external, dict) or not all(
                isinstance(external.get(k), str) for k in ("uri", "title", "description")):
            return "Record/embed/external must have uri, title and description"
        thumb = external.get("thumb")
        if thumb is not None:
            cid = (thumb.get("ref") or {}).get("$link") if isinstance(thumb, dict) else None
            if cid not in self.blobs:
                return "Record/embed/external/thumb: blob not found"
        return None


def _check_lexicon(record: dict[str, Any]) -> str | None:
    """The lexicon's own check by the official SDK's models (langs as BCP 47, tag lengths),
    plus the byte limits the models count in characters: as the PDS refuses, with 400."""
    try:
        models.AppBskyFeedPost.Record.model_validate(record, context={"strict_string_format": True})
    except Exception as exc:  # pydantic's ValidationError, or the SDK's ModelError
        return f"Invalid app.bsky.feed.post record: {str(exc).splitlines()[:3]}"
    tags = list(record.get("tags", []))
    tags += [f["tag"] for facet in record.get("facets", []) for f in facet.get("features", [])
             if f.get("$type") == "app.bsky.richtext.facet#tag"]
    if any(len(str(t).encode("utf-8")) > 640 for t in tags):
        return "Record/tags: a tag must not be longer than 640 bytes"
    return None
