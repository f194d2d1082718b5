"""Importing a blog into the posts folder: `syndicator import SOURCE [--to DIR]`.

    source (WXR file | feed file | feed URL) -> items.ImportItem list (+ skipped counts)
        -> writer: one post file each (front matter + HTML body), never overwriting,
           new authors appended to config.toml's [authors]

wxr.py reads WordPress exports with lxml (no entity expansion, no network); feeds.py reads
RSS/Atom/JSON Feed through sources.parse. Each item keeps its original guid as `id`, so the
feeds syndicator builds give readers the ids they already have.
"""

from .run import ImportReport, import_blog

__all__ = ["ImportReport", "import_blog"]
