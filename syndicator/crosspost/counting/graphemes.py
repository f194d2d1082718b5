"""Counting user-perceived characters (UAX #29 grapheme clusters), bytes and UTF-16 units."""

from __future__ import annotations

from itertools import accumulate

import regex

_CLUSTER = regex.compile(r"\X")
# Unicode 15.1's rule GB9c keeps an Indic conjunct (consonant, virama, consonant) in one
# cluster. Counters built on older Unicode (Ruby's, so Mastodon's) break before the second
# consonant: "क्षत्रिय" is 3 clusters here and 5 there.
_CONJUNCT_CONSONANT = regex.compile(r"(?<!\p{Grapheme_Cluster_Break=Prepend})"
                                    r"\p{Indic_Conjunct_Break=Consonant}")


def graphemes(text: str) -> int:
    """Number of extended grapheme clusters in current Unicode (what a reader sees)."""
    return len(_CLUSTER.findall(text))


def clusters(text: str) -> list[str]:
    """The text's extended grapheme clusters, in order."""
    return _CLUSTER.findall(text)


def legacy_graphemes(text: str) -> int:
    """Clusters as counted before Unicode 15.1 (no rule GB9c): Indic conjuncts split."""
    consonants = [m.start() for m in _CONJUNCT_CONSONANT.finditer(text)]
    if not consonants:
        return graphemes(text)
    found = _CLUSTER.findall(text)
    starts = set(accumulate(map(len, found), initial=0))
    # A conjunct consonant inside a cluster was joined to it by GB9c alone.
    return len(found) + sum(c not in starts for c in consonants)


def conservative_graphemes(text: str) -> int:
    """The larger of the current and the pre-15.1 count: never fewer than either counter
    (GB9c only joins, so that is the pre-15.1 count)."""
    return legacy_graphemes(text)


def utf8_bytes(text: str) -> int:
    """Length in UTF-8 bytes."""
    return len(text.encode("utf-8", "surrogatepass"))


def utf16_units(text: str) -> int:
    """Length in UTF-16 code units (what JavaScript's .length counts)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2
