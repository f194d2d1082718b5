"""Local fake servers for every endpoint kind: real HTTP on 127.0.0.1, port 0, in a thread.

Each enforces its platform's contract (see ../shared/design/crosspost.md) and records what it
received. Use as a context manager (or start()/stop()); the client may run in another process.

    from fakes import FakeMastodon            # tests/ is on sys.path under pytest
    with FakeMastodon(max_characters=500) as m:
        ep = Mastodon("masto", {"instance": m.url}, {"token": m.token}, requests.Session())
        ...
        m.statuses        # created statuses (dicts: id, url, status, visibility, language, key)

Common to every fake (FakeServer):
    .base_url                      http://127.0.0.1:PORT
    .url                           what goes in the endpoint's config (or its secret url)
    .requests                      every request received: Request(method, path, query,
                                   headers (lower-case names), body; .json, .form, .bearer())
    .fail_next(n=1, status=503, headers={}, body=None, match=None)
                                   answer the next n requests with status, NOT applying them
    .apply_then(status=504, n=1, headers=None, body=None, match=None)
                                   apply the next n requests, then answer status (duplicates!)
    .delay_next(seconds, n=1, apply=True, match=None)
                                   sleep past the client's timeout, then apply (or not)
    .reset_next(n=1, apply=True, match=None)
                                   apply, then drop the connection without an answer
    .clear_faults()
    .serve_file(path, data, content_type) -> absolute URL (e.g. a post image for Bluesky)
    .errors                        exceptions raised inside the fake (answered 500): fake bugs
  A new fake subclasses FakeServer and implements respond(req) -> Reply (called under .lock).
  `match` is a predicate on Request to aim a fault at some requests only, e.g.
  match=lambda r: r.path.endswith("createRecord").

Platform fakes:
    FakeMastodon(max_characters=500, url_length=23, token=None)
        .url (instance), .token, .statuses, .keys (Idempotency-Key -> status), .instance_requests
        401 bad token; 422 {"error": "Validation failed: ..."} when blank or over the limit;
        a repeated Idempotency-Key returns the same status and creates nothing; a repeat while
        the first request with that key is still being handled (delay_next) gets 503.
    FakeBluesky(handle="alice.test", password=None, login_limit=30)
        .url (service), .handle, .did, .password, .records (rkey -> {uri, cid, value}),
        .posts(), .blobs, .logins, .refreshes, .expire_access_tokens(), .expire_refresh_tokens()
        429 RateLimitExceeded past login_limit logins; 400 ExpiredToken; 500 on an existing
        rkey; 400 InvalidRequest for bad text length, facets, TID, embed; getRecord
        400 RecordNotFound.
    FakeMicropub(token=None, status=201)
        .url (endpoint), .token, .entries (properties dicts), .formats, .scope_ok
        201/202 + Location; 401 unauthorized; 403 insufficient_scope; 400 invalid_request.
    FakeWebhook(secret=None, tolerance=300)
        .url, .secret ("whsec_..."), .deliveries (id, timestamp, body, raw), .unique_ids(),
        .rejected, .status (204; set 410 for gone), .require_hub_signature
        401 on a bad signature or a stale timestamp.
    FakeDiscord()
        .url (the secret webhook URL), .token, .messages, .deleted, .rate_limit_next(secs)
        200 message with ?wait=true else 204; 401 code 50027; 404 code 10015; 400 code 50035
        over the content/embed limits.
    FakeSlack()
        .url (the secret webhook URL), .messages, .archived (410), .revoked (404 no_service)
        200 "ok"; 400 invalid_payload / invalid_blocks; 403 invalid_token for a wrong path.
    FakeHub()
        .url, .pings [(hub.url, hub.topic)]; 204.
    FakeFeedServer(gzip=True, validators=True)
        a blog's feed host: .publish(path, bytes), .redirect, .status, .stream (endless body),
        conditional GET (304), gzip; .requests, .hits(path). See feed.py.
"""

from .bluesky import FakeBluesky
from .discord import FakeDiscord
from .feed import FakeFeedServer
from .mastodon import FakeMastodon
from .micropub import FakeMicropub
from .server import FakeServer, Reply, Request
from .slack import FakeSlack
from .webhook import FakeWebhook
from .websub import FakeHub

__all__ = ["FakeServer", "Reply", "Request", "FakeMastodon", "FakeBluesky", "FakeMicropub",
           "FakeWebhook", "FakeDiscord", "FakeSlack", "FakeHub", "FakeFeedServer"]
