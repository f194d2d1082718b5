"""Issue 8 item 1, as a property: whatever one post's front matter holds (impossible dates,
out-of-range offsets and years, deep nesting, odd types, any key), the build completes, the
other posts publish, and every rejection names its file. The daemon names the file too.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import feedparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicator.build import build
from syndicator.config import load
from tests.conftest import MINIMAL_CONFIG

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
GOOD = {"2024-01-01-good-one.md": "Good one", "2024-01-02-good-two.md": "Good two"}
HOSTILE = "2024-01-03-hostile"
ISSUE_DATES = ["2025-02-29", "2025-02-30", "2025-13-01", "2025-01-01T25:61:00", "2024-02-29T24:00:00",
               "0000-01-01", "2025-01-01T10:00:00+25:00", "9999-12-31T23:59:59-12:00", "0001-01-01",
               "0001-01-01T00:00:00+14:00", "9999-12-31", "2025-06-31", "-0001-01-01", "20250101"]


@st.composite
def dates(draw) -> str:
    """A date literal, valid or not: any fields, with or without time and offset."""
    if draw(st.booleans()):
        return draw(st.sampled_from(ISSUE_DATES))
    text = f"{draw(st.integers(0, 10999)):04d}-{draw(st.integers(0, 14)):02d}-{draw(st.integers(0, 33)):02d}"
    if draw(st.booleans()):
        text += "T" + ":".join(f"{draw(st.integers(0, 62)):02d}" for _ in range(3))
        kind = draw(st.sampled_from(["", "Z", "offset"]))
        if kind == "offset":
            text += f"{draw(st.sampled_from('+-'))}{draw(st.integers(0, 30)):02d}:{draw(st.integers(0, 61)):02d}"
        else:
            text += kind
    return text


def nested(depth: int, *, toml: bool) -> str:
    """A value `depth` lists (or tables) deep."""
    if toml:
        return "[" * depth + "1" + "]" * depth
    return "{a: " * depth + "1" + "}" * depth


scalars = st.one_of(st.integers(-10**30, 10**30), st.floats(allow_nan=True), st.booleans(), st.none(),
                    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30), dates())
keys = st.sampled_from(["title", "date", "updated", "id", "slug", "summary", "author", "authors", "tags",
                        "categories", "image", "via", "license", "lang", "draft", "canonical_url", "syndicate",
                        "sources", "influences", "weird key", "date2"])


def _yaml_value(value: object) -> str:
    if isinstance(value, str):
        return value  # unquoted: a date-like string is a YAML timestamp
    if value is None:
        return "null"
    return str(value).lower() if isinstance(value, bool) else repr(value)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) and abs(value) < 2**63:
        return str(value)
    if isinstance(value, str) and value[:1].isdigit():
        return value  # a TOML date literal, valid or not
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def front_matters(draw) -> str:
    """Front matter text, YAML or TOML, with a title, dates and random other fields."""
    toml = draw(st.booleans())
    fields = {"title": draw(st.sampled_from(["Hostile", "", "[x]"])), "date": draw(dates())}
    fields.update(draw(st.dictionaries(keys, st.one_of(scalars, st.lists(scalars, max_size=3)), max_size=5)))
    lines = []
    for key, value in fields.items():
        key = f'"{key}"' if " " in key else key
        if isinstance(value, list):
            render = _toml_value if toml else _yaml_value
            text = "[" + ", ".join(render(v) for v in value) + "]"
        else:
            text = _toml_value(value) if toml else _yaml_value(value)
        lines.append(f"{key} = {text}" if toml else f"{key}: {text}")
    depth = draw(st.sampled_from([0, 0, 3, 60, 1000, 100_000]))
    if depth:
        lines.append(f"deep = {nested(depth, toml=True)}" if toml else f"deep: {nested(depth, toml=False)}")
    fence = "+++" if toml else "---"
    return f"{fence}\n" + "\n".join(lines) + f"\n{fence}\nBody text.\n"


def _site(root: Path) -> Path:
    (root / "posts").mkdir()
    for name, title in GOOD.items():
        (root / "posts" / name).write_text(f"---\ntitle: {title}\n---\nFine.\n", encoding="utf-8")
    config = root / "config.toml"
    config.write_text(MINIMAL_CONFIG, encoding="utf-8")
    return config


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=front_matters())
def test_any_front_matter_in_one_post_leaves_the_build_and_the_other_posts_alone(text):
    with tempfile.TemporaryDirectory() as tmp:
        config = load(_site(Path(tmp)))
        (config.posts_dir / f"{HOSTILE}.md").write_text(text, encoding="utf-8")
        report = build(config, now=NOW, use_cache=False)
        published = [p.title for p in feedparser.parse((config.feeds.output / "atom.xml").read_bytes()).entries]
        assert set(GOOD.values()) <= set(published), published
        for problem in report.problems:
            assert problem.path == f"posts/{HOSTILE}.md" and problem.line >= 0, str(problem)
            assert "Traceback" not in problem.message
        rejected = any(p.severity == "error" for p in report.problems)
        assert report.rejected == int(rejected)
        assert not (rejected and any(s.source == f"{HOSTILE}.md" for s in report.published))


def test_the_daemon_names_the_file_of_a_post_with_an_impossible_date(tmp_path):
    config = _site(tmp_path)
    (tmp_path / "posts" / f"{HOSTILE}.md").write_text("---\ntitle: Leap\ndate: 2025-02-29\n---\nx\n", encoding="utf-8")
    once = subprocess.run([sys.executable, "-m", "syndicator", "run", "--config", str(config), "--once"],
                          capture_output=True, text=True, timeout=60)
    assert "Traceback" not in once.stderr
    assert f"posts/{HOSTILE}.md:" in once.stderr + once.stdout
    titles = [e.title for e in feedparser.parse((tmp_path / "feeds" / "rss.xml").read_bytes()).entries]
    assert sorted(titles) == sorted(GOOD.values())
