"""Keep secrets out of logs, error messages, the ledger and `status`.

One function, `redact(text, secrets)`, and one logging filter built on it. Beyond the configured
secret values themselves it masks what looks secret on its own: `Authorization`/bearer tokens,
passwords and tokens in query strings, JSON or form bodies, user:password@ in URLs, and the
URLs that *are* the credential (Discord/Slack webhooks, Telegram bot URLs), which become
`scheme://host/…masked` so a message still says where it went.

Code that logs an error redacts it with the secrets it knows (the endpoint's own); the CLI puts
a RedactingFilter on its log handler, so every line from any library (urllib3 logs request
paths, which for a chat webhook contain the token) is masked by shape as well. Nothing here is
process-wide state: the secrets to mask are always passed in.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any, Iterable
from urllib.parse import quote, quote_plus, urlsplit

MASK = "***"
_MIN_SECRET = 4  # shorter values would mask ordinary words

# URLs whose path is the credential: keep scheme and host, mask the rest.
_SECRET_URL = re.compile(
    r"""(?P<base>https?://(?:[\w.-]*\.)?(?:discord(?:app)?\.com|hooks\.slack\.com|api\.telegram\.org))"""
    r"""(?P<rest>/(?:api/webhooks|services|bot|workflows|triggers)[^\s"'<>]*)""",
    re.IGNORECASE,
)
# The same paths without a host, as urllib3 logs them.
_SECRET_PATH = re.compile(r"(?P<k>/api/webhooks/\d+/|/services/[A-Z0-9]+/[A-Z0-9]+/)[\w-]+")
_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/\s:@\"']+:[^/\s@\"']+@", re.IGNORECASE)
_BEARER = re.compile(r"\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{4,}", re.IGNORECASE)
_AUTH_HEADER = re.compile(r"(\b(?:authorization|x-api-key|api-key|cookie)\s*[:=]\s*)[^\r\n,}]+",
                          re.IGNORECASE)
_WORDS = (r"access_?token|refresh_?token|access_?jwt|refresh_?jwt|token|password|passwd|secret|"
          r"api_?key|apikey|signature|sig|client_secret|app_?password")
_QUERY = re.compile(rf"(?P<k>[?&;](?:{_WORDS})=)[^&#\s\"']*", re.IGNORECASE)
_FORM = re.compile(rf"(?P<k>(?:^|[\s&])(?:{_WORDS})=)[^&\s\"']+", re.IGNORECASE)
_JSONISH = re.compile(rf"""(?P<k>["']?(?:{_WORDS})["']?\s*:\s*["'])[^"']*""", re.IGNORECASE)
_SIGNATURE = re.compile(r"(?P<k>\b(?:v1,|sha256=))[A-Za-z0-9+/=]{16,}", re.IGNORECASE)


def _pieces(secret: str) -> Iterable[tuple[str, str]]:
    """(text, mask) pairs for one secret. A URL that is a credential also leaks in parts:
    HTTP libraries log the path alone ("POST /api/webhooks/1/TOKEN"), so the path, the
    query and any long path segment are masked too; the scheme and host stay readable."""
    parts = urlsplit(secret) if "://" in secret else None
    if not (parts and parts.scheme and parts.hostname):
        yield secret, MASK
        return
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    yield secret, f"{parts.scheme}://{host}/…masked"
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    if len(tail) >= 8:
        yield tail, "/…masked"
    if len(parts.path) >= 8:
        yield parts.path, "/…masked"
    for segment in parts.path.split("/") + parts.query.split("&") + [parts.password or ""]:
        value = segment.split("=", 1)[-1]
        if len(value) >= 12:
            yield value, MASK


def _variants(secret: str) -> Iterable[str]:
    """The secret as it may appear: raw, percent-encoded, form-encoded."""
    yield secret
    yield quote(secret, safe="")
    yield quote_plus(secret, safe="")
    yield quote(secret, safe="/:")


def redact(text: Any, secrets: Iterable[str] = ()) -> str:
    """`text` with the given secrets and anything secret-shaped masked."""
    out = str(text)
    values = {s for s in secrets if s and len(s) >= _MIN_SECRET}
    pairs = {piece: mask for secret in values for piece, mask in _pieces(secret)}
    # Longest first, so a webhook URL is masked whole before a token inside it.
    for piece in sorted(pairs, key=len, reverse=True):
        for variant in dict.fromkeys(_variants(piece)):
            if variant in out:
                out = out.replace(variant, pairs[piece])
    out = _SECRET_URL.sub(lambda m: f"{m.group('base')}/…masked", out)
    out = _SECRET_PATH.sub(lambda m: f"{m.group('k')}…masked", out)
    out = _USERINFO.sub(lambda m: f"{m.group('scheme')}{MASK}@", out)
    out = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{MASK}", out)
    out = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", out)
    for pattern in (_QUERY, _FORM, _JSONISH, _SIGNATURE):
        out = pattern.sub(lambda m: f"{m.group('k')}{MASK}", out)
    return out


# C0 and C1 controls (newlines, escape sequences), line/paragraph separators, bidi overrides.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")


def one_line(text: Any, *, limit: int = 300) -> str:
    """Text from elsewhere (a remote server's error body) made safe for one log line or a
    status field: control characters become a space, whitespace runs one space, and it is
    cut to `limit` characters with "…". Redact first, so no secret is cut in half."""
    flat = " ".join(_CONTROL.sub(" ", str(text)).split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


class RedactingFilter(logging.Filter):
    """A logging filter that rewrites each record's message and traceback through `redact()`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drops it."""
        scrub(record, self.secrets)
        return True


def scrub(record: logging.LogRecord, secrets: Iterable[str] = ()) -> logging.LogRecord:
    """Redact one record in place: message, arguments and exception text."""
    if getattr(record, "_redacted", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a bad format string must not hide the record
        message = f"{record.msg} {record.args}"
    record.msg = redact(message, secrets)
    record.args = None
    if record.exc_info and record.exc_info[0] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = redact(text, secrets)
        record.exc_info = None  # the exception object holds the raw text; keep only the copy
    elif record.exc_text:
        record.exc_text = redact(record.exc_text, secrets)
    if record.stack_info:
        record.stack_info = redact(record.stack_info, secrets)
    record._redacted = True  # type: ignore[attr-defined]
    return record
