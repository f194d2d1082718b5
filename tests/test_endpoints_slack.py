"""Slack incoming webhook against FakeSlack: ok, plain-string errors, 429, no leaks."""

from __future__ import annotations

import pytest
from endpoint_helpers import (
    NOW, assert_secret_free, closed_port_url, default_template, deliver, make_body, make_endpoint, make_post, session,
)
from fakes import FakeSlack
from slack_sdk.models.blocks import Block

from syndicator.endpoints.slack import Slack
from syndicator.errors import AmbiguousError, AuthError, PermanentError, TransientError


@pytest.fixture
def fake():
    with FakeSlack() as s:
        yield s


def endpoint(url: str, **opts) -> Slack:
    return make_endpoint(Slack, "team", opts, {"url": url}, timeout=5.0)


def secret_part(fake: FakeSlack) -> str:
    return fake.path.rsplit("/", 1)[1]


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_text_and_blocks_with_a_link(fake) -> None:
    post = make_post(title="Fish & <chips>")
    message, _, receipt = deliver(endpoint(fake.url), post)
    doc = fake.messages[0]
    escaped = message.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert doc["text"] == escaped and _unescape(doc["text"]) == message.text
    assert doc["blocks"][0]["text"]["text"] == escaped
    assert doc["blocks"][1]["elements"][0]["text"] == f"<{post.url}|Fish &amp; &lt;chips&gt;>"
    assert receipt.remote_id is None


HOSTILE = ["<!channel> ship it", "<!here|here> & <!everyone>", "ping <@U024BE7LH> <#C01|x>",
           "<!subteam^S012> a&b <https://evil.example|click>", "x <@W123|bob> y"]


@pytest.mark.parametrize("title", HOSTILE)
def test_no_user_text_can_ping_anyone_and_blocks_pass_slack_sdk(fake, title) -> None:
    post = make_post(title=title)
    message, _, _ = deliver(endpoint(fake.url), post, body=make_body(f"Summary: {title}"))
    doc = fake.messages[-1]
    assert fake.pings == []  # neither the notification text nor a block mentions anyone
    assert _unescape(doc["text"]) == message.text and "<" not in doc["text"]
    for raw in doc["blocks"]:  # Slack's own SDK parses and validates every block
        block = Block.parse(raw)
        assert block is not None and block.to_dict() == raw
        block.validate_json()


def test_long_summary_fits_the_section_block(fake) -> None:
    message, _, _ = deliver(endpoint(fake.url), body=make_body("<&> " * 2000))
    assert message.length <= 3000 and len(fake.messages) == 1


@pytest.mark.parametrize("flag,status,error", [("archived", 410, PermanentError),
                                               ("revoked", 404, AuthError)])
def test_archived_or_revoked_pauses(fake, flag, status, error) -> None:
    setattr(fake, flag, True)
    with pytest.raises(error) as info:
        deliver(endpoint(fake.url))
    assert info.value.status == status
    assert_secret_free(info.value, fake.url, secret_part(fake))


def test_wrong_url_is_auth_error(fake) -> None:
    wrong = fake.url + "x"
    with pytest.raises(AuthError) as info:
        deliver(endpoint(wrong))
    assert info.value.status == 403 and "invalid_token" in str(info.value)
    assert_secret_free(info.value, wrong, secret_part(fake))


def test_invalid_payload_is_permanent(fake) -> None:
    fake.fail_next(1, status=400, body="invalid_payload")
    with pytest.raises(PermanentError) as info:
        deliver(endpoint(fake.url))
    assert "invalid_payload" in str(info.value) and not isinstance(info.value, AuthError)


def test_rate_limit_honours_retry_after(fake) -> None:
    fake.fail_next(1, status=429, body="rate_limited", headers={"Retry-After": "3"})
    with pytest.raises(TransientError) as info:
        deliver(endpoint(fake.url))
    assert info.value.retry_after == 3


def test_ambiguous_is_not_resent_by_default(fake) -> None:
    ep = endpoint(fake.url)
    post, body = make_post(), make_body()
    message = ep.render(post, body, template=default_template(ep))
    fake.apply_then(500, body="internal_error")
    with pytest.raises(AmbiguousError):
        ep.send(post, body, message, key="k", now=NOW)
    with pytest.raises(AmbiguousError):
        ep.settle(post, body, message, key="k", now=NOW)
    assert len(fake.messages) == 1
    assert endpoint(fake.url, resend_when_unsure=True).settle(
        post, body, message, key="k", now=NOW) is not None
    assert len(fake.messages) == 2


def test_connection_refused_never_shows_the_url() -> None:
    url = closed_port_url("/services/T1/B1/very-secret-part")
    with pytest.raises(TransientError) as info:
        deliver(endpoint(url))
    assert_secret_free(info.value, url, "very-secret-part")
