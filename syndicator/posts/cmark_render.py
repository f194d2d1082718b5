"""GitHub-flavoured Markdown -> HTML through cmark-gfm, freeing what cmark allocates.

`cmarkgfm.github_flavored_markdown_to_html` never frees the document tree nor the HTML string
cmark returns: about 60 KB per post that a worker process keeps until it ends (a render worker
renders hundreds of bodies), and fresh pages cost page faults. `to_html` makes the same calls
(the same options, the same five extensions, in the same order) and frees both: cmark_node_free
from the library itself and the C library's free for the string (cmark's default allocator is
calloc/free), through ctypes, since cmarkgfm's cffi module does not expose them. Where they
cannot be loaded, cmarkgfm's own function does the work. tests/test_cmark_render.py holds the
output equal to cmarkgfm's on generated and real Markdown. (Author bios, rendered when the config
loads, keep cmarkgfm's function: a few short texts, and no ctypes import for every command.)
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable

import cmarkgfm
from cmarkgfm import _cmark
from cmarkgfm.cmark import Options

logger = logging.getLogger(__name__)
EXTENSIONS = ("table", "autolink", "tagfilter", "strikethrough", "tasklist")  # as cmarkgfm's GFM function


@functools.lru_cache(maxsize=1)
def _freeing() -> tuple[Callable[[int], None], Callable[[int], None], tuple[Any, ...]] | None:
    """(cmark_node_free, free, the extensions) or None when they cannot be had. ctypes (~2-3 ms to
    import) loads here, on the first body rendered, not with the config."""
    import ctypes

    try:
        library = ctypes.CDLL(_cmark.__file__)  # the module's own library, already loaded
        node_free = library.cmark_node_free
        node_free.argtypes, node_free.restype = [ctypes.c_void_p], None
        free = ctypes.CDLL(None).free
        free.argtypes, free.restype = [ctypes.c_void_p], None
    except (OSError, AttributeError):  # not a platform where the symbols can be found
        logger.debug("cmark's free functions are not available; using cmarkgfm's renderer", exc_info=True)
        return None
    _cmark.lib.cmark_gfm_core_extensions_ensure_registered()
    extensions = tuple(_cmark.lib.cmark_find_syntax_extension(name.encode()) for name in EXTENSIONS)
    if any(extension == _cmark.ffi.NULL for extension in extensions):
        return None
    return node_free, free, extensions


def to_html(text: str, *, options: int) -> str:
    """`cmarkgfm.github_flavored_markdown_to_html(text, options=options)`, without the leak."""
    freeing = _freeing()
    if freeing is None:
        return cmarkgfm.github_flavored_markdown_to_html(text, options=options)
    node_free, free, extensions = freeing
    lib, ffi = _cmark.lib, _cmark.ffi
    options |= Options.CMARK_OPT_GITHUB_PRE_LANG
    parser = lib.cmark_parser_new(options)
    try:
        for extension in extensions:
            lib.cmark_parser_attach_syntax_extension(parser, extension)
        data = text.encode("utf-8")
        lib.cmark_parser_feed(parser, data, len(data))
        root = lib.cmark_parser_finish(parser)
        try:
            if lib.cmark_node_get_type(root) == lib.CMARK_NODE_NONE:
                raise ValueError("Error parsing markdown!")
            raw = lib.cmark_render_html(root, options, lib.cmark_parser_get_syntax_extensions(parser))
            try:
                return ffi.string(raw).decode("utf-8")
            finally:
                free(int(ffi.cast("uintptr_t", raw)))
        finally:
            if root != ffi.NULL:
                node_free(int(ffi.cast("uintptr_t", root)))
    finally:
        lib.cmark_parser_free(parser)
