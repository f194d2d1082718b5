"""Micropub endpoint against FakeMicropub: form and JSON, Location, errors, no blind resend."""

from __future__ import annotations

import pytest
from endpoint_helpers import (
    NOW, assert_secret_free, default_template, deliver, image, make_body, make_endpoint, make_post, session,
)
from fakes import FakeMicropub

from syndicator.endpoints.micropub import Micropub
from syndicator.errors import AmbiguousError, AuthError, ConfigError, PermanentError, TransientError


@pytest.fixture
def fake():
    with FakeMicropub() as m:
        yield m


def endpoint(fake: FakeMicropub, token: str | None = None, **opts) -> Micropub:
    return make_endpoint(Micropub, "mp", {"endpoint": fake.url, **opts},
                         {"token": token or fake.token}, timeout=5.0)


def test_form_encoded_entry(fake) -> None:
    post = make_post(image=image("https://test.example/boat.png"))
    message, _, receipt = deliver(endpoint(fake), post)
    entry = fake.entries[0]
    assert fake.formats == ["form"]
    assert entry["content"] == [message.text] and entry["name"] == [post.title]
    assert entry["summary"] == ["A short summary of the post."]
    assert entry["category"] == ["machine learning", "python", "notes"]
    assert entry["published"] == ["2026-11-24T09:00:00+00:00"]
    assert entry["photo"] == ["https://test.example/boat.png"]
    assert receipt.remote_url == f"{fake.base_url}/entries/1"
    assert fake.requests[0].headers["authorization"] == f"Bearer {fake.token}"


def test_json_entry_with_original_url_property(fake) -> None:
    post = make_post(image=image("https://test.example/boat.png"))
    deliver(endpoint(fake, format="json", original_property="repost-of", title=False), post)
    doc = fake.requests[0].json
    assert doc["type"] == ["h-entry"] and fake.formats == ["json"]
    props = doc["properties"]
    assert "name" not in props and props["repost-of"] == [post.url]
    assert props["photo"] == [{"value": "https://test.example/boat.png", "alt": "A boat"}]


def test_202_is_success_too() -> None:
    with FakeMicropub(status=202) as fake:
        assert deliver(endpoint(fake))[2].remote_url.endswith("/entries/1")


def test_bad_format_option_is_a_config_error(fake) -> None:
    with pytest.raises(ConfigError):
        endpoint(fake, format="xml")


def test_unauthorized_and_insufficient_scope_are_auth_errors(fake) -> None:
    with pytest.raises(AuthError) as info:
        deliver(endpoint(fake, token="not-the-token-xyz"))
    assert info.value.status == 401 and "unauthorized" in str(info.value)
    assert_secret_free(info.value, "not-the-token-xyz", fake.token)
    fake.scope_ok = False
    with pytest.raises(AuthError) as info:
        deliver(endpoint(fake))
    assert info.value.status == 403 and "insufficient_scope" in str(info.value)


def test_invalid_request_is_permanent(fake) -> None:
    with pytest.raises(PermanentError) as info:
        deliver(endpoint(fake), template="{hashtags}", post=make_post(tags=()))
    assert info.value.status == 400 and "invalid_request" in str(info.value)


def test_ambiguous_outcome_is_not_resent_by_default(fake) -> None:
    ep = endpoint(fake)
    post, body = make_post(), make_body()
    message = ep.render(post, body, template=default_template(ep))
    fake.apply_then(504)
    with pytest.raises(AmbiguousError):
        ep.send(post, body, message, key="k", now=NOW)
    with pytest.raises(AmbiguousError, match="no idempotency"):
        ep.settle(post, body, message, key="k", now=NOW)
    assert len(fake.entries) == 1


def test_resend_when_unsure_option_resends(fake) -> None:
    ep = endpoint(fake, resend_when_unsure=True)
    post, body = make_post(), make_body()
    message = ep.render(post, body, template=default_template(ep))
    fake.fail_next(1, status=500)
    with pytest.raises(AmbiguousError):
        ep.send(post, body, message, key="k", now=NOW)
    assert ep.settle(post, body, message, key="k", now=NOW).remote_url
    assert len(fake.entries) == 1


def test_429_is_transient(fake) -> None:
    fake.fail_next(1, status=429, headers={"Retry-After": "30"})
    with pytest.raises(TransientError) as info:
        deliver(endpoint(fake))
    assert info.value.retry_after == 30
