"""Discord webhook against FakeDiscord: wait=true, embed limits, mentions off, errors, no leaks."""

from __future__ import annotations

import pytest
from endpoint_helpers import (
    NOW, assert_secret_free, closed_port_url, default_template, deliver, image, make_body, make_endpoint, make_post, session,
)
from fakes import FakeDiscord

from syndicator.endpoints.discord import Discord
from syndicator.errors import AmbiguousError, AuthError, PermanentError, TransientError
from syndicator.model import Author


@pytest.fixture
def fake():
    with FakeDiscord() as d:
        yield d


def endpoint(url: str, **opts) -> Discord:
    return make_endpoint(Discord, "chat", opts, {"url": url}, timeout=5.0)


def test_message_with_embed_and_mentions_disabled(fake) -> None:
    post = make_post(title="Hello @everyone", image=image("https://test.example/boat.png"))
    message, _, receipt = deliver(endpoint(fake.url, username="Blog"), post)
    sent = fake.requests[0]
    assert sent.query == {"wait": ["true"]}
    doc = fake.messages[0]
    assert doc["content"] == message.text and doc["allowed_mentions"] == {"parse": []}
    assert doc["username"] == "Blog"
    embed = doc["embeds"][0]
    assert embed["title"] == post.title and embed["url"] == post.url
    assert embed["description"] == "A short summary of the post."
    assert embed["author"] == {"name": "Ann Author", "url": "https://test.example/about/ann/",
                               "icon_url": "https://test.example/ann.png"}
    assert embed["image"] == {"url": "https://test.example/boat.png"}
    assert receipt.remote_id == doc["id"]


def test_limits_content_2000_and_embed_6000(fake) -> None:
    post = make_post(title="T" * 300, authors=(Author(key="a", name="N" * 300),))
    body = make_body("lorem ipsum " * 1000)
    message, _, _ = deliver(endpoint(fake.url), post, body, template="{summary} {url}")
    assert message.length <= 2000 and post.url in message.text
    embed = fake.messages[0]["embeds"][0]
    assert len(embed["title"]) <= 256 and len(embed["description"]) <= 4096
    assert len(embed["title"]) + len(embed["description"]) + len(embed["author"]["name"]) <= 6000


def test_rate_limit_uses_json_retry_after(fake) -> None:
    fake.rate_limit_next(2.5)
    with pytest.raises(TransientError) as info:
        deliver(endpoint(fake.url))
    assert info.value.retry_after == 2.5 and info.value.status == 429
    assert_secret_free(info.value, fake.token, fake.url)


def test_deleted_webhook_pauses_and_never_shows_the_url(fake) -> None:
    fake.deleted = True
    ep = make_endpoint(Discord, "chat", {"url_env": "DISCORD_WEBHOOK"}, {"url": fake.url})
    with pytest.raises(AuthError) as info:
        deliver(ep)
    assert info.value.status == 404 and "10015" in str(info.value)
    assert "DISCORD_WEBHOOK" in ep.credential_hint()
    assert_secret_free(info.value, fake.token, fake.url)


def test_wrong_token_is_auth_error(fake) -> None:
    wrong = fake.url[:-4] + "abcd"
    with pytest.raises(AuthError) as info:
        deliver(endpoint(wrong))
    assert info.value.status == 401
    assert_secret_free(info.value, fake.token, wrong, wrong.rsplit("/", 1)[1])


def test_invalid_form_body_is_permanent(fake) -> None:
    fake.fail_next(1, status=400, body={"code": 50035, "message": "Invalid Form Body"})
    with pytest.raises(PermanentError) as info:
        deliver(endpoint(fake.url))
    assert "50035" in str(info.value) and not isinstance(info.value, AuthError)


def test_ambiguous_outcome_is_not_resent_by_default(fake) -> None:
    ep = endpoint(fake.url)
    post, body = make_post(), make_body()
    message = ep.render(post, body, template=default_template(ep))
    fake.apply_then(504)
    with pytest.raises(AmbiguousError) as info:
        ep.send(post, body, message, key="k", now=NOW)
    assert_secret_free(info.value, fake.token)
    with pytest.raises(AmbiguousError):
        ep.settle(post, body, message, key="k", now=NOW)
    assert len(fake.messages) == 1 and ep.resend_when_unsure is False


def test_resend_when_unsure_option(fake) -> None:
    ep = endpoint(fake.url, resend_when_unsure=True)
    post, body = make_post(), make_body()
    message = ep.render(post, body, template=default_template(ep))
    assert ep.settle(post, body, message, key="k", now=NOW) is not None
    assert len(fake.messages) == 1


def test_connection_errors_never_show_the_url() -> None:
    url = closed_port_url("/api/webhooks/123/sekrit-token-value")
    with pytest.raises(TransientError) as info:
        deliver(endpoint(url))
    assert_secret_free(info.value, "sekrit-token-value", url)


def test_timeout_never_shows_the_url(fake) -> None:
    ep = make_endpoint(Discord, "chat", {}, {"url": fake.url}, timeout=0.2)
    fake.delay_next(0.5)
    with pytest.raises(AmbiguousError) as info:
        deliver(ep)
    assert_secret_free(info.value, fake.token, fake.url)
