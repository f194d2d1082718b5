"""Generic webhook against FakeWebhook: Standard Webhooks signatures, stable ids, 410."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

import pytest
from endpoint_helpers import (
    NOW, assert_secret_free, deliver, image, make_endpoint, make_post, prepare, session,
)
import standardwebhooks
from fakes import FakeWebhook

from syndicator.endpoints.webhook import Webhook, sign, signing_key
from syndicator.errors import AmbiguousError, AuthError, ConfigError, PermanentError, TransientError


@pytest.fixture
def fake():
    with FakeWebhook() as w:
        yield w


def endpoint(fake: FakeWebhook, secret: str | None = None, **opts) -> Webhook:
    return make_endpoint(Webhook, "hook", {"url": fake.url, **opts},
                         {"secret": secret or fake.secret}, timeout=5.0)


def test_standard_webhooks_signature_matches_the_spec_example() -> None:
    # Example from the Standard Webhooks specification (svix test vector).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == \
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert signing_key("plain-secret") == b"plain-secret"
    with pytest.raises(ConfigError):
        signing_key("whsec_not base64!")


def _unpadded_secret() -> str:
    while True:  # a key whose base64 needs padding, written without it (as some dashboards do)
        key = os.urandom(23)
        encoded = base64.b64encode(key).decode()
        if encoded.endswith("="):
            return "whsec_" + encoded.rstrip("=")


def test_unpadded_whsec_secret_is_accepted_as_the_official_library_does() -> None:
    secret = _unpadded_secret()
    official = standardwebhooks.Webhook(secret)
    assert signing_key(secret) == official._whsecret  # the same key
    assert signing_key(secret + "=" * (-len(secret[6:]) % 4)) == official._whsecret
    with FakeWebhook(secret=secret) as fake:  # the receiver verifies with standardwebhooks
        _, key, receipt = deliver(endpoint(fake))
        assert fake.rejected == [] and fake.unique_ids() == {key}
        raw = fake.requests[-1]
        assert official.verify(raw.body, raw.headers)["data"]["id"] == make_post().id


@pytest.mark.parametrize("bad", ["whsec_not base64!", "whsec_", "whsec_===="])
def test_undecodable_secret_is_a_config_error_when_built(fake, bad) -> None:
    with pytest.raises(ConfigError) as info:
        make_endpoint(Webhook, "hook", {"url": fake.url, "secret_env": "HOOK_SECRET"},
                      {"secret": bad})
    assert "$HOOK_SECRET" in str(info.value) and (bad == "whsec_" or bad not in str(info.value))
    assert fake.requests == []


def test_signed_delivery_with_full_metadata(fake) -> None:
    post = make_post(image=image("https://test.example/boat.png"))
    message, key, receipt = deliver(endpoint(fake), post)
    assert fake.rejected == [] and len(fake.deliveries) == 1
    delivery = fake.deliveries[0]
    assert delivery["id"] == key == receipt.remote_id and key.startswith("msg_")
    doc = delivery["body"]
    assert doc["type"] == "post.published"
    data = doc["data"]
    assert data["id"] == post.id and data["url"] == post.url and data["title"] == post.title
    assert data["summary"] == "A short summary of the post." and data["text"] == message.text
    assert data["tags"] == ["machine learning", "python"] and data["categories"] == ["notes"]
    assert data["authors"][0]["bio"] == "Ann writes." and data["authors"][0]["name"] == "Ann Author"
    assert data["image"]["credit"]["text"] == "Photo by Ana Silva on Unsplash"
    assert data["image"]["license"] == "https://unsplash.com/license"
    assert data["license"] == post.license
    assert data["influences"] == [{"name": "A book", "url": "https://books.example/1",
                                   "note": "chapter 2"}]
    assert data["published"] == "2026-11-24T09:00:00+00:00"


def test_plain_secret_and_hub_signature(fake) -> None:
    fake.secret = "a-plain-shared-secret"
    fake.require_hub_signature = True
    deliver(endpoint(fake, hub_signature=True))
    assert fake.rejected == [] and len(fake.deliveries) == 1
    raw = fake.deliveries[0]["raw"]
    hub = fake.requests[0].headers["x-hub-signature-256"]
    assert hub == "sha256=" + hmac.new(b"a-plain-shared-secret", raw, hashlib.sha256).hexdigest()


def test_wrong_secret_is_rejected_as_auth_error(fake) -> None:
    wrong = "whsec_" + base64.b64encode(b"not the right key").decode()
    with pytest.raises(AuthError) as info:
        deliver(endpoint(fake, secret=wrong))
    assert info.value.status == 401
    assert_secret_free(info.value, wrong, fake.secret)


def test_retry_after_504_reuses_the_delivery_id(fake) -> None:
    ep = endpoint(fake)
    post, body, message, key = prepare(ep)
    fake.apply_then(504)
    with pytest.raises(AmbiguousError):
        ep.send(post, body, message, key=key, now=NOW)
    assert ep.settle(post, body, message, key=key, now=NOW).remote_id == key
    assert len(fake.deliveries) == 2 and fake.unique_ids() == {key}
    assert fake.deliveries[0]["raw"] == fake.deliveries[1]["raw"]  # same body, re-signed


def test_gone_pauses_the_endpoint(fake) -> None:
    fake.status = 410
    with pytest.raises(PermanentError) as info:
        deliver(endpoint(fake))
    assert info.value.status == 410


@pytest.mark.parametrize("status,error", [(400, PermanentError), (404, PermanentError),
                                          (422, PermanentError), (500, AmbiguousError),
                                          (502, AmbiguousError), (429, TransientError)])
def test_status_classes(fake, status, error) -> None:
    fake.fail_next(1, status=status, body="nope")
    with pytest.raises(error) as info:
        deliver(endpoint(fake))
    assert not isinstance(info.value, AuthError) and info.value.status == status


def test_secret_echoed_by_receiver_is_masked(fake) -> None:
    fake.fail_next(1, status=400, body=f"bad signature for {fake.secret}")
    with pytest.raises(PermanentError) as info:
        deliver(endpoint(fake))
    assert_secret_free(info.value, fake.secret)
