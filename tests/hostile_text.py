"""A seeded generator of hostile post text for the platform reference tests.

Emoji with skin-tone modifiers and ZWJ sequences, flags, combining marks, CJK, RTL with
marks, Indic conjuncts, @mentions, hashtags, and URLs with parentheses, queries, odd endings
and TLDs twitter-text does not know (.music, .kids, .spa, .amazon) or that are reserved (.test).
"""

from __future__ import annotations

import random

WORDS = [
    "the", "quick", "brown", "fox", "Überraschung", "naïve", "café", "👍🏽", "👩🏾‍💻", "👨‍👩‍👧‍👦",
    "🏳️‍🌈", "🇸🇪🇯🇵", "❤️", "e\u0301\u0302\u0303", "Z\u0351\u0352\u0353\u0354\u0355",
    "漢字", "かなカナ", "한국어", "עִבְרִית", "العَرَبِيَّة", "क्षत्रिय", "हिन्दी", "தமிழ்", "ক্ষমা",
    "ශ්‍රී", "ข้าว", "\u200d", "\ufe0f", "—", "…", "«quoted»", "(parens)", "\"quote\"",
    "@ann@example.social", "@bob", "#tag", "#日本", "$cash", "1/2", "x_y", "a+b=c", "e-mail",
]
URLS = [
    "https://en.wikipedia.org/wiki/Mercury_(planet)", "https://example.com/a_(b_(c))",
    "https://example.music/track", "https://shop.amazon/x", "https://fun.kids/", "https://day.spa",
    "https://site.test/page", "https://example.com/search?q=a+", "https://example.com/path=",
    "https://example.com/wiki/Foo_(bar", "https://example.com@host", "https://example.com/?q=(1)",
    "http://sub.example.co.uk/p?x=1&y=2#frag", "https://例え.jp/パス", "https://t.co/abcdef",
    "https://example.com/" + "a" * 80, "https://xn--bcher-kva.example/", "https://EXAMPLE.ORG/Up",
    "https://example.com:8080/p.", "https://example.com/p!", "https://example.com/~user/",
    "https://a-b.c_d.example.net/x-y", "gemini://example.org/x", "https://example.xyz/%20",
    "https://example.com/?q=日本", "https://example.com/p?q=a|b", "http://192.168.0.1/x",
    "https://sub.domain.onion/x", "https://example.local/x", "https://example.c/x",
]
GLUE = ["", "", "", " ", "(", ")", ".", ",", "!", "?", "\"", "'", "“", "”", "«", "»", ":", ";",
        "@", "#", "/", "=", "+", "\n", "\u00a0", "\u3000", "x"]


def hostile_text(rng: random.Random, *, words: int) -> str:
    """A run of hostile words and URLs glued by spaces, punctuation and odd separators."""
    out = []
    for _ in range(words):
        piece = rng.choice(URLS) if rng.random() < 0.25 else rng.choice(WORDS)
        out.append(rng.choice(GLUE) + piece + rng.choice(GLUE))
        out.append(" " if rng.random() < 0.8 else rng.choice(GLUE))
    return "".join(out).strip()


def hostile_parts(rng: random.Random) -> dict[str, object]:
    """Template values for one post: title, summary, url, hashtags."""
    return {
        "title": hostile_text(rng, words=rng.randint(1, 12)),
        "summary": hostile_text(rng, words=rng.randint(5, 160)),
        "url": rng.choice(URLS),
        "hashtags": tuple(rng.sample(["#Python", "#日本語", "#Café", "#क्षत्रिय", "#a\u0301b",
                                      "#MachineLearning", "#👍"], rng.randint(0, 5))),
    }
