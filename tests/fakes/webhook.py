"""FakeWebhook: a receiver that verifies Standard Webhooks signatures (and X-Hub-Signature-256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Any

import standardwebhooks

from .server import FakeServer, Reply, Request


def _key(secret: str) -> bytes:
    """The HMAC key, decoded by the official Standard Webhooks library for whsec_ secrets
    (padded or not)."""
    if secret.startswith("whsec_"):
        return standardwebhooks.Webhook(secret)._whsecret
    return secret.encode()


class FakeWebhook(FakeServer):
    """Accepts POST {url} with valid signatures.

    Attributes: secret ("whsec_..." unless given), deliveries (list of dicts: id, timestamp,
    body (parsed JSON), raw), status (what a valid delivery gets: 204 unless set; set 410 to
    play a receiver that is gone), tolerance (seconds, None to skip the timestamp check),
    require_hub_signature.
    """

    def __init__(self, *, secret: str | None = None, tolerance: float | None = 300) -> None:
        super().__init__()
        self.secret = secret or "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
        self.tolerance = tolerance
        self.status = 204
        self.require_hub_signature = False
        self.deliveries: list[dict[str, Any]] = []
        self.rejected: list[str] = []

    @property
    def url(self) -> str:
        """The receiver URL (config `url`)."""
        return self.base_url + "/hook"

    def unique_ids(self) -> set[str]:
        """Delivery ids received (what a deduplicating receiver would keep)."""
        return {d["id"] for d in self.deliveries}

    def verify(self, req: Request) -> str | None:
        """Why the delivery's signature is invalid, or None."""
        msg_id = req.headers.get("webhook-id")
        stamp = req.headers.get("webhook-timestamp")
        signatures = req.headers.get("webhook-signature", "")
        if not msg_id or not stamp or not stamp.isdigit():
            return "missing webhook-id or webhook-timestamp"
        if self.tolerance is not None and abs(time.time() - int(stamp)) > self.tolerance:
            return "timestamp outside tolerance"
        if self.secret.startswith("whsec_") and self.tolerance is not None:
            try:  # the official library is the judge of a whsec_ signature
                standardwebhooks.Webhook(self.secret).verify(req.body, req.headers)
            except standardwebhooks.WebhookVerificationError as exc:
                return f"invalid webhook-signature ({exc})"
        expected = base64.b64encode(hmac.new(
            _key(self.secret), f"{msg_id}.{stamp}.".encode() + req.body, hashlib.sha256
        ).digest()).decode()
        if not any(sig.startswith("v1,") and hmac.compare_digest(sig[3:], expected)
                   for sig in signatures.split()):
            return "invalid webhook-signature"
        hub = req.headers.get("x-hub-signature-256")
        if hub is not None or self.require_hub_signature:
            want = "sha256=" + hmac.new(self.secret.encode(), req.body, hashlib.sha256).hexdigest()
            if not hub or not hmac.compare_digest(hub, want):
                return "invalid X-Hub-Signature-256"
        return None

    def respond(self, req: Request) -> Reply:
        if req.method != "POST" or req.path != "/hook":
            return Reply(404, "not found")
        problem = self.verify(req)
        if problem:
            self.rejected.append(problem)
            return Reply(401, problem)
        if self.status == 410:
            return Reply(410, "gone")
        self.deliveries.append({"id": req.headers["webhook-id"],
                                "timestamp": int(req.headers["webhook-timestamp"]),
                                "body": req.json, "raw": req.body})
        return Reply(self.status)
