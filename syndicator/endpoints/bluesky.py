"""Bluesky (AT Protocol): createRecord with a client-chosen record key (a TID).

Config ([[endpoints]] type = "bluesky"):
    handle    required  "jane.bsky.social" (the login identifier; a DID works too)
    service   "https://bsky.social"  the PDS
    app_url   "https://bsky.app"     where post URLs point
    language  none      BCP 47 code for `langs`; default: the post's lang
    card      true      add an app.bsky.embed.external link card (with the post image as thumb)
Secrets: password (config `password_env`), an app password, never the account password.

Session: one createSession per process (or none, when the orchestrator restores a saved
session with restore_session()); refreshSession when the access token expires. The session
tokens are secrets: secret_values() includes them, session_state() returns them for a 0600
store.

Delivery: exactly once. new_key() is a TID stored before the first attempt and used as the
rkey; settle() asks getRecord for that rkey (found -> Receipt, RecordNotFound -> None).
"""

from __future__ import annotations

import logging
import secrets as _random
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

from ..crosspost.fitting import BLUESKY_LIMITS, facets, fit_post, fits, graphemes, hashtags, utf8_bytes
from ..errors import AmbiguousError, DeliveryError, PermanentError
from ..model import Body, Post
from ..redact import redact
from .base import Endpoint, Message, Receipt
from .bluesky_record import card_description, record_langs, record_problems, record_tags
from .http import check_length, host_of, json_or_none, raise_for, request

logger = logging.getLogger(__name__)

COLLECTION = "app.bsky.feed.post"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
MAX_THUMB_BYTES = 1_000_000

_MICROSECOND = timedelta(microseconds=1)


class TidClock:
    """Makes TIDs: 53 bits of microseconds since 1970 and a 10-bit clock id, 13 sortable base32
    characters; strictly increasing for one clock, even for equal `now`."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def next(self, now: datetime, clock_id: int | None = None) -> str:
        """The next TID at `now` (clock_id: random unless given)."""
        aware = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
        micros = (aware - datetime(1970, 1, 1, tzinfo=timezone.utc)) // _MICROSECOND
        clock = _random.randbelow(1024) if clock_id is None else clock_id
        with self._lock:
            value = max(((micros & (2**53 - 1)) << 10) | (clock & 1023), self._last + 1)
            self._last = value
        chars = []
        for _ in range(13):
            chars.append(TID_ALPHABET[value & 31])
            value >>= 5
        return "".join(reversed(chars))


def _rfc3339(now: datetime) -> str:
    aware = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
    return aware.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Bluesky(Endpoint):
    """A Bluesky account on a PDS."""

    kind = "bluesky"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = str(self.opts.get("service") or "https://bsky.social").rstrip("/")
        self.app_url = str(self.opts.get("app_url") or "https://bsky.app").rstrip("/")
        self._session: dict[str, str] | None = None
        self._lock = threading.RLock()
        self._tids = TidClock()

    # -- session -------------------------------------------------------------------------

    def secret_values(self) -> tuple[str, ...]:
        """The app password and the session tokens."""
        tokens = (self._session or {}).get("accessJwt"), (self._session or {}).get("refreshJwt")
        return super().secret_values() + tuple(t for t in tokens if t)

    def session_state(self) -> dict[str, str] | None:
        """The current session (did, handle, accessJwt, refreshJwt) to persist, or None."""
        return dict(self._session) if self._session else None

    def restore_session(self, state: dict[str, str] | None) -> None:
        """Use a session saved by session_state() instead of logging in again."""
        if state and all(state.get(k) for k in ("did", "accessJwt", "refreshJwt")):
            self._session = {k: str(state[k]) for k in ("did", "handle", "accessJwt", "refreshJwt")
                             if state.get(k)}

    def _login(self, now: datetime) -> None:
        logger.info("bluesky endpoint %s: creating a session", self.name)
        resp = request(self, "POST", self._xrpc("com.atproto.server.createSession"),
                       json={"identifier": self.opts["handle"],
                             "password": self.secrets.get("password", "")},
                       where=host_of(self.service))
        self._take_session(resp, now)

    def _refresh(self, now: datetime) -> bool:
        """Refresh the session; False when the refresh token is no longer accepted."""
        assert self._session is not None
        resp = request(self, "POST", self._xrpc("com.atproto.server.refreshSession"),
                       headers={"Authorization": f"Bearer {self._session['refreshJwt']}"},
                       where=host_of(self.service))
        if resp.status_code in (400, 401):
            return False  # ExpiredToken / InvalidToken / revoked: log in again
        self._take_session(resp, now)
        return True

    def _take_session(self, resp: Any, now: datetime) -> None:
        data = json_or_none(resp)
        raise_for(self, resp, now=now, body=data, detail=_said(data))
        if not isinstance(data, dict) or "accessJwt" not in data:
            raise AmbiguousError(f"bluesky endpoint '{self.name}': session answer without tokens")
        self._session = {k: str(data[k]) for k in ("did", "handle", "accessJwt", "refreshJwt")
                         if data.get(k)}

    def _ensure_session(self, now: datetime) -> None:
        with self._lock:
            if self._session is None:
                self._login(now)

    def _xrpc(self, nsid: str) -> str:
        return f"{self.service}/xrpc/{nsid}"

    def _call(self, method: str, nsid: str, *, now: datetime, **kwargs: Any) -> Any:
        """An authenticated XRPC call: logs in if needed, refreshes once on ExpiredToken."""
        with self._lock:
            if self._session is None:
                self._login(now)
            for attempt in range(2):
                assert self._session is not None
                headers = {**kwargs.pop("headers", {}),
                           "Authorization": f"Bearer {self._session['accessJwt']}"}
                resp = request(self, method, self._xrpc(nsid), headers=headers,
                               where=host_of(self.service), **kwargs)
                kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
                if attempt == 0 and (resp.status_code == 401 or resp.status_code == 400 and
                                     _error(resp) in ("ExpiredToken", "InvalidToken")):
                    if not self._refresh(now):
                        self._login(now)
                    continue
                return resp
            return resp

    # -- rendering -----------------------------------------------------------------------

    def render(self, post: Post, body: Body, *, template: str, own_text: str | None = None) -> Message:
        """Fit 300 graphemes and 3000 bytes; details carry the facets and byte count."""
        fitted = fit_post(post, body, template=template, own_text=own_text, limits=BLUESKY_LIMITS)
        details = {"bytes": utf8_bytes(fitted.text), "facets": facets(fitted.text),
                   "card": post.url if self.opts.get("card", True) else None}
        return Message(fitted.text, graphemes(fitted.text), 300, details, fitted.dropped)

    def new_key(self, *, now: datetime) -> str:
        """A fresh TID to use as the record key."""
        return self._tids.next(now)

    def _record(self, post: Post, body: Body, message: Message, now: datetime) -> dict[str, Any]:
        record: dict[str, Any] = {"$type": COLLECTION, "text": message.text,
                                  "createdAt": _rfc3339(now)}
        found = facets(message.text)
        if found:
            record["facets"] = found
        langs = record_langs(self.opts.get("language") or post.lang, endpoint=self.name)
        if langs:
            record["langs"] = langs
        in_text = {f["features"][0]["tag"].casefold() for f in found
                   if f["features"][0]["$type"].endswith("#tag")}
        extra = record_tags((h[1:] for h in hashtags(post.tags)), skip=in_text)
        if extra:
            record["tags"] = extra  # hashtags dropped from the text stay searchable
        if self.opts.get("card", True):
            record["embed"] = self._card(post, body, now)
        return record

    def _card(self, post: Post, body: Body, now: datetime) -> dict[str, Any]:
        external: dict[str, Any] = {"uri": post.url, "title": post.title,
                                    "description": card_description(body.summary)}
        if post.image is not None:
            thumb = self._upload_thumb(post, now)
            if thumb is not None:
                external["thumb"] = thumb
        return {"$type": "app.bsky.embed.external", "external": external}

    def _upload_thumb(self, post: Post, now: datetime) -> dict[str, Any] | None:
        """Fetch the post image and upload it as a blob; None (card without thumb) on failure."""
        assert post.image is not None
        try:
            got = request(self, "GET", post.image.url, where=host_of(post.image.url),
                          allow_redirects=True)
        except DeliveryError as exc:
            logger.warning("bluesky endpoint %s: image not fetched (%s)", self.name, exc)
            return None
        if got.status_code != 200 or not got.content or len(got.content) > MAX_THUMB_BYTES:
            logger.warning("bluesky endpoint %s: image not used (status %s, %d bytes)",
                           self.name, got.status_code, len(got.content))
            return None
        mime = (got.headers.get("Content-Type") or post.image.type or "image/jpeg").split(";")[0]
        resp = self._call("POST", "com.atproto.repo.uploadBlob", now=now, data=got.content,
                          headers={"Content-Type": mime})
        data = json_or_none(resp)
        raise_for(self, resp, now=now, body=data, detail=_said(data))
        if not isinstance(data, dict) or "blob" not in data:
            raise AmbiguousError(f"bluesky endpoint '{self.name}': uploadBlob answer without a blob")
        return data["blob"]

    # -- delivery ------------------------------------------------------------------------

    def send(self, post: Post, body: Body, message: Message, *, key: str, now: datetime) -> Receipt:
        """createRecord with rkey = key. A repeat of an applied key gets 500 (settle)."""
        check_length(self, message)
        if not fits(message.text, BLUESKY_LIMITS):
            raise PermanentError(f"bluesky endpoint '{self.name}': text is over 300 graphemes "
                                 "or 3000 bytes")
        self._ensure_session(now)
        record = self._record(post, body, message, now)
        problems = record_problems(record)
        if problems:
            raise self._bug("syndicator made a record the lexicon refuses: " + "; ".join(problems))
        assert self._session is not None
        resp = self._call("POST", "com.atproto.repo.createRecord", now=now,
                          json={"repo": self._session["did"], "collection": COLLECTION,
                                "rkey": key, "record": record})
        data = json_or_none(resp)
        if resp.status_code == 400 and _error(resp) == "InvalidRequest":
            said = "".join(c if c.isprintable() else " " for c in _said(data))  # one line
            said = " ".join(redact(said, self.secret_values()).split())[:300]
            raise self._bug(f"the PDS refused the record as invalid: {said}")
        raise_for(self, resp, now=now, body=data, detail=_said(data))
        uri = data.get("uri") if isinstance(data, dict) else None
        return self._receipt(uri, key)

    def _bug(self, what: str) -> PermanentError:
        """A record Bluesky refuses is our bug: log it as one, and fail the delivery for good."""
        logger.error("bluesky endpoint %s: BUG: %s. Not posted; please report this with the "
                     "post's text", self.name, what)
        return PermanentError(f"bluesky endpoint '{self.name}': bug: {what}", status=400)

    def _receipt(self, uri: str | None, rkey: str) -> Receipt:
        assert self._session is not None
        who = self._session.get("handle") or self._session["did"]
        return Receipt(remote_id=uri, remote_url=f"{self.app_url}/profile/{who}/post/{rkey}")

    def settle(self, post: Post, body: Body, message: Message, *, key: str, now: datetime) -> Receipt | None:
        """getRecord for our rkey: found -> Receipt, RecordNotFound -> None (safe to resend)."""
        self._ensure_session(now)
        assert self._session is not None
        resp = self._call("GET", "com.atproto.repo.getRecord", now=now,
                          params={"repo": self._session["did"], "collection": COLLECTION,
                                  "rkey": key})
        data = json_or_none(resp)
        if resp.status_code == 400 and _error(resp) == "RecordNotFound":
            return None
        raise_for(self, resp, now=now, body=data, detail=_said(data))
        return self._receipt(data.get("uri") if isinstance(data, dict) else None, key)


def _error(resp: Any) -> str:
    data = json_or_none(resp)
    return str(data.get("error", "")) if isinstance(data, dict) else ""


def _said(data: Any) -> str:
    if isinstance(data, dict):
        return ": ".join(str(data[k]) for k in ("error", "message") if data.get(k))
    return ""

