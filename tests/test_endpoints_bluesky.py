"""Bluesky endpoint against FakeBluesky: sessions, record keys, facets, card, settle."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from endpoint_helpers import (
    NOW, PNG, assert_secret_free, default_template, deliver, image, make_body, make_endpoint, make_post, prepare, session,
)
from fakes import FakeBluesky

from syndicator.crosspost.fitting import graphemes, utf8_bytes
from syndicator.endpoints.bluesky import Bluesky, TidClock
from syndicator.errors import AmbiguousError, AuthError, DeliveryError, PermanentError, TransientError

TID_RE = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


@pytest.fixture
def fake():
    with FakeBluesky() as b:
        yield b


def endpoint(fake: FakeBluesky, **opts) -> Bluesky:
    return make_endpoint(Bluesky, "sky", {"handle": fake.handle, "service": fake.url, **opts},
                         {"password": fake.password}, timeout=5.0)


def test_tid_format_and_order() -> None:
    clock = TidClock()
    keys = [clock.next(NOW) for _ in range(50)] + [clock.next(NOW + timedelta(seconds=1))]
    assert all(TID_RE.match(k) for k in keys)
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert clock.next(NOW, clock_id=0) > keys[-1]  # still increasing for one clock


def test_success_with_facets_card_and_thumb(fake) -> None:
    ep = endpoint(fake)
    url = fake.serve_file("/boat.png", PNG)
    post = make_post(image=image(url), title="Grüße 👋 from the boat shed")
    message, key, receipt = deliver(ep, post)
    record = fake.records[key]["value"]  # the fake validated text, facets and thumb
    assert record["text"] == message.text
    tags = [f["features"][0]["tag"] for f in record["facets"]
            if f["features"][0]["$type"].endswith("#tag")]
    assert tags == ["MachineLearning", "python"]
    links = [f["features"][0]["uri"] for f in record["facets"]
             if f["features"][0]["$type"].endswith("#link")]
    assert links == [post.url]
    external = record["embed"]["external"]
    assert external["uri"] == post.url and external["title"] == post.title
    assert external["description"] == "A short summary of the post."
    assert external["thumb"]["ref"]["$link"] in fake.blobs
    assert record["langs"] == ["en"] and record["createdAt"] == "2026-11-25T12:00:00.000Z"
    assert receipt.remote_id == f"at://{fake.did}/app.bsky.feed.post/{key}"
    assert receipt.remote_url == f"https://bsky.app/profile/{fake.handle}/post/{key}"


def test_image_that_cannot_be_fetched_gives_a_card_without_thumb(fake) -> None:
    ep = endpoint(fake)
    post = make_post(image=image(fake.base_url + "/missing.png"))
    _, key, _ = deliver(ep, post)
    assert "thumb" not in fake.records[key]["value"]["embed"]["external"]


def test_long_text_fits_300_graphemes_and_3000_bytes(fake) -> None:
    ep = endpoint(fake)
    body = make_body("👨‍👩‍👧 family " * 200)
    message, key, _ = deliver(ep, make_post(title="Ünïcödé title"), body)
    assert graphemes(message.text) <= 300 and utf8_bytes(message.text) <= 3000
    assert message.details["bytes"] == utf8_bytes(message.text)
    assert key in fake.records
    # hashtags dropped from the text are kept as record tags
    assert fake.records[key]["value"].get("tags") == ["MachineLearning", "python"]


def test_logs_in_once_for_many_posts(fake) -> None:
    ep = endpoint(fake)
    for n in range(5):
        deliver(ep, make_post(n))
    assert fake.logins == 1 and len(fake.records) == 5


def test_expired_access_token_is_refreshed_not_relogged(fake) -> None:
    ep = endpoint(fake)
    deliver(ep, make_post(1))
    fake.expire_access_tokens()
    deliver(ep, make_post(2))
    assert fake.logins == 1 and fake.refreshes == 1 and len(fake.records) == 2


def test_expired_refresh_token_logs_in_again(fake) -> None:
    ep = endpoint(fake)
    deliver(ep, make_post(1))
    fake.expire_refresh_tokens()
    deliver(ep, make_post(2))
    assert fake.logins == 2 and len(fake.records) == 2


def test_session_can_be_saved_and_restored(fake) -> None:
    ep = endpoint(fake)
    deliver(ep, make_post(1))
    state = ep.session_state()
    assert state and state["did"] == fake.did
    assert state["accessJwt"] in ep.secret_values() and state["refreshJwt"] in ep.secret_values()
    again = endpoint(fake)
    again.restore_session(state)
    deliver(again, make_post(2))
    assert fake.logins == 1


def test_stale_restored_session_falls_back_to_login(fake) -> None:
    ep = endpoint(fake)
    ep.restore_session({"did": fake.did, "handle": fake.handle, "accessJwt": "old",
                        "refreshJwt": "old"})
    deliver(ep)
    assert fake.logins == 1 and len(fake.records) == 1


def test_login_rate_limit_is_transient_with_retry_after() -> None:
    with FakeBluesky(login_limit=0) as fake:
        with pytest.raises(TransientError) as info:
            deliver(endpoint(fake))
        assert info.value.status == 429 and info.value.retry_after == 300
        assert_secret_free(info.value, fake.password)


def test_wrong_password_is_auth_error_naming_the_variable(fake) -> None:
    ep = make_endpoint(Bluesky, "sky", {"handle": fake.handle, "service": fake.url,
                                        "password_env": "BSKY_PW"}, {"password": "wrong-app-password"})
    with pytest.raises(AuthError) as info:
        deliver(ep)
    assert "BSKY_PW" in ep.credential_hint() and "password" in ep.credential_hint()
    assert_secret_free(info.value, "wrong-app-password", fake.password)


def test_applied_then_504_settles_with_get_record(fake) -> None:
    ep = endpoint(fake)
    post, body, message, key = prepare(ep)
    fake.apply_then(504, match=lambda r: r.path.endswith("createRecord"))
    with pytest.raises(AmbiguousError):
        ep.send(post, body, message, key=key, now=NOW)
    receipt = ep.settle(post, body, message, key=key, now=NOW)
    assert receipt is not None and receipt.remote_id.endswith(key)
    # Blindly resending the same record key cannot duplicate: the PDS answers 500.
    with pytest.raises(AmbiguousError):
        ep.send(post, body, message, key=key, now=NOW)
    assert len(fake.records) == 1


def test_settle_of_a_record_never_created_is_none(fake) -> None:
    ep = endpoint(fake)
    post, body, message, key = prepare(ep)
    fake.fail_next(1, status=502, match=lambda r: r.path.endswith("createRecord"))
    with pytest.raises(AmbiguousError):
        ep.send(post, body, message, key=key, now=NOW)
    assert ep.settle(post, body, message, key=key, now=NOW) is None
    ep.send(post, body, message, key=key, now=NOW)  # now safe to resend with the same key
    assert list(fake.records) == [key]


def test_settle_when_the_server_is_down_stays_unsure(fake) -> None:
    ep = endpoint(fake)
    post, body = make_post(), make_body()
    message = ep.render(post, body, template=default_template(ep))
    ep.send(post, body, message, key=ep.new_key(now=NOW), now=NOW)
    fake.fail_next(1, status=503, headers={"Retry-After": "5"})
    with pytest.raises(TransientError):
        ep.settle(post, body, message, key="3aaaaaaaaaaaa", now=NOW)


def test_rate_limited_create_is_transient(fake) -> None:
    ep = endpoint(fake)
    deliver(ep, make_post(1))
    fake.fail_next(1, status=429, body={"error": "RateLimitExceeded", "message": "slow down"},
                   headers={"RateLimit-Reset": str(int(NOW.timestamp()) + 120)})
    with pytest.raises(TransientError) as info:
        deliver(ep, make_post(2))
    assert info.value.retry_after == pytest.approx(120)


def test_invalid_request_is_permanent(fake) -> None:
    ep = endpoint(fake)
    deliver(ep, make_post(1))
    fake.fail_next(1, status=400, body={"error": "InvalidRequest", "message": "bad record"})
    with pytest.raises(PermanentError) as info:
        deliver(ep, make_post(2))
    assert "InvalidRequest" in str(info.value) and not isinstance(info.value, AuthError)


def test_no_secret_in_any_error(fake) -> None:
    ep = endpoint(fake)
    deliver(ep, make_post(1))
    tokens = ep.secret_values()
    # 401 three times: createRecord, then refreshSession, then createSession all refuse.
    for status, n in ((400, 1), (401, 3), (429, 1), (500, 1), (503, 1)):
        fake.fail_next(n, status=status, body={"error": "X", "message": f"echo {tokens[-1]}"})
        with pytest.raises(DeliveryError) as info:
            deliver(ep, make_post(status))
        assert_secret_free(info.value, *tokens, fake.password)


# -- record text: langs, tags, card, lexicon ---------------------------------------------------

@pytest.mark.parametrize("lang,langs", [("en_US", ["en-US"]), ("pt_br", ["pt-BR"]),
                                        ("zh_Hant_TW", ["zh-Hant-TW"]), ("sv", ["sv"])])
def test_lang_is_sent_as_bcp47(fake, lang: str, langs: list[str]) -> None:
    _, key, _ = deliver(endpoint(fake), make_post(lang=lang))
    assert fake.records[key]["value"]["langs"] == langs  # the fake checks it with atproto's models


@pytest.mark.parametrize("lang", ["english", "en--US", "123", "x-klingon"])
def test_a_lang_that_is_no_bcp47_tag_is_dropped_with_a_warning(fake, caplog, lang: str) -> None:
    _, key, _ = deliver(endpoint(fake), make_post(lang=lang))
    assert "langs" not in fake.records[key]["value"]
    assert any(r.levelname == "WARNING" and repr(lang) in r.getMessage() for r in caplog.records)


def test_tags_are_clipped_to_640_bytes_on_a_grapheme_boundary(fake) -> None:
    marks = "a" + "\u0301" * 400  # one grapheme of 801 bytes: nothing of it fits
    long_word = "ü" * 64  # 64 graphemes, 128 bytes: kept
    heavy = ("a" + "\u0301" * 20) * 40  # 40 graphemes of 41 bytes: 15 fit in 640
    post = make_post(tags=[marks, long_word, heavy, "python"])
    _, key, _ = deliver(endpoint(fake), post, template="{title} {url}")
    tags = fake.records[key]["value"]["tags"]
    assert tags == [long_word, heavy[: 21 * 15], "python"]
    assert all(len(t.encode()) <= 640 and graphemes(t) <= 64 for t in tags)


def test_card_description_is_cut_on_a_grapheme_boundary(fake) -> None:
    family = "👨‍👩‍👧‍👦"  # one grapheme of 7 code points
    _, key, _ = deliver(endpoint(fake), make_post(), make_body(family * 1200))
    description = fake.records[key]["value"]["embed"]["external"]["description"]
    assert description.endswith("…") and graphemes(description) <= 1000
    assert description[:-1] == family * (graphemes(description) - 1)


def test_a_record_the_pds_refuses_as_invalid_is_reported_as_a_bug(fake, caplog) -> None:
    ep = endpoint(fake)
    post, body, message, key = prepare(ep)
    fake.fail_next(status=400, body={"error": "InvalidRequest", "message": "Invalid app.bsky."
                                     "feed.post record: Record/langs/0 must be a valid language"},
                   match=lambda req: req.path.endswith("createRecord"))
    with pytest.raises(PermanentError, match="bug: the PDS refused the record as invalid"):
        ep.send(post, body, message, key=key, now=NOW)
    assert any(r.levelname == "ERROR" and "BUG" in r.getMessage() for r in caplog.records)


def test_a_record_we_know_is_invalid_is_never_sent(fake, caplog, monkeypatch) -> None:
    ep = endpoint(fake)
    post, body, message, key = prepare(ep)
    monkeypatch.setattr("syndicator.endpoints.bluesky.record_langs", lambda lang, endpoint: ["en_US"])
    with pytest.raises(PermanentError, match="bug: .*langs"):
        ep.send(post, body, message, key=key, now=NOW)
    assert not any(r.path.endswith("createRecord") for r in fake.requests)
    assert any(r.levelname == "ERROR" and "BUG" in r.getMessage() for r in caplog.records)
