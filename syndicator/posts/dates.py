"""Dates as blog engines write them -> timezone-aware datetimes, or a ValueError saying why not.

Accepted: ISO 8601 / RFC 3339 and YAML timestamps (`2024-05-14`, `2024-05-14T09:30`,
`2024-05-14 09:30:00.5 -5`), Jekyll's `2025-01-29 18:15:32 +0530` (and Ruby's stray year,
`2023-01-29 18:30:22 2023 -0800`), `YYYY-MM-DD HH:MM`, `YYYY/MM/DD`, RFC 822 dates
(`Tue, 14 May 2024 09:30:00 GMT`) and dates with a month name (Astro's `Jul 08 2022`,
`July 8, 2022`, `8 July 2022`). A date without an offset is in the site's time zone.
Impossible dates (2025-02-29, 25:61, +25:00, year 0000) and dates that leave the years
1000-9999 in UTC are errors, never exceptions further up.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo

FIRST_YEAR, LAST_YEAR = 1000, 9999
HINT = "use 2024-05-14 or 2024-05-14T09:30:00+02:00"

# (The patterns here are compiled on first use, by re's own cache: `syndicator build` after an edit reads
# one post, whose dates are mostly read before any of them is needed.)
_DATE_TIME = (
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})"  # date
    r"(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"  # time
    r"(?:[ \t]+\d{4}(?=[ \t]+[-+]))?"  # Ruby's Time#to_s-like stray year before the offset
    r"[ \t]*(Z|z|UTC|GMT|[-+]\d{1,2}(?::?\d{2})?)?"  # offset
)
_NAMED_ZONES = {"Z", "z", "UTC", "GMT"}


def parse(value: object, zone: tzinfo) -> datetime:
    """A front matter value (text, date or datetime) -> aware datetime; ValueError explains a bad one."""
    if isinstance(value, datetime):
        found = value if value.tzinfo else value.replace(tzinfo=zone)
    elif isinstance(value, date):
        found = datetime.combine(value, time(), zone)
    elif isinstance(value, str):
        found = _parse_text(value.strip(), zone)
    else:
        raise ValueError(f"must be a date, not {type(value).__name__}")
    return checked(found)


def checked(found: datetime) -> datetime:
    """The datetime itself, when it and its UTC instant lie in the years 1000-9999."""
    try:
        utc = found.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise ValueError(f"{found.isoformat()} is outside the years {FIRST_YEAR}-{LAST_YEAR}") from None
    if not (FIRST_YEAR <= found.year and FIRST_YEAR <= utc.year <= LAST_YEAR):
        raise ValueError(f"{found.isoformat()} is outside the years {FIRST_YEAR}-{LAST_YEAR}")
    return found


def _parse_text(text: str, zone: tzinfo) -> datetime:
    naive, offset = _parse_cached(text)
    if offset is None:
        return naive.replace(tzinfo=zone)
    return naive.replace(tzinfo=offset)


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str) -> tuple[datetime, timezone | None]:
    """Text -> (naive datetime, fixed offset or None); cached, as many posts share a value."""
    match = re.fullmatch(_DATE_TIME, text)
    if match is None:
        return _rfc822(text)
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        when = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                        int(second or 0), int((fraction or "0")[:6].ljust(6, "0")))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date ({exc}; {HINT})") from None
    return when, _offset(offset, text)


def _offset(text: str | None, whole: str) -> timezone | None:
    if text is None:
        return None
    if text in _NAMED_ZONES:
        return timezone.utc
    digits = text[1:].replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours > 23 or minutes > 59:
        raise ValueError(f"{whole!r} has an impossible UTC offset {text} (offsets run from -23:59 to +23:59)")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)


_MONTHS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
    ("nov", "november"), ("dec", "december")), start=1) for name in names}
# Astro's starter writes `pubDate: 'Jul 08 2022'`; JavaScript's Date also reads "July 8, 2022"
# and "8 July 2022", with an optional weekday in front and a time after.
_MONTH_FIRST = (r"(?:[A-Za-z]{3,9},?\s+)?([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})"
                r"(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_DAY_FIRST = (r"(?:[A-Za-z]{3,9},?\s+)?(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})"
              r"(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def _month_named(text: str) -> datetime | None:
    found = re.fullmatch(_MONTH_FIRST, text)
    if found:
        month, day, year, *clock = found.groups()
    else:
        found = re.fullmatch(_DAY_FIRST, text)
        if found is None:
            return None
        day, month, year, *clock = found.groups()
    number = _MONTHS.get(month.lower())
    if number is None:
        return None
    hour, minute, second = (int(c or 0) for c in clock)
    try:
        return datetime(int(year), number, int(day), hour, minute, second)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date ({exc}; {HINT})") from None


def _rfc822(text: str) -> tuple[datetime, timezone | None]:
    named = _month_named(text)
    if named is not None:
        return named, None
    from email.utils import parsedate_to_datetime  # only for RFC 822 dates: a light start otherwise

    try:
        found = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        raise ValueError(f"{text!r} is not a date ({HINT})") from None
    if found.tzinfo is None:
        return found, None
    offset = found.utcoffset() or timedelta(0)
    return found.replace(tzinfo=None), timezone(offset)


_IN_PATH = r"(?:^|/)(\d{4})/(\d{2})/(\d{2})(?=/|$)|(?:^|/)(\d{4})-(\d{2})-(\d{2})(?=[-_/ .]|$)"


def in_path(path: str, zone: tzinfo) -> datetime | None:
    """The first date written into a path or URL: `2025/12/19/slug`, `2025-12-19-slug/index.md`."""
    for match in re.finditer(_IN_PATH, path):
        parts = match.groups()
        year, month, day = parts[:3] if parts[0] else parts[3:]
        try:
            return checked(datetime(int(year), int(month), int(day), tzinfo=zone))
        except ValueError:
            continue  # 2025-99-99 is a number in a name, not a date
    return None
