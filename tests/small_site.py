"""The small two-author site the build tests write: every per-tag, per-category and per-author feed on."""
from __future__ import annotations


def site_toml(*, items: int, title: str = "Test Site", url: str = "https://test.example/",
              posts: str | None = None) -> str:
    """config.toml text for authors ann (the site's) and bob, `items` shown per feed, posts in `posts`."""
    posts_line = f'posts = "{posts}"\n' if posts is not None else ""
    return f"""
[site]
title = "{title}"
url = "{url}"
timezone = "UTC"
author = "ann"
{posts_line}
[authors.ann]
name = "Ann Author"

[authors.bob]
name = "Bob Builder"

[feeds]
output = "feeds"
items = {items}
per_tag = true
per_category = true
per_author = true
"""
