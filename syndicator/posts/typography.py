"""Typographic punctuation as Jekyll's `smartify` filter (kramdown's SmartyPants) writes it.

jekyll-feed passes every title through `smartify`, so a Jekyll blog's subscribers already have
"Jekyll’s development", not "Jekyll's development": an adopted Jekyll blog keeps that title.
"""

from __future__ import annotations

import re

_OPENS_AFTER = r"(^|(?<=[\s(\[{\u2014\u2013-]))"
_RULES = (
    (re.compile(r"---"), "\u2014"),
    (re.compile(r"--"), "\u2013"),
    (re.compile(r"\.\.\.|\. \. \."), "\u2026"),
    (re.compile(_OPENS_AFTER + r'"'), "\u201c"),
    (re.compile(r'"'), "\u201d"),
    (re.compile(_OPENS_AFTER + r"'(?=\w)"), "\u2018"),
    (re.compile(r"'"), "\u2019"),
)


def smartify(text: str) -> str:
    """Straight quotes, dashes and three dots -> curly quotes, en/em dashes and an ellipsis."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
