"""The scan worker's per-post shortcuts (issue 12) give exactly what the work they skip gives: each is
checked against the full computation, or against the formula it replaced, on generated input."""

from __future__ import annotations

import copy
import dataclasses
import os
import re
from datetime import datetime
from pathlib import Path
from unittest import mock

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndicator.config import load
from syndicator.errors import PostError
from syndicator.model import Image, Post, Syndication
from syndicator.posts import attribution, dialects, flatyaml, frontmatter, media, pelican_rules, reader, slugs
from syndicator.posts.fields import Fields, Warning_, dedupe, warning
from syndicator.posts.image_types import image_type
from syndicator.posts.frontmatter import Split
from syndicator.posts.loader import PostFiles, Problem, display_path, parse_file
from syndicator.posts.urls import extension

_CONFIG = load(Path(__file__).parent.parent / "config.toml")  # the example site's config: two authors
_ROLE_KEYS = [name for names in dialects.ROLES.values() for name in names]
_KEY = st.sampled_from(_ROLE_KEYS + ["Title", "DATE", "PublishDate", "Tags", "image_credit", "weight", "",
                                     "published", "headless", "status", "build", "_build", "Status",
                                     "eleventyExcludeFromCollections", "taxonomies", "genre"])


# --- slugs: text that is already a slug is given back without NFKC, casefold and regex work ---

@settings(max_examples=3000, deadline=None)
@given(st.text(st.sampled_from(list("abz09-_. AZé\u00c5\ufb01\u0130ß")), max_size=90))
@example("a" * 80)
@example("a" * 81)
@example("a-b--c")
@example("-a")
@example("ﬁle")  # NFKC makes 'fi' of it
def test_slugify_equals_the_full_computation(text: str) -> None:
    assert slugs.slugify(text) == slugs._slugified(text)


def test_a_file_name_that_is_a_slug_takes_the_short_way() -> None:
    assert slugs._SLUG.fullmatch("a-boring-guide-to-archives-2")
    assert slugs.slugify("a-boring-guide-to-archives-2") == "a-boring-guide-to-archives-2"


# --- dialects: a post's keys classified once per distinct list of keys ---

def _classify_in_full(meta: dict) -> tuple[dict, dict]:
    """The formula classify() had before it was cached: first spelling wins, best rank first."""
    keys: dict[str, str] = {}
    roles: dict[str, list[str]] = {}
    for key in meta:
        low = key.lower()
        if low in keys:
            continue
        keys[low] = key
        for role, names in dialects.ROLES.items():
            if low in names:
                roles.setdefault(role, []).append(key)
    for found in roles.values():
        found.sort(key=lambda k: next(names.index(k.lower()) for names in dialects.ROLES.values()
                                      if k.lower() in names))
    return keys, {role: tuple(found) for role, found in roles.items()}


@settings(max_examples=1500, deadline=None)
@given(st.lists(_KEY, max_size=10, unique=True))
def test_classify_equals_the_full_formula(keys: list[str]) -> None:
    meta = dict.fromkeys(keys, "x")
    assert dialects.classify(meta) == _classify_in_full(meta)
    assert dialects.classify(dict(meta)) is dialects.classify(meta)  # once per list of keys: shared


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(_KEY, st.sampled_from([True, False, None, "", "draft", " Hidden ", "true", "x",
                                              {"list": "never"}, {"List": False}, {"render": "always"}]),
                       max_size=6))
@example({"": False})  # an absent key looks up "": a key "" decides then
@example({"": True, "headless": "x"})
def test_hidden_equals_the_full_check(meta: dict) -> None:
    keys, _roles = dialects.classify(meta)
    assert dialects.hidden(meta, keys) == dialects._hides(meta, keys)


# --- reader: unknown keys, taxonomies, the Post's state ---

def _taxonomies_in_full(fields: Fields, relpath: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """reader._taxonomies as it was before its shortcuts (the formula, step by step)."""
    found: dict[str, list[str]] = {"tags": [], "categories": []}
    for target in ("tags", "categories"):
        for key in fields.role(target):
            found[target] += fields.names(key)
    table = fields.meta.get(fields.keys.get("taxonomies", ""))
    table = table if isinstance(table, dict) else {}
    for target in ("tags", "categories"):
        if target in table:
            found[target] += fields.names("taxonomies", table[target])
    for key, target in fields.config.reading.taxonomies:
        found[target] += fields.names(fields.key(key.lower()))
        found[target] += fields.names("taxonomies", table.get(key))
    if not found["categories"] and (folder := pelican_rules.category(relpath, fields.config.reading)):
        found["categories"].append(folder)
    tags, categories = dedupe(found["tags"]), dedupe(found["categories"])
    if len(tags) + len(categories) > 3:  # the limit, as the test's config sets it
        raise fields.fail(([*fields.role("tags")] + [*fields.role("categories")] + ["tags"])[0], "over")
    return tags, categories


_NAMES = st.one_of(st.none(), st.just(""), st.sampled_from(["a", "b c", "a, b", "x  y", 7]),
                   st.lists(st.sampled_from(["a", "b", "a", " c ", "", 3, True]), max_size=3))


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(st.sampled_from(["tags", "Tag", "categories", "category", "genre", "Series", "title"]), _NAMES,
                       max_size=4),
       st.one_of(st.none(), st.dictionaries(st.sampled_from(["tags", "categories", "genre", "Series"]), _NAMES,
                                            max_size=3)),
       st.sampled_from([(), (("genre", "categories"),), (("series", "tags"), ("genre", "categories"))]),
       st.sampled_from(["", "jekyll", "pelican"]), st.booleans(), st.sampled_from(["", "Misc"]),
       st.sampled_from(["a.md", "travel/b.md"]))
def test_taxonomies_equal_the_full_formula(meta, table, taxonomies, engine, folder_category, default, relpath) -> None:
    if table is not None:
        meta = {**meta, "taxonomies": table}
    reading = dataclasses.replace(_CONFIG.reading, taxonomies=taxonomies, engine=engine,
                                  folder_category=folder_category, default_category=default)
    config = dataclasses.replace(_CONFIG, reading=reading, limits=dataclasses.replace(_CONFIG.limits, max_tags=3))
    fields = Fields(config, Split(meta=meta, body="", body_line=3, raw_meta=""), "p.md")
    try:
        expected = _taxonomies_in_full(fields, relpath)
    except PostError as exc:
        with pytest.raises(PostError) as raised:
            reader._taxonomies(fields, relpath)
        assert (raised.value.line, raised.value.message.split(":")[0]) == (exc.line, exc.message.split(":")[0])
        return
    assert reader._taxonomies(fields, relpath) == expected


_POST = ('---\ntitle: "A boring guide"\ndate: 2021-03-03T13:24:42+02:00\nauthor: maya\ntags: ["a", "b"]\n'
         'image: "https://x.example/a.jpg"\nimage_credit: "L"\ninfluences:\n  - "Ada Lovelace"\n---\n\nBody.\n')


def test_a_post_is_what_its_constructor_makes() -> None:
    """The reader sets a Post's state at once: the same fields, in the same order, as Post(...) gives."""
    assert not hasattr(Post, "__post_init__")  # else setting the state at once would skip it
    post, _warnings = reader.read(_CONFIG, "a-post.md", _POST.encode(), display="a-post.md")
    made = Post(**vars(post))
    assert post == made and list(vars(post)) == list(vars(made)) == list(Post.__dataclass_fields__)
    assert post.body == "\nBody.\n" and post.slug == "a-post"


def test_warnings_are_shared_and_equal() -> None:
    assert warning(9, "unknown front matter key 'x'") == Warning_(9, "unknown front matter key 'x'")
    assert warning(9, "m") is warning(9, "m")
    _post, first = reader.read(_CONFIG, "a.md", _POST.encode(), display="a.md")
    _post, again = reader.read(_CONFIG, "b.md", _POST.encode(), display="b.md")
    assert first == again == [Warning_(7, "unknown front matter key 'image_credit'")]
    assert first[0] is again[0]


# --- front matter: lines read once per distinct line, the body cut when read ---

@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(['tags: ["a", "b"]', "tags: [a, b]", "image: {url: a.jpg, alt: b}", "author: maya",
                                 "influences:", '  - "Ada"', "  - Bo", "date: 2021-03-03", "n: 7", "x: [1]"]),
                min_size=1, max_size=6))
def test_lines_read_once_give_each_document_its_own_lists_and_tables(lines: list[str]) -> None:
    text = "\n".join(lines)
    first = flatyaml.load(text)
    if first is None:
        return
    kept = copy.deepcopy(first)
    for value in first.values():  # a reader that changes what it was given changes only its own copy
        if isinstance(value, list):
            value.append("changed")
        elif isinstance(value, dict):
            value["changed"] = 1
    again = flatyaml.load(text)
    assert again == kept == yaml.load(text, Loader=yaml.CSafeLoader)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(['title: "{}"', "title: {}", "tags: [{}, b]", "list:\n  - {}"]),
       st.integers(4100, 4300), st.sampled_from(["x", "é", "a b"]))
def test_long_front_matter_not_kept_reads_as_short(shape: str, length: int, char: str) -> None:
    text = 'author: maya\ntags: ["a", "b"]\n' + shape.format((char * length)[:length])
    assert len(text) > flatyaml._CACHED_TEXT  # read line by line afresh, not kept
    found = flatyaml.load(text)
    assert found is not None and found == yaml.load(text, Loader=yaml.CSafeLoader)
    lines = text.split("\n")
    assert found == flatyaml._mapping(lines, flatyaml._entry, flatyaml._item)[0]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["---\n", "---yaml\n", "+++\n"]), st.sampled_from(["a: 1\n", "title = 'x'\n", 'a: "b"\n']),
       st.text(st.sampled_from(list("ab\n-+ é")), max_size=12))
def test_a_split_with_its_body_cut_when_read_equals_one_made_whole(fence: str, meta: str, body: str) -> None:
    closing = "+++" if fence == "+++\n" else "---"
    text = f"{fence}{meta}{closing}\n{body}"
    try:
        parts = frontmatter.split(text, "p.md")
    except PostError:
        return
    whole = Split(meta=parts.meta, body=text.split(f"\n{closing}\n", 1)[1] if f"\n{closing}\n" in text else "",
                  body_line=parts.body_line, raw_meta=parts.raw_meta, kind=parts.kind, key_lines=parts.key_lines)
    assert parts == whole and parts.body == whole.body
    assert dataclasses.replace(parts, meta={}) == dataclasses.replace(whole, meta={})
    with pytest.raises(AttributeError):
        parts.no_such_field  # noqa: B018 - only `body` is made on demand


# --- loader: the per-task file context ---

def test_post_files_parse_as_parse_file_and_name_files_as_display_path(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[site]\ntitle = "T"\nurl = "https://e.example/"\nposts = "content/posts"\n')
    posts = tmp_path / "content" / "posts"
    (posts / "sub").mkdir(parents=True)
    (posts / "good.md").write_text(_POST)
    (posts / "sub" / "bad.md").write_text("---\ntitle: x\ndate: 2025-02-30\n---\nb\n")
    (posts / "binary.md").write_bytes(b"\x00\x01")
    config = load(tmp_path / "config.toml")
    files = PostFiles.of(config)
    for rel in ("good.md", "sub/bad.md", "binary.md", "missing.md"):
        entry, post = files.parse(rel)
        assert (entry, post) == parse_file(config, rel)
        assert entry[3] and {problem.path for problem in entry[3]} == {display_path(config, rel)}
        assert all(type(p) is Problem and p == Problem(*p) for p in entry[3])
        assert files.folder + rel == os.path.join(config.posts_dir, rel)


# --- second round: per-line printable checks, RFC 3339 stamps, each field of a Post as its helper gives it ---

_CONTROL = st.sampled_from(list("ab: -\"[]") + ["\x07", "\x0b", "\x85", "\u2028", "\ufeff", "\x7f", "é", "\t", "\r"])


def _printable_before(text: str) -> bool:
    """The whole-document check load_lines made before it checked each line where it reads it."""
    return text.replace("\n", "").isprintable() or (not text.isascii() and bool(re.fullmatch(flatyaml._PRINTABLE, text)))


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["title: x", "tags:", "  - a", "img:", "  url: b", "", "  ", "k: [a, b]"]), min_size=1,
                max_size=5), st.integers(0, 4), st.text(_CONTROL, max_size=3))
def test_a_document_with_a_character_libyaml_refuses_is_declined(lines: list[str], at: int, extra: str) -> None:
    lines = list(lines)
    at = min(at, len(lines) - 1)
    lines[at] += extra
    text = "\n".join(lines)
    if not _printable_before(text):
        assert flatyaml.load_lines(text) is None
    elif flatyaml.load(text) is not None:
        assert flatyaml.load(text) == yaml.load(text, Loader=yaml.CSafeLoader)


@settings(max_examples=2000, deadline=None)
@given(st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.integers(0, 25), st.integers(0, 61),
       st.integers(0, 61), st.sampled_from(["T", "t", " "]),
       st.sampled_from(["", "Z", "z", "+02:00", "-05:30", " +01:00", "+0200", "+24:00"]), st.sampled_from(["", "٣"]))
def test_rfc3339_stamps_read_in_one_step_as_the_stamp_branch_reads_them(y, mo, d, h, mi, s, sep, zone, digit) -> None:
    raw = f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}{zone}".replace("0", digit or "0", 1)
    try:
        fast = flatyaml._number_or_time(raw)
    except (ValueError, OverflowError) as exc:
        fast = type(exc)
    with mock.patch.object(flatyaml, "_RFC3339", re.compile("(?!)")):  # the one-step branch never taken
        try:
            slow = flatyaml._number_or_time(raw)
        except (ValueError, OverflowError) as exc:
            slow = type(exc)
    assert fast == slow and type(fast) is type(slow)
    if isinstance(fast, datetime):
        assert fast.utcoffset() == slow.utcoffset()


_WORD = st.sampled_from(["x", "Café", "a b", "https://x.example/a.jpg", "/img/b.png", "javascript:x()", ""])
_META = st.fixed_dictionaries(
    {"title": st.sampled_from(["T", "A title"]), "date": st.sampled_from(["2021-03-03T13:24:42+02:00", "2021-03-03"])},
    optional={"updated": st.sampled_from(["2021-04-01", "", None, "bad"]), "lang": _WORD, "Language": _WORD,
              "canonical_url": _WORD, "canonicalURL": _WORD, "image": _WORD | st.lists(_WORD, max_size=2),
              "cover": _WORD, "sources": st.lists(_WORD, max_size=2) | st.none(), "via": _WORD | st.none(),
              "license": _WORD | st.none(), "expiryDate": st.sampled_from(["2030-01-01", "", None]),
              "syndicate": st.booleans(), "permalink": st.sampled_from(["/own/", "", "/x/{{ y }}"]),
              "url": st.sampled_from(["/u/", None])})


@settings(max_examples=600, deadline=None)
@given(_META, st.sampled_from(["a-post.md", "2021-03-03-dated.md", "folder/index.md"]))
def test_each_field_of_a_post_is_what_its_helper_gives(meta: dict, relpath: str) -> None:
    """_post skips the helpers of roles a post has no key for: each field still equals the helper's answer."""
    fields = Fields(_CONFIG, Split(meta=dict(meta), body="b", body_line=5, raw_meta=""), relpath)
    try:
        post = reader._post(fields, relpath, "d", False)
    except (PostError, reader.NotAPost) as exc:
        with pytest.raises(type(exc)):
            reader._post(Fields(_CONFIG, Split(meta=dict(meta), body="b", body_line=5, raw_meta=""), relpath),
                         relpath, "d", False)
        return
    again = Fields(_CONFIG, Split(meta=dict(meta), body="b", body_line=5, raw_meta=""), relpath)
    own = reader._own_address(again)[1]
    assert post.lang == again.text(again.first("lang")[0])
    assert post.canonical_url == again.url(*reader._canonical(again))
    assert post.updated == (reader._dated(again, "updated") or post.published)
    assert post.expires == reader._dated(again, "expires")
    assert post.sources == reader.links(again, "sources", "title")
    assert post.via == attribution.via(again) and post.syndicate == Syndication(enabled=meta.get("syndicate", True))
    again.url("license", meta.get("license"))
    if relpath != "folder/index.md":
        assert post.image == media.image(again, again.base)
    elif post.canonical_url is None:  # a page bundle's images resolve against its own address
        assert post.image == media.image(again, reader._resolver(post.url))
    else:
        media.image(again, reader._resolver(own or post.url))  # for its warnings
    key = lambda w: (w.line, w.message)  # noqa: E731
    assert sorted(fields.warnings, key=key) == sorted(again.warnings, key=key)  # the helpers warn as _post did


@settings(max_examples=1000, deadline=None)
@given(st.text(st.sampled_from(list("ab.?#/jJpP")), max_size=12))
def test_an_image_type_is_found_as_before(url: str) -> None:
    assert media._type_of(url) == image_type(extension(url.split("?", 1)[0].split("#", 1)[0]).lower())
    made = media._image(url, "image/png")
    assert made == Image(url=url, type="image/png") and list(vars(made)) == list(Image.__dataclass_fields__)
