"""Who an entry is, for feeds that get their ids wrong.

An entry's identity is its id (guid / atom:id / JSON Feed id), else its link, else a hash of
its title and date. Ids churn (http -> https, a new domain, a plugin update), so each entry also
carries its normalised link: scheme, a leading `www.`, a trailing slash, the fragment and
tracking parameters ignored. An entry whose id is new but whose normalised link was already
seen is the same post under a new name.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "_hs")
_TRACKING_KEYS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "ref_src",
                            "mkt_tok", "_ga"})


def normalise_link(url: str | None) -> str | None:
    """A link reduced to what names the page: "https://www.Ex.com/a/?utm_x=1" -> "ex.com/a"."""
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url.strip()
    if not host:
        return url.strip()
    host = host[4:] if host.startswith("www.") else host
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _tracking(k)]
    text = host + path
    return f"{text}?{urlencode(sorted(query))}" if query else text


def _tracking(key: str) -> bool:
    low = key.lower()
    return low in _TRACKING_KEYS or low.startswith(_TRACKING_PREFIXES)


def identity(*, source: str, entry_id: str | None, link: str | None, title: str | None,
             date: str | None) -> str:
    """The entry's stable key: its id, else its link, else a hash of title and date."""
    for candidate in (entry_id, link):
        if candidate and candidate.strip():
            return candidate.strip()
    digest = hashlib.sha256(f"{title or ''}\x00{date or ''}".encode("utf-8", "surrogatepass"))
    return f"urn:syndicator:{source}:{digest.hexdigest()[:32]}"


def assign_keys(items: list[tuple[str | None, str | None, str, str]], *, source: str,
                home: str | None) -> list[str]:
    """Keys for a whole feed's entries, given (id, link, title, date) each.

    Feeds get ids wrong in ways only the whole feed shows: one id used for different pages
    (then those entries are keyed by their links), or no ids and every link pointing at the
    home page (then by title and date).
    """
    ids: dict[str, set[str | None]] = {}
    links: dict[str | None, int] = {}
    for entry_id, link, _, _ in items:
        if entry_id and entry_id.strip():
            ids.setdefault(entry_id.strip(), set()).add(normalise_link(link))
        else:
            links[normalise_link(link)] = links.get(normalise_link(link), 0) + 1
    home_norm = normalise_link(home)
    keys = []
    for entry_id, link, title, date in items:
        norm = normalise_link(link)
        if entry_id and entry_id.strip() and len(ids[entry_id.strip()]) > 1 and norm:
            entry_id = None  # a repeated id naming different pages: the link tells them apart
        elif not (entry_id and entry_id.strip()) and (links.get(norm, 0) > 1 or norm == home_norm):
            link = None  # a shared link names no single entry
        keys.append(identity(source=source, entry_id=entry_id, link=link, title=title, date=date))
    return keys
