"""Hostile front matter: impossible dates, deep nesting, huge lists, unsafe URLs. Each is a
`path:line` problem or a dropped field with a warning, never a traceback, and the other posts publish."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicator.build import build, load_posts
from syndicator.config import load
from syndicator.errors import PostError
from syndicator.posts.reader import read


def _read(config, text: str, name: str = "post.md"):
    return read(config, name, text.encode("utf-8"), display=f"posts/{name}")


@pytest.mark.parametrize("value", [
    "2025-02-29", "2025-02-30", "2025-13-01", "2025-01-01T25:61:00", "2024-02-29T24:00:00", "0000-01-01",
    "2025-01-01T10:00:00+25:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+01:00",
    "'2025-02-29 10:00:00 +0100'", "2025-01-01 10:00 +2400",
])
@pytest.mark.parametrize("fence", ["yaml", "toml"])
def test_impossible_dates_are_a_problem_at_their_line(site, value, fence):
    if fence == "yaml":
        text = f"---\ntitle: T\ndate: {value}\n---\nx\n"
    else:
        quoted = value if "'" in value else (f'"{value}"' if " " in value else value)
        text = f'+++\ntitle = "T"\ndate = {quoted}\n+++\nx\n'
    with pytest.raises(PostError) as caught:
        _read(load(site), text)
    assert caught.value.line == 3, caught.value.message
    assert caught.value.message.startswith(("date: ", "invalid TOML"))


def test_toml_nested_100000_deep_is_a_problem_not_a_recursion_error(site):
    with pytest.raises(PostError, match="nested too deeply") as caught:
        _read(load(site), "+++\ntitle = \"T\"\na = " + "[" * 100_000 + "\n+++\nx\n")
    assert caught.value.line >= 1


@pytest.mark.parametrize("fence", ["---", "+++"])
def test_nesting_deeper_than_the_limit_is_a_problem_at_its_key(site, fence):
    deep = "[" * 51 + "]" * 51
    sep = ":" if fence == "---" else " ="
    title = "title: T" if fence == "---" else 'title = "T"'
    with pytest.raises(PostError, match=r"nested more than 50 deep \(\[limits\] max_nesting\)") as caught:
        _read(load(site), f"{fence}\n{title}\ndate{sep} 2024-01-01\ndeep{sep} {deep}\n{fence}\nx\n")
    assert caught.value.line == 4
    ok, _ = _read(load(site), f"{fence}\n{title}\ndate{sep} 2024-01-01\nextra{sep} {'[' * 50 + ']' * 50}\n{fence}\nx\n")
    assert ok.title == "T"


def test_yaml_alias_bomb_is_walked_once_per_object(site):
    lines = ["---", "title: T", "date: 2024-01-01", "a0: &a0 [x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 40)]
    post, _ = _read(load(site), "\n".join(lines + ["---", "x", ""]))
    assert post.title == "T"


def test_more_than_200_tags_is_a_problem_at_the_tags_line(site):
    tags = ", ".join(f"t{i}" for i in range(201))
    with pytest.raises(PostError, match=r"201 tags and categories, over the limit of 200") as caught:
        _read(load(site), f"---\ntitle: T\ndate: 2024-01-01\ntags: [{tags}]\n---\nx\n")
    assert caught.value.line == 4


def test_front_matter_over_1_mb_and_posts_over_the_limit(site):
    big = "---\ntitle: T\ndate: 2024-01-01\npad: '" + "x" * (1024 * 1024) + "'\n---\nx\n"
    with pytest.raises(PostError, match=r"front matter is over the limit of 1,048,576 bytes"):
        _read(load(site), big)
    site.write_text(site.read_text(encoding="utf-8") + "\n[limits]\nmax_post_bytes = 1000\n", encoding="utf-8")
    with pytest.raises(PostError, match=r"over the limit of 1,000 \(\[limits\] max_post_bytes\)"):
        _read(load(site), "---\ntitle: T\ndate: 2024-01-01\n---\n" + "y" * 2000)


def test_configured_limits_are_used(site):
    site.write_text(site.read_text(encoding="utf-8") + "\n[limits]\nmax_tags = 2\nmax_nesting = 2\n",
                    encoding="utf-8")
    config = load(site)
    with pytest.raises(PostError, match="3 tags and categories, over the limit of 2"):
        _read(config, "---\ntitle: T\ndate: 2024-01-01\ntags: [a, b]\ncategory: c\n---\nx\n")
    with pytest.raises(PostError, match="nested more than 2 deep"):
        _read(config, "---\ntitle: T\ndate: 2024-01-01\nx: [[[1]]]\n---\nx\n")


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "JavaScript:alert(1)", " java\tscript:alert(1)",
                                 "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x", "file:///etc/passwd"])
def test_only_http_https_and_relative_urls_are_kept_from_front_matter(site, bad):
    text = f"""---
title: T
date: 2024-01-01
image:
  url: "{bad}"
via: "{bad}"
license: "{bad}"
canonical_url: "{bad}"
influences:
  - {{name: I, url: "{bad}"}}
  - {{name: Good, url: /ok/}}
author:
  - {{name: Eve, url: "{bad}", avatar: "{bad}"}}
---
x
"""
    post, warnings = _read(load(site), text)
    assert post.image is None and post.via is None and post.license is None and post.canonical_url is None
    assert [(i.name, i.url) for i in post.influences] == [("I", None), ("Good", "https://test.example/ok/")]
    assert post.authors[0].url is None and post.authors[0].avatar is None
    assert post.url.startswith("https://test.example/")
    messages = [w.message for w in warnings]
    assert len(messages) == 7 and all("URL is not allowed (only http, https and relative URLs)" in m
                                      for m in messages)
    lines = sorted(w.line for w in warnings)
    assert lines == [4, 6, 7, 8, 9, 12, 12]


def test_safe_urls_are_kept(site):
    post, warnings = _read(load(site), "---\ntitle: T\ndate: 2024-01-01\nimage: //cdn.example/a.png\n"
                                       "via: http://x.example/\nlicense: ./LICENSE\n---\nx\n")
    assert post.image.url == "https://cdn.example/a.png"
    assert post.via.url == "http://x.example/"
    assert post.license == "https://test.example/LICENSE"
    assert warnings == []


def test_toml_error_at_the_end_of_the_front_matter_carries_its_real_line(site):
    with pytest.raises(PostError) as caught:
        _read(load(site), '+++\ntitle = "T"\ndate = 2024-01-01\ntags = ["a",\n+++\nx\n')
    assert caught.value.line == 4
    assert "at end of document" not in caught.value.message


_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}[0-9:TZ +-]*")
_VALUES = st.one_of(
    st.text(max_size=30), st.integers(), st.booleans(), st.none(),
    st.dates().map(str), st.datetimes().map(lambda d: d.isoformat(sep=" ")),
    st.from_regex(r"[0-9]{4}-[0-3][0-9]-[0-3][0-9]([ T][0-2][0-9]:[0-6][0-9](:[0-6][0-9])?)?( ?[-+][0-2][0-9]:?[0-5][0-9]|Z)?",
                  fullmatch=True),
    st.lists(st.text(max_size=5), max_size=3),
)
_KEYS = st.sampled_from(["date", "updated", "lastmod", "publishDate", "expiryDate", "tags", "category", "author",
                         "image", "cover", "slug", "permalink", "path", "draft", "published", "summary",
                         "via", "license", "title", "build", "images"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=st.dictionaries(_KEYS, _VALUES, max_size=6))
def test_any_front_matter_builds_and_every_rejection_names_its_file(site, write_post, front):
    import json
    import shutil

    shutil.rmtree(site.parent / "posts")
    write_post("2024-01-01-good.md", "---\ntitle: Good\n---\nfine\n")
    def written(value):  # date-like text unquoted, so YAML and TOML read it as a date
        return value if isinstance(value, str) and _DATE_LIKE.fullmatch(value) else json.dumps(value)

    body = "\n".join(f"{k}: {written(v)}" for k, v in front.items())
    write_post("2024-01-02-fuzz.md", f"---\n{body}\n---\nx\n")
    write_post("fuzz.toml.md", "+++\n" + "\n".join(f"{k} = {written(v)}" for k, v in front.items()
                                                 if v is not None) + "\n+++\nx\n")
    config = load(site)
    result = load_posts(config, cache=None)
    assert "2024-01-01-good.md" in {p.source for p in result.posts}
    for problem in result.problems:
        assert problem.path.startswith("posts/") and problem.line >= 1
    report = build(config, now=datetime(2030, 1, 1, tzinfo=timezone.utc), use_cache=False)
    assert "2024-01-01-good.md" in {s.source for s in report.published}
