"""Fetching a feed like a good citizen: one conditional GET, bounded in size and time.

- If-None-Match / If-Modified-Since from the stored validators; a 304 costs one small request.
- gzip/deflate accepted; the size cap counts decoded bytes, so a compression bomb stops too.
- Redirects are followed by hand (at most 5): a chain of 301/308 from the start is reported
  as `moved` (the caller stores the new URL); a 302/307 anywhere is followed but not stored.
- 410 Gone, 429/503 with Retry-After and every other failure raise SourceError with the status
  and the server's wait. Messages name the host only: a feed URL may carry a private token.
"""

from __future__ import annotations

import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import requests

from .. import __version__
from ..endpoints.http import host_of, retry_after
from ..errors import SourceError

USER_AGENT = f"syndicator/{__version__} (feed poller; +https://pypi.org/project/syndicator/)"
ACCEPT = ("application/atom+xml, application/rss+xml, application/feed+json, "
          "application/json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5")
MAX_REDIRECTS = 5
CHUNK = 16 * 1024


@dataclass(frozen=True)
class Fetched:
    """One fetch: 200 with a body, or 304 (body empty). `moved`: the permanent new URL, if any."""

    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    moved: str | None = None


def new_session() -> requests.Session:
    """A session that announces syndicator and its version, and accepts gzip."""
    session = requests.Session()
    session.headers.update({"User-Agent": USER_AGENT, "Accept": ACCEPT,
                            "Accept-Encoding": "gzip, deflate"})
    # requests reads the environment's proxy settings on every request (a third of the CPU of
    # a 304); with no proxy configured there is nothing to read, so stop it looking.
    if not urllib.request.getproxies():
        session.trust_env = False
    return session


def fetch(session: requests.Session, url: str, *, etag: str | None, last_modified: str | None,
          timeout: float, max_bytes: int, now: datetime) -> Fetched:
    """GET `url` conditionally; SourceError for anything but 200 and 304."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    moved, permanent, current = None, True, url
    deadline = time.monotonic() + 3 * timeout  # a server dripping bytes cannot hold us forever
    for _ in range(MAX_REDIRECTS + 1):
        response = _get(session, current, headers, timeout)
        with response:
            if response.status_code in (301, 302, 303, 307, 308):
                target = _location(response, current)
                permanent = permanent and response.status_code in (301, 308)
                if permanent:
                    moved = target
                current = target
                continue
            return _finish(response, current, etag=etag, last_modified=last_modified,
                           moved=moved, max_bytes=max_bytes, deadline=deadline, now=now)
    raise SourceError(f"{host_of(url)}: more than {MAX_REDIRECTS} redirects")


def _get(session: requests.Session, url: str, headers: dict[str, str],
         timeout: float) -> requests.Response:
    try:
        return session.get(url, headers=headers, timeout=(timeout, timeout), stream=True,
                           allow_redirects=False)
    except requests.Timeout:
        raise SourceError(f"{host_of(url)}: timed out after {timeout:g} s") from None
    except requests.RequestException as exc:  # its message holds the full URL: not passed on
        raise SourceError(f"{host_of(url)}: cannot connect ({type(exc).__name__})") from None


def _location(response: requests.Response, current: str) -> str:
    location = response.headers.get("Location")
    if not location:
        raise SourceError(f"{host_of(current)}: redirect {response.status_code} without Location")
    target = urljoin(current, location)
    if urlsplit(target).scheme not in ("http", "https"):
        raise SourceError(f"{host_of(current)}: redirect to a non-HTTP address refused")
    return target


def _finish(response: requests.Response, url: str, *, etag: str | None, last_modified: str | None,
            moved: str | None, max_bytes: int, deadline: float, now: datetime) -> Fetched:
    status = response.status_code
    if status == 304:
        return Fetched(304, b"", response.headers.get("ETag") or etag,
                       response.headers.get("Last-Modified") or last_modified, moved)
    if status != 200:
        wait = retry_after(response, now=now)
        detail = " (gone: the feed was removed)" if status == 410 else ""
        raise SourceError(f"{host_of(url)}: HTTP {status}{detail}", status=status, retry_after=wait)
    body = _read(response, url, max_bytes=max_bytes, deadline=deadline)
    return Fetched(200, body, response.headers.get("ETag"), response.headers.get("Last-Modified"),
                   moved)


def _read(response: requests.Response, url: str, *, max_bytes: int, deadline: float) -> bytes:
    """The decoded body, refusing more than max_bytes and giving up at the deadline."""
    declared = response.headers.get("Content-Length", "")
    too_big = (f"{host_of(url)}: the feed is larger than the {_mib(max_bytes)} limit "
               "(max_bytes in its [[sources]] table)")
    if declared.isdigit() and int(declared) > max_bytes:
        raise SourceError(too_big)
    parts: list[bytes] = []
    size = 0
    try:
        for chunk in response.raw.stream(CHUNK, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise SourceError(too_big)
            if time.monotonic() > deadline:
                raise SourceError(f"{host_of(url)}: the body took too long to arrive")
            parts.append(chunk)
    except SourceError:
        raise
    except Exception as exc:  # requests, urllib3 decode and protocol errors, OSError
        raise SourceError(f"{host_of(url)}: the body could not be read ({type(exc).__name__})") \
            from None
    return b"".join(parts)


def _mib(n: int) -> str:
    return f"{n / 1048576:g} MiB"
