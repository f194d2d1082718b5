"""A lead image's MIME type comes from the project's own table (posts/image_types.py): the same on
every machine, and no process reads /etc/mime.types for it (issue 12: 2-5 ms of an edit)."""

from __future__ import annotations

import mimetypes
import subprocess
import sys

from syndicator.build import load_posts
from syndicator.config import load
from syndicator.posts.image_types import IMAGE_TYPES, image_type


def test_python_s_own_image_types_are_kept() -> None:
    builtin = mimetypes.MimeTypes(filenames=())  # Python's built-in table only: no file of the machine's
    images = {ext: kind for ext, kind in builtin.types_map[True].items() if kind.startswith("image/")}
    assert len(images) > 15
    assert {ext: IMAGE_TYPES.get(ext) for ext in images} == images
    assert all(kind.startswith("image/") for kind in IMAGE_TYPES.values())


def test_lead_images_get_their_types_whatever_the_machine_knows(site, write_post) -> None:
    cases = {"w.md": ("/img/a.webp", "image/webp"), "j.md": ("/img/b.JPG?w=600#top", "image/jpeg"),
             "s.md": ("https://cdn.example/c.svg", "image/svg+xml"), "p.md": ("/files/d.pdf", None),
             "n.md": ("/img/noextension", None)}
    for name, (url, _kind) in cases.items():
        write_post(name, f"---\ntitle: {name}\ndate: 2024-05-14T09:30:00Z\nimage: {url}\n---\nBody.\n")
    posts = {p.source: p for p in load_posts(load(site), cache=None).posts}
    assert {name: posts[name].image.type for name in cases} == {name: kind for name, (_u, kind) in cases.items()}
    assert image_type(".webp") == "image/webp" and image_type("") is None


def test_reading_a_post_does_not_load_the_machine_s_table(site, write_post) -> None:
    write_post("w.md", "---\ntitle: W\ndate: 2024-05-14T09:30:00Z\nimage: /img/a.webp\n---\nBody.\n")
    script = ("import sys; from syndicator.config import load; from syndicator.build import load_posts; "
              f"[post] = load_posts(load({str(site)!r}), cache=None).posts; "
              "print(post.image.type, 'mimetypes' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["image/webp", "False"]
