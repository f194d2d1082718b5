"""Pelican's rules for what a post's metadata does not say: its slug and its category.

- Slug: Pelican makes it from the title (SLUGIFY_SOURCE = "title"), never from the file
  name: tags stripped, entities decoded, letters folded to ASCII, anything but letters,
  digits, spaces and '-' dropped, runs of spaces and '-' made one '-', lower-cased.
  Pelican folds with Unidecode (GPL), which also transliterates other scripts; here accents
  are dropped by Unicode decomposition and a few Latin letters that have none are spelled
  out, so a title in another script keeps syndicator's own slug (pin such ids with
  `init --feed`).
- Address: a post whose `lang` is not the site's (DEFAULT_LANG) has ARTICLE_LANG_URL's
  ("{slug}-{lang}.html"), whether or not it translates another post; ARTICLE_URL's
  {category}, {author} and {lang} are the slugs of the post's category and first author.
- Category: USE_FOLDER_AS_CATEGORY makes a post's folder its category; a post directly in
  the content folder gets DEFAULT_CATEGORY ("misc"). `init` writes both to [posts].
"""

from __future__ import annotations

import html
import posixpath
import re
import unicodedata

from ..config import Reading

_LANG = re.compile(r"[A-Za-z0-9_-]{1,35}")
_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)
_NOT_SLUG = re.compile(r"[^\w\s-]")
_DASHES = re.compile(r"[-\s]+")
# Latin letters Unicode does not decompose, as Unidecode spells them
_SPELLED = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
                          "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D",
                          "ı": "i", "ħ": "h", "Ħ": "H"})


def slug(title: str) -> str:
    """Pelican's slug of a title ("" when nothing of it is ASCII)."""
    text = " ".join(html.unescape(_TAG.sub("", title)).split())
    text = unicodedata.normalize("NFKC", text).translate(_SPELLED)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _NOT_SLUG.sub("", text).strip()
    return _DASHES.sub("-", text).lower().strip()


def category(relpath: str, reading: Reading) -> str | None:
    """The category Pelican gives a post without one: its folder's name, else the default."""
    folder = posixpath.basename(posixpath.dirname(relpath))
    if reading.folder_category and folder:
        return folder
    return reading.default_category or None


def permalink(pattern: str, reading: Reading, *, lang: str | None, site_language: str, category: str,
              author: str) -> str:
    """The post's permalink pattern with Pelican's own tokens filled in: [posts] lang_permalink for
    a post in another language, and {category}, {author}, {lang} (slugs, as Pelican's URLs have them)."""
    language = lang if lang and _LANG.fullmatch(lang) else site_language
    if reading.lang_permalink and language.lower() != site_language.lower():
        pattern = reading.lang_permalink
    for token, value in (("{category}", slug(category)), ("{author}", slug(author)), ("{lang}", language)):
        pattern = pattern.replace(token, value.replace("{", "").replace("}", ""))
    return pattern
