"""Adoption -> the text of syndicator's config (TOML), with the gaps filled by safe defaults."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import TOP_LEVEL
from ..config_text import author_table, toml_string
from .feeds import ROOT_URL, kept_paths
from .model import Adoption

CONFIG_NAME = "syndicator.toml"
IDS_NAME = "syndicator-ids.toml"
_SITE_ORDER = ("title", "url", "description", "language", "timezone", "copyright", "author", "posts",
               "permalink", "ids", "ids_file", "state_dir")


def toml_value(value: Any) -> str:
    """A TOML literal for a string, bool, number or a flat table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_string(str(k))} = {toml_value(v)}" for k, v in sorted(value.items())) + " }"
    return toml_string(str(value))


def output_folder(a: Adoption) -> str:
    """A feeds folder that no engine build overwrites or publishes by itself."""
    name = "_syndicator-feeds" if a.engine == "jekyll" else "syndicator-feeds"
    engine_out = Path(a.engine_output.strip("/") or "public")
    if engine_out.parts and engine_out.parts[0] == name:  # never inside the engine's output
        name = "syndicator-feeds-out"
    return name


def fill_defaults(a: Adoption) -> None:
    """Required values the engine's config did not give, each recorded as a gap."""
    if not a.site.get("title"):
        a.put("title", a.root.resolve().name, "the folder's name")
        a.gap("title", "the engine's config has none; used the folder's name")
    if not str(a.site.get("url", "")).startswith(("http://", "https://")):
        a.gap("url", "the engine's config has no absolute site address; set [site] url before publishing")
        a.put("url", "https://example.invalid/", "placeholder")
    elif not str(a.site["url"]).endswith("/"):
        a.site["url"] = str(a.site["url"]) + "/"
    tz = a.site.get("timezone")
    if tz:
        try:
            ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError):
            a.gap(f"timezone {tz!r}", "not a known time zone name; used UTC")
            a.site.pop("timezone")
    if a.site.get("permalink") and "{slug}" not in str(a.site["permalink"]):
        a.gap(f"permalink {a.site['permalink']!r}", "has no part for the post's name; used /{year}/{month}/{slug}/")
        a.site["permalink"] = "/{year}/{month}/{slug}/"
    a.site["ids"] = a.id_rule


def config_text(a: Adoption, *, now: datetime, ids_file: str | None = None,
                keep_feed_paths: bool = False) -> str:
    """syndicator.toml for this adoption."""
    site = dict(a.site)
    taxonomies = site.pop("taxonomies", None)
    separator = site.pop("excerpt_separator", None)
    variables = site.pop("site_variables", None)
    if ids_file:
        site["ids_file"] = ids_file
    lines = [f"# syndicator's config for this {a.engine.capitalize()} site, written by "
             f"`syndicator init` on {now:%Y-%m-%d}.",
             f"# It reads the posts as {a.engine.capitalize()} writes them and edits none of them. "
             "Every key is in README.md.", "", "[site]"]
    lines += [f"{k} = {toml_value(site[k])}" for k in _SITE_ORDER if site.get(k) not in (None, "")]
    if "posts" in TOP_LEVEL:  # [posts]: how to read the engine's front matter (issue 10, section 1)
        lines += ["", "[posts]", f"engine = {toml_value(a.engine)}"]
        if taxonomies:
            lines.append(f"taxonomies = {toml_value(taxonomies)}")
        if separator:
            lines.append(f"excerpt_separator = {toml_value(separator)}")
        if variables:
            lines.append(f"site_variables = {toml_value(variables)}")
        lines += [f"{k} = {toml_value(v)}" for k, v in sorted(a.reading.items())]
    for entry in a.authors:
        lines += ["", *author_table(entry.key, entry.name, {k: getattr(entry, k) for k in
                                                            ("url", "email", "avatar", "bio")})]
    lines += ["", "[feeds]", f"output = {toml_value(output_folder(a))}"]
    if a.feed_items:
        lines.append(f"items = {a.feed_items}")
    kept = kept_paths(a).settings if keep_feed_paths and a.old_feeds else {}
    if kept:  # published at the site's root, each feed where the old engine had it
        lines += [f"url = {toml_value(ROOT_URL)}", "", "[feeds.paths]"]
        lines += [f"{k} = {toml_value(v)}" for k, v in kept.items()]
    return "\n".join(lines) + "\n"
