"""`syndicator init --from DIR`: detect, map, pin ids from the old feed, write new files only."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from ..config import Config
from ..config import load as load_config
from ..errors import UsageError
from ..posts.ids import dump_pinned
from ..posts.loader import discover, index_entries, parse_file
from . import hugo, jekyll, node, pelican, zola
from .detect import detect
from .feeds import kept_paths
from .model import Adoption
from .pin import Pinned, match, read_feed, source_name
from .write import CONFIG_NAME, IDS_NAME, config_text, fill_defaults

READERS: dict[str, Callable[[Path], Adoption]] = {
    "hugo": hugo.read, "jekyll": jekyll.read, "zola": zola.read, "eleventy": node.read_eleventy,
    "astro": node.read_astro, "pelican": pelican.read,
}


@dataclass(frozen=True)
class InitResult:
    """What init wrote and found."""

    adoption: Adoption
    config_path: Path
    ids_path: Path | None
    pinned: Pinned | None
    posts: int  # posts syndicator reads with the new config
    rejected: int


def adopt(root: Path) -> Adoption:
    """Recognise the engine and map its settings (writes nothing)."""
    if not root.is_dir():
        raise UsageError(f"--from {root}: not a folder")
    found = detect(root)
    if found is None:
        raise UsageError(f"--from {root}: no Hugo, Jekyll, Zola, Eleventy, Astro or Pelican site found "
                         "(looked for hugo.toml/config.toml, _config.yml, config.toml with base_url, "
                         "eleventy.config.js, astro.config.mjs, pelicanconf.py)")
    engine, _marker = found
    adoption = READERS[engine](root)
    fill_defaults(adoption)
    return adoption


def init_site(root: Path, *, feed: str | None, now: datetime, keep_feed_paths: bool = False) -> InitResult:
    """Write syndicator.toml (and, with a feed, the pinned ids file) beside the engine's config."""
    config_path, ids_path = root / CONFIG_NAME, root / IDS_NAME
    if _is_syndicator_site(root):
        raise UsageError(f"{root} already has syndicator's config (config.toml with [site]); nothing to do")
    for path in (config_path, ids_path) if feed else (config_path,):
        if path.exists():
            raise UsageError(f"{path} exists; init never overwrites a file (move it away to start again)")
    adoption = adopt(root)
    if keep_feed_paths and adoption.old_feeds:  # the mapping table says where each feed lands
        kept = kept_paths(adoption)
        adoption.rows.extend(kept.rows)
        adoption.gaps.extend(kept.gaps)
    pinned = None
    # A ConfigError from the config as it will be stops init before it writes anything.
    config = _trial_config(root, config_text(adoption, now=now, keep_feed_paths=keep_feed_paths))
    if feed is not None:
        data = read_feed(feed)
        pinned = match(data, feed, [(s.url, s.id) for s in _stubs(config)[0]])
        header = (f"Entry ids as {adoption.engine.capitalize()} published them in {source_name(feed)}, "
                  f"pinned by `syndicator init` on {now:%Y-%m-%d}.\nKeep this file under version "
                  "control: feed readers know each post by this id.")
        _create(ids_path, dump_pinned(pinned.pairs, header=header))
    text = config_text(adoption, now=now, ids_file=IDS_NAME if pinned else None,
                       keep_feed_paths=keep_feed_paths)
    _create(config_path, text)
    stubs, problems = _stubs(load_config(config_path))
    rejected = len({p.path for p in problems if p.severity == "error"})
    return InitResult(adoption, config_path, ids_path if pinned else None, pinned, len(stubs), rejected)


def _is_syndicator_site(root: Path) -> bool:
    try:
        return "site" in tomllib.loads((root / "config.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


def _create(path: Path, text: str) -> None:
    """Write a new file; never replace one (O_EXCL)."""
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{path} exists; init never overwrites a file") from None


def _trial_config(root: Path, text: str) -> Config:
    """The config as it will be, loaded from a hidden file that is removed at once."""
    trial = root / f".syndicator-init-{os.getpid()}.toml"
    _create(trial, text)
    try:
        return load_config(trial)
    finally:
        trial.unlink()


def _stubs(config: Config):
    files, _notes = discover(config)
    entries = {rel: parse_file(config, rel)[0] for rel in sorted(files)}
    return index_entries(config, entries)
