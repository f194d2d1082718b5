"""Generic webhook: the full post as signed JSON (Standard Webhooks).

Config ([[endpoints]] type = "webhook"):
    url             required  where to POST (not a secret; keep tokens out of it, or they are
                              masked only where we know them)
    hub_signature   false     also send GitHub-style X-Hub-Signature-256
Secrets: secret (config `secret_env`): the signing secret. "whsec_<base64>" secrets (as
Standard Webhooks libraries issue them, padded or not) are base64-decoded to get the key when
the endpoint is built, so an undecodable one is a ConfigError before anything is sent; any
other string is used as UTF-8 bytes. X-Hub-Signature-256 always uses the secret string as given (GitHub's way).

Headers: webhook-id (the delivery id from new_key(), the same on every retry, so receivers
deduplicate), webhook-timestamp (unix seconds of this attempt), webhook-signature
"v1,<base64 HMAC-SHA256(key, '{id}.{timestamp}.{body}')>".

Body (Standard Webhooks envelope): {"type": "post.published", "timestamp": published,
"data": {id, url, title, summary, text, published, updated, lang, tags, categories, authors
[{name, url, avatar, bio, bio_html}], image {url, alt, type, license, credit {name, url,
source, source_url, text}}, license, influences, sources, via [{name, url, note}],
canonical_url}}.

Delivery: exactly once for receivers that deduplicate on webhook-id (at least once
otherwise). 410 Gone is a PermanentError with status=410: the runner pauses the endpoint;
other 4xx are permanent; 5xx and timeouts are ambiguous
and settle() resends with the same webhook-id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from ..crosspost.fitting import fit_post, graphemes
from ..errors import ConfigError, PermanentError
from ..model import Body, Link, Post
from .base import Endpoint, Message, Receipt
from .http import host_of, raise_for, request


def signing_key(secret: str) -> bytes:
    """The HMAC key for a Standard Webhooks secret ("whsec_" + base64, padded or not, as the
    official libraries accept it; or plain text, used as UTF-8). ConfigError if undecodable."""
    if not secret.startswith("whsec_"):
        return secret.encode("utf-8")
    encoded = secret[len("whsec_"):].rstrip("=")
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not key:
        raise ConfigError("webhook secret starts with whsec_ but the rest is not base64")
    return key


def sign(secret: str | bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header value: "v1,<base64 HMAC-SHA256>" (secret: as configured,
    or the key signing_key() made of it)."""
    key = secret if isinstance(secret, bytes) else signing_key(secret)
    payload = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, payload, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _link(link: Link) -> dict[str, Any]:
    return {"name": link.name, "url": link.url, "note": link.note}


def payload(post: Post, body: Body, message: Message) -> dict[str, Any]:
    """The JSON document describing a published post."""
    image = None
    if post.image is not None:
        image = {"url": post.image.url, "alt": post.image.alt, "type": post.image.type,
                 "license": post.image.license,
                 "credit": ({**asdict(post.image.credit), "text": post.image.credit.text()}
                            if post.image.credit else None)}
    data = {
        "id": post.id, "url": post.url, "title": post.title, "summary": body.summary,
        "text": message.text, "published": post.published.isoformat(),
        "updated": post.updated.isoformat(), "lang": post.lang, "tags": list(post.tags),
        "categories": list(post.categories),
        "authors": [{"name": a.name, "url": a.url, "avatar": a.avatar, "bio": a.bio_text,
                     "bio_html": a.bio_html} for a in post.authors],
        "image": image, "license": post.license,
        "influences": [_link(i) for i in post.influences],
        "sources": [_link(s) for s in post.sources],
        "via": _link(post.via) if post.via else None, "canonical_url": post.canonical_url,
    }
    return {"type": "post.published", "timestamp": post.published.isoformat(), "data": data}


class Webhook(Endpoint):
    """A signed JSON webhook."""

    kind = "webhook"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        try:  # decoded when the endpoint is built: a bad secret stops a run before any send
            self.key = signing_key(self.secrets.get("secret", ""))
        except ConfigError:
            raise ConfigError(f"webhook endpoint '{self.name}': the secret in "
                              f"{self.credential_hint()} starts with whsec_ but the rest is not "
                              "base64") from None

    def render(self, post: Post, body: Body, *, template: str, own_text: str | None = None) -> Message:
        """No length limit; the text goes in data.text beside the full metadata."""
        fitted = fit_post(post, body, template=template, own_text=own_text, limits=())
        return Message(fitted.text, graphemes(fitted.text), None, {}, fitted.dropped)

    def new_key(self, *, now: datetime) -> str:
        """The webhook-id: "msg_" + random hex, stable across retries of this delivery."""
        return f"msg_{uuid.uuid4().hex}"

    def send(self, post: Post, body: Body, message: Message, *, key: str, now: datetime) -> Receipt:
        """POST the signed document; any 2xx is success."""
        raw = json.dumps(payload(post, body, message), ensure_ascii=False,
                         separators=(",", ":"), sort_keys=True).encode("utf-8")
        # The timestamp is this attempt's wall clock: receivers compare it with theirs.
        stamp = int(time.time())
        secret = self.secrets.get("secret", "")
        headers = {"Content-Type": "application/json", "webhook-id": key,
                   "webhook-timestamp": str(stamp),
                   "webhook-signature": sign(self.key, key, stamp, raw)}
        if self.opts.get("hub_signature"):
            headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(
                secret.encode("utf-8"), raw, hashlib.sha256).hexdigest()
        url = str(self.opts["url"])
        resp = request(self, "POST", url, data=raw, headers=headers, where=host_of(url))
        if resp.status_code == 410:
            raise PermanentError(f"webhook endpoint '{self.name}': the receiver answered 410 "
                                 "Gone; pause the endpoint (fix url or remove it)",
                                 status=410)
        raise_for(self, resp, now=now, detail=resp.text)
        return Receipt(remote_id=key, remote_url=None)
