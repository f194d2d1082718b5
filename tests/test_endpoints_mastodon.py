"""Mastodon endpoint against FakeMastodon: success, limits, idempotency, error classes."""

from __future__ import annotations

import time

import pytest
from endpoint_helpers import (
    NOW, assert_secret_free, closed_port_url, default_template, deliver, make_body, make_endpoint, make_post, prepare, session,
)
from fakes import FakeMastodon

from syndicator.crosspost.fitting import mastodon_length
from syndicator.endpoints.mastodon import Mastodon
from syndicator.errors import AmbiguousError, AuthError, ConfigError, PermanentError, TransientError


@pytest.fixture
def fake():
    with FakeMastodon() as m:
        yield m


def endpoint(fake: FakeMastodon, timeout: float = 5.0, **opts) -> Mastodon:
    return make_endpoint(Mastodon, "masto", {"instance": fake.url, **opts}, {"token": fake.token},
                         timeout=timeout)


def test_success_posts_with_key_visibility_and_language(fake) -> None:
    ep = endpoint(fake, visibility="unlisted")
    message, key, receipt = deliver(ep)
    assert len(fake.statuses) == 1
    status = fake.statuses[0]
    assert status["status"] == message.text and status["key"] == key
    assert status["visibility"] == "unlisted" and status["language"] == "en"
    assert receipt.remote_id == status["id"] and receipt.remote_url == status["url"]
    sent = [r for r in fake.requests if r.path == "/api/v1/statuses"][0]
    assert sent.headers["idempotency-key"] == key
    assert sent.headers["authorization"] == f"Bearer {fake.token}"


def test_without_a_language_the_instance_default_is_used(fake) -> None:
    message, _, _ = deliver(endpoint(fake), make_post(lang=None))
    assert message.details["language"] == "(instance default)"
    assert fake.statuses[0]["language"] is None  # not sent: the instance decides
    assert endpoint(fake, language="de").render(
        make_post(lang=None), make_body(), template="{title}").details["language"] == "de"


def test_limit_is_read_from_the_instance_once() -> None:
    with FakeMastodon(max_characters=80, url_length=23) as fake:
        ep = endpoint(fake)
        post = make_post(title="A title that is reasonably long for a toot")
        body = make_body("word " * 60)
        for _ in range(3):
            message = ep.render(post, body, template=default_template(ep))
        assert fake.instance_requests == 1
        assert message.limit == 80 and message.length <= 80
        assert message.length == mastodon_length(message.text)
        assert post.url in message.text and "#MachineLearning" in message.dropped
        ep.send(post, body, message, key=ep.new_key(now=NOW), now=NOW)
        assert len(fake.statuses) == 1


def test_instance_failure_falls_back_to_500(fake) -> None:
    fake.fail_next(1, status=500, match=lambda r: r.path == "/api/v2/instance")
    ep = endpoint(fake)
    assert ep.render(make_post(), make_body(), template="{title}").limit == 500


def test_max_characters_option_skips_the_instance(fake) -> None:
    ep = endpoint(fake, max_characters=1000)
    assert ep.render(make_post(), make_body(), template="{title}").limit == 1000
    assert fake.instance_requests == 0


def test_content_warning_counts_against_the_limit() -> None:
    with FakeMastodon(max_characters=60) as fake:
        ep = endpoint(fake, spoiler_text="A" * 30)
        message = ep.render(make_post(), make_body("word " * 40), template="{title} {summary}")
        assert message.length <= 60 and mastodon_length(message.text) <= 30
        deliver(ep, template="{title} {summary}")


def test_content_warning_is_counted_raw_urls_and_all() -> None:
    spoiler = "CW https://example.com/" + "a" * 40  # Mastodon counts a CW's URL in full: 63
    with FakeMastodon(max_characters=100) as fake:
        ep = endpoint(fake, spoiler_text=spoiler)
        message = ep.render(make_post(), make_body("word " * 40), template="{summary}")
        assert message.length == 63 + len(message.text) and message.length <= 100
        assert 30 < len(message.text) <= 37  # the CW took 63, not 26: room for 37, not 74
        deliver(ep, template="{summary}")
        assert fake.statuses[-1]["spoiler_text"] == spoiler


def test_margin_leaves_room_and_keeps_the_instance_limit(fake) -> None:
    ep = endpoint(fake, max_characters=100)
    post, body = make_post(title="T"), make_body("word " * 40)
    plain = ep.render(post, body, template="{title} {summary}")
    spare = ep.render(post, body, template="{title} {summary}", margin=10)
    assert plain.limit == spare.limit == 100
    assert 90 < plain.length <= 100 and spare.length <= 90
    assert spare.text != plain.text and plain.text.startswith(spare.text[:-1].rstrip())
    with pytest.raises(ValueError):
        ep.render(post, body, template="{title}", margin=-1)


def test_applied_then_504_settles_to_the_same_status(fake) -> None:
    ep = endpoint(fake)
    post, body, message, key = prepare(ep)
    fake.apply_then(504)
    with pytest.raises(AmbiguousError) as info:
        ep.send(post, body, message, key=key, now=NOW)
    assert info.value.status == 504
    receipt = ep.settle(post, body, message, key=key, now=NOW)
    assert receipt is not None and receipt.remote_id == fake.statuses[0]["id"]
    assert len(fake.statuses) == 1


def _send_that_times_out(fake: FakeMastodon, delay: float):
    """A send the instance applies `delay` s later, past the 0.3 s timeout: it is ambiguous.
    Returns (ep, post, body, message, key) for settling."""
    ep = endpoint(fake, timeout=0.3)
    ep.limits()
    fake.delay_next(delay, match=lambda r: r.path == "/api/v1/statuses")
    post, body, message, key = prepare(ep)
    with pytest.raises(AmbiguousError):
        ep.send(post, body, message, key=key, now=NOW)
    return ep, post, body, message, key


def test_timeout_after_apply_is_ambiguous_and_settles_without_duplicate(fake) -> None:
    ep, post, body, message, key = _send_that_times_out(fake, 0.8)
    time.sleep(0.8)
    assert ep.settle(post, body, message, key=key, now=NOW) is not None
    assert len(fake.statuses) == 1


def test_concurrent_repeat_of_a_key_gets_503_and_no_duplicate(fake) -> None:
    ep, post, body, message, key = _send_that_times_out(fake, 1.0)
    with pytest.raises(AmbiguousError) as info:  # the first is still being handled
        ep.settle(post, body, message, key=key, now=NOW)
    assert info.value.status == 503
    time.sleep(1.0)
    assert ep.settle(post, body, message, key=key, now=NOW).remote_id == fake.statuses[0]["id"]
    assert len(fake.statuses) == 1


def test_connection_reset_after_send_is_ambiguous(fake) -> None:
    ep = endpoint(fake)
    ep.limits()
    fake.reset_next()
    with pytest.raises(AmbiguousError):
        deliver(ep)
    assert len(fake.statuses) == 1


def test_503_with_retry_after_is_transient_without_it_ambiguous(fake) -> None:
    ep = endpoint(fake)
    ep.limits()
    fake.fail_next(1, status=503, headers={"Retry-After": "7"})
    with pytest.raises(TransientError) as info:
        deliver(ep)
    assert info.value.retry_after == 7 and info.value.status == 503
    fake.fail_next(1, status=503)
    with pytest.raises(AmbiguousError):
        deliver(ep)
    assert fake.statuses == []


def test_429_uses_x_ratelimit_reset(fake) -> None:
    ep = endpoint(fake)
    ep.limits()
    fake.fail_next(1, status=429, body={"error": "Too many requests"},
                   headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                            "X-RateLimit-Reset": "2026-11-25T12:05:00.000Z"})
    with pytest.raises(TransientError) as info:
        deliver(ep)
    assert info.value.retry_after == pytest.approx(300)


@pytest.mark.parametrize("status", [500, 502, 504])
def test_server_errors_are_ambiguous(fake, status: int) -> None:
    ep = endpoint(fake)
    ep.limits()
    fake.fail_next(1, status=status)
    with pytest.raises(AmbiguousError):
        deliver(ep)


def test_connection_refused_is_transient() -> None:
    ep = make_endpoint(Mastodon, "masto", {"instance": closed_port_url(), "max_characters": 500},
                       {"token": "secret-token-value"})
    with pytest.raises(TransientError) as info:
        deliver(ep)
    assert_secret_free(info.value, "secret-token-value")


def test_bad_token_is_auth_error_naming_the_variable(fake) -> None:
    ep = make_endpoint(Mastodon, "masto", {"instance": fake.url, "token_env": "MASTO_TOKEN"},
                       {"token": "wrong-token-123"})
    with pytest.raises(AuthError) as info:
        deliver(ep)
    assert info.value.status == 401
    assert ep.credential_hint() == "$MASTO_TOKEN (token_env)"
    assert_secret_free(info.value, "wrong-token-123", fake.token)


def test_validation_failure_is_permanent() -> None:
    with FakeMastodon(max_characters=20) as fake:
        ep = endpoint(fake, max_characters=500)  # we believe 500; the server says 20
        with pytest.raises(PermanentError) as info:
            deliver(ep)
        assert info.value.status == 422 and "Validation failed" in str(info.value)
        assert not isinstance(info.value, AuthError)


def test_over_limit_message_is_refused_before_sending(fake) -> None:
    ep = endpoint(fake, max_characters=10)
    post, body = make_post(), make_body()
    message = ep.render(post, body, template="{url} {url}")
    assert message.length > message.limit
    before = len(fake.requests)
    with pytest.raises(PermanentError):
        ep.send(post, body, message, key="k", now=NOW)
    assert len(fake.requests) == before


def test_bad_visibility_is_a_config_error(fake) -> None:
    with pytest.raises(ConfigError):
        endpoint(fake, visibility="everyone")


def test_own_text_is_used_and_measured(fake) -> None:
    ep = endpoint(fake)
    message = ep.render(make_post(), make_body(), template=default_template(ep),
                        own_text="Just this https://example.com/" + "x" * 100)
    assert message.text.startswith("Just this") and message.length == 10 + 23


def test_settle_after_the_key_expired_looks_for_the_status(fake) -> None:
    from datetime import timedelta

    ep = endpoint(fake)
    post, body, message, key = prepare(ep, make_post(url="https://test.example/a?b=1&c=2"))
    fake.apply_then(504)
    with pytest.raises(AmbiguousError):
        ep.send(post, body, message, key=key, now=NOW)
    later = NOW + timedelta(hours=3)
    fake.keys.clear()  # Mastodon forgot the key after an hour
    receipt = ep.settle(post, body, message, key=key, now=later)
    assert receipt is not None and receipt.remote_id == fake.statuses[0]["id"]
    other = make_post(2)
    message = ep.render(other, body, template=default_template(ep))
    assert ep.settle(other, body, message, key=ep.new_key(now=NOW), now=later) is None
    assert len(fake.statuses) == 1
