"""Micropub (W3C): create an h-entry on another site (Micro.blog, Indiekit, ...).

Config ([[endpoints]] type = "micropub"):
    endpoint            required  the Micropub endpoint URL
    format              "form"    "form" (x-www-form-urlencoded) or "json"
    title               true      send the post title as `name` (makes it an article)
    photo               true      send the post image URL as `photo` (with alt text in JSON)
    original_property   none      a property to carry the original URL, e.g. "repost-of"
    resend_when_unsure  false     after an ambiguous failure, resend anyway (may duplicate); a
                                  common key
Secrets: token (config `token_env`), a bearer token with the `create` scope.

Properties: h=entry, content (the fitted text), name, summary, category[] (tags and
categories), published, photo. Success is 201/202 with a Location header (the new post's URL).

Delivery: Micropub has no idempotency key, so an ambiguous outcome (timeout, 5xx) cannot be
settled: settle() raises AmbiguousError and the delivery stays `unknown` for a human to check,
unless resend_when_unsure = true (at least once: a duplicate is possible).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ..crosspost.fitting import fit_post, graphemes
from ..model import Body, Post
from .base import Endpoint, Message, Receipt
from .http import host_of, json_or_none, raise_for, request


class Micropub(Endpoint):
    """A Micropub endpoint."""

    kind = "micropub"

    def render(self, post: Post, body: Body, *, template: str, own_text: str | None = None) -> Message:
        """No length limit; the text is the template (or the post's own text) as is."""
        fitted = fit_post(post, body, template=template, own_text=own_text, limits=())
        return Message(fitted.text, graphemes(fitted.text), None,
                       {"format": self.opts.get("format") or "form"}, fitted.dropped)

    def new_key(self, *, now: datetime) -> str:
        """A delivery id for the ledger (Micropub itself has no idempotency key)."""
        return uuid.uuid4().hex

    def _properties(self, post: Post, body: Body, message: Message) -> dict[str, list[Any]]:
        props: dict[str, list[Any]] = {"content": [message.text]}
        if self.opts.get("title", True):
            props["name"] = [post.title]
        if body.summary:
            props["summary"] = [body.summary]
        categories = list(dict.fromkeys(post.tags + post.categories))
        if categories:
            props["category"] = categories
        props["published"] = [post.published.isoformat()]
        if post.image is not None and self.opts.get("photo", True):
            props["photo"] = [{"value": post.image.url, "alt": post.image.alt}
                              if post.image.alt else post.image.url]
        if self.opts.get("original_property"):
            props[self.opts["original_property"]] = [post.url]
        return props

    def send(self, post: Post, body: Body, message: Message, *, key: str, now: datetime) -> Receipt:
        """POST the entry; 201/202 with Location is success."""
        props = self._properties(post, body, message)
        headers = {"Authorization": f"Bearer {self.secrets.get('token', '')}",
                   "Accept": "application/json"}
        url = str(self.opts["endpoint"])
        if (self.opts.get("format") or "form") == "json":
            kwargs: dict[str, Any] = {"json": {"type": ["h-entry"], "properties": props}}
        else:
            form: list[tuple[str, str]] = [("h", "entry")]
            for name, values in props.items():
                for value in values:
                    plain = value["value"] if isinstance(value, dict) else value
                    form.append((f"{name}[]" if len(values) > 1 or name == "category" else name,
                                 plain))
            kwargs = {"data": form}
        resp = request(self, "POST", url, headers=headers, where=host_of(url), **kwargs)
        data = json_or_none(resp)
        detail = ""
        if isinstance(data, dict):
            detail = ": ".join(str(data[k]) for k in ("error", "error_description") if data.get(k))
        raise_for(self, resp, now=now, body=data, detail=detail or resp.text)
        return Receipt(remote_id=None, remote_url=resp.headers.get("Location"))

    def settle(self, post: Post, body: Body, message: Message, *, key: str, now: datetime) -> Receipt | None:
        """No idempotency: resend only if resend_when_unsure is set, else stay unknown."""
        return self._resend_if_allowed(post, body, message, key=key, now=now,
                                       unsure="cannot tell whether the post was created (Micropub "
                                       "has no idempotency key); check the site, then mark it "
                                       "sent or retry it")
