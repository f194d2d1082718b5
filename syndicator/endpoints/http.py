"""HTTP plumbing shared by the endpoint kinds: send, classify the outcome, keep secrets out.

Classification follows crosspost.md:
    connection refused / connect timeout, 429, 503 with a retry hint -> TransientError
    400/404/410/422 and other 4xx                                    -> PermanentError
    401/403                                                          -> AuthError (pause)
    read timeout, reset after sending, 500/502/504, other 5xx        -> AmbiguousError
requests' own exception messages contain the URL (a Discord or Slack webhook URL *is* the
credential), so they are never passed on: messages name the endpoint and the host only.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NewConnectionError

from ..redact import one_line, redact
from ..errors import AmbiguousError, AuthError, DeliveryError, PermanentError, TransientError

logger = logging.getLogger(__name__)


def host_of(url: str) -> str:
    """scheme://host[:port] only: no path, query or user info (they may carry tokens)."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def url_secrets(url: str) -> tuple[str, ...]:
    """A secret webhook URL (Discord, Slack), its path and its last segment (the token)."""
    path = urlsplit(url).path
    token = path.rstrip("/").rsplit("/", 1)[-1]
    return tuple(v for v in (url, path if len(path) > 1 else "", token if len(token) >= 8 else "")
                 if v)


def _refused(exc: BaseException) -> bool:
    """True when the request certainly never reached the server (refused, DNS, connect)."""
    stack: list[Any] = [exc]
    seen: set[int] = set()
    while stack:
        err = stack.pop()
        if err is None or id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, (NewConnectionError, ConnectionRefusedError)):
            return True
        stack += [getattr(err, "reason", None), err.__cause__, err.__context__]
        stack += [a for a in getattr(err, "args", ()) if isinstance(a, BaseException)]
    return False


def request(endpoint: Any, method: str, url: str, *, where: str, **kwargs: Any) -> requests.Response:
    """One HTTP request with the endpoint's session and timeout; network errors wrapped.

    `where` names the target for messages ("https://mastodon.social", "the Discord webhook").
    """
    kwargs.setdefault("timeout", endpoint.timeout)
    kwargs.setdefault("allow_redirects", False)
    label = f"{endpoint.kind} endpoint '{endpoint.name}'"
    error: DeliveryError
    # The error is raised outside the except blocks so that it carries no __context__:
    # requests' exception (and its message with the full URL) is dropped, not chained.
    try:
        return endpoint.session.request(method, url, **kwargs)
    except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema, requests.exceptions.InvalidHeader,
            requests.exceptions.URLRequired):
        error = PermanentError(f"{label}: the URL or a header for {where} is not valid")
    except requests.exceptions.SSLError:
        error = TransientError(f"{label}: TLS handshake with {where} failed")
    except requests.ConnectTimeout:
        error = TransientError(f"{label}: timed out connecting to {where}")
    except requests.ReadTimeout:
        error = AmbiguousError(f"{label}: no answer from {where} within {kwargs['timeout']} s; "
                               "the request may have been applied")
    except requests.ConnectionError as exc:
        if _refused(exc):
            error = TransientError(f"{label}: cannot connect to {where}")
        else:
            error = AmbiguousError(f"{label}: connection to {where} broke after sending; "
                                   "the request may have been applied")
    except requests.RequestException as exc:  # e.g. the answer was cut off: it was received
        error = AmbiguousError(f"{label}: the exchange with {where} failed "
                               f"({type(exc).__name__}); the request may have been applied")
    raise error


def retry_after(response: requests.Response, *, now: datetime, body: Any = None) -> float | None:
    """Seconds to wait, from Retry-After, X-RateLimit-Reset(-After), RateLimit-Reset or a JSON
    retry_after (Discord). Reset values above 10^9 are epoch seconds; ISO dates are accepted."""
    if isinstance(body, dict) and isinstance(body.get("retry_after"), (int, float)):
        return max(0.0, float(body["retry_after"]))
    for name in ("Retry-After", "X-RateLimit-Reset-After", "X-RateLimit-Reset", "RateLimit-Reset"):
        value = response.headers.get(name)
        if value:
            seconds = _seconds(value.strip(), now)
            if seconds is not None:
                return seconds
    return None


def _seconds(value: str, now: datetime) -> float | None:
    stamp = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, number - stamp.timestamp() if number > 1e9 else number)
    for parse in (parsedate_to_datetime, lambda v: datetime.fromisoformat(v.replace("Z", "+00:00"))):
        try:
            when = parse(value)
        except (TypeError, ValueError, IndexError):
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, (when - stamp).total_seconds())
    return None


def json_or_none(response: requests.Response) -> Any:
    """The response's JSON body, or None when it has none."""
    try:
        return response.json()
    except ValueError:
        return None


def raise_for(endpoint: Any, response: requests.Response, *, now: datetime, detail: str = "",
              body: Any = None) -> None:
    """Raise the DeliveryError subclass this non-2xx response means; return on 2xx."""
    status = response.status_code
    if 200 <= status < 300:
        return
    label = f"{endpoint.kind} endpoint '{endpoint.name}'"
    detail = one_line(redact(detail, endpoint.secret_values()), limit=200)
    said = f": {detail}" if detail else ""
    wait = retry_after(response, now=now, body=body)
    error: DeliveryError
    if status == 429 or (status == 503 and wait is not None):
        error = TransientError(f"{label}: rate limited or unavailable ({status}){said}",
                               status=status, retry_after=wait)
    elif status in (401, 403):
        error = AuthError(f"{label}: credentials rejected ({status}){said}", status=status)
    elif 300 <= status < 400:
        error = PermanentError(f"{label}: unexpected redirect ({status}); check the URL",
                               status=status)
    elif 400 <= status < 500:
        error = PermanentError(f"{label}: rejected ({status}){said}", status=status)
    else:
        error = AmbiguousError(f"{label}: server error ({status}){said}; it may have been applied",
                               status=status, retry_after=wait)
    raise error


def check_length(endpoint: Any, message: Any) -> None:
    """Refuse to send a message that render() could not fit: the platform would reject it."""
    if message.limit is not None and message.length > message.limit:
        raise PermanentError(f"{endpoint.kind} endpoint '{endpoint.name}': text is "
                             f"{message.length} long, over the limit of {message.limit}",
                             status=None)

