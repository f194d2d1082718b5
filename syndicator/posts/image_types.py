"""The MIME type a lead image's file extension names: a table of our own, the same on every machine.

`mimetypes.guess_type` reads the machine's /etc/mime.types (2-5 ms for each process that reads an
image, a tenth of `syndicator build` after an edit), and what it answers depends on that file:
without it, Python 3.11 knows no `.webp`. This table holds the image types of Python's built-in
table (what it answers on a machine with no mime.types) and the web's image formats it lacks.
An extension that names no image type has none (an image's `type` is left out of the feeds).
"""

from __future__ import annotations

# extension (lower case, with its dot) -> MIME type
IMAGE_TYPES = {
    # Python's built-in table (mimetypes._types_map_default), image/* entries
    ".avif": "image/avif", ".bmp": "image/bmp", ".gif": "image/gif", ".heic": "image/heic",
    ".heif": "image/heif", ".ico": "image/vnd.microsoft.icon", ".ief": "image/ief", ".jpe": "image/jpeg",
    ".jpeg": "image/jpeg", ".jpg": "image/jpeg", ".pbm": "image/x-portable-bitmap",
    ".pgm": "image/x-portable-graymap", ".png": "image/png", ".pnm": "image/x-portable-anymap",
    ".ppm": "image/x-portable-pixmap", ".ras": "image/x-cmu-raster", ".rgb": "image/x-rgb",
    ".svg": "image/svg+xml", ".tif": "image/tiff", ".tiff": "image/tiff", ".xbm": "image/x-xbitmap",
    ".xpm": "image/x-xpixmap", ".xwd": "image/x-xwindowdump",
    # the web's image formats that table lacks (IANA's names, as /etc/mime.types gives them)
    ".apng": "image/apng", ".jfif": "image/jpeg", ".jxl": "image/jxl", ".svgz": "image/svg+xml",
    ".webp": "image/webp",
}


def image_type(extension: str) -> str | None:
    """The MIME type of an image file with this extension (lower case, with its dot; "" for none)."""
    return IMAGE_TYPES.get(extension)
