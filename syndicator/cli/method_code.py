"""The compiled code of the methods dataclasses writes, kept from one `syndicator build` to the next (issue 12).

Python 3.11's dataclasses write each class's methods (__init__, __repr__, __eq__, __hash__, and a
frozen class's __setattr__ and __delattr__) as source text, and compile that text with exec() every
time the class is defined: after an edit, some 200 compilations for 33 classes, a fourth of the work
of the whole command, and some 20 ms on the critical path of a cold build. The texts are the same
from one run to the next. While a MethodCode is in use, dataclasses' exec() looks each text up among
the code an earlier run compiled and compiles only what is missing; `keep()` adds what was to the
file. The file is marshal, in the user's cache folder (`$XDG_CACHE_HOME/syndicator/`, else
`~/.cache/syndicator/`), not in a site's state folder: the code compiled from a text depends only on
the text, the Python and its -O, so one file serves every site and survives a clean build. It is
used only by the Python that made it, only if this user owns it and no one else can write to it (it
is code that runs), and deleting it only costs the next run the compiling. A plain `syndicator
build` keeps them whether it is answered quickly (cli/quick.py) or runs in full (cli/script.py).
Running the code compiled from a text is what exec() of the text does: the same code object
(compiled as exec() compiles it, without this module's __future__ flags), run with the same globals
and locals.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import marshal
import os
import stat
import sys
from collections.abc import Mapping
from types import CodeType
from typing import Any

FILE = "dataclass-methods.marshal"  # in the cache folder
MAX_KEPT = 4096  # texts; past this, a file keeps only what the last run used (the program's classes changed)


def cache_folder(environ: Mapping[str, str] = os.environ) -> str | None:
    """The folder for this user's kept method code: `$XDG_CACHE_HOME/syndicator` (an absolute path, as the
    XDG spec asks), else `$HOME/.cache/syndicator`; None without either."""
    base = environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = environ.get("HOME", "")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "syndicator")


class MethodCode:
    """dataclasses' exec() with the code of known texts kept in `<folder>/dataclass-methods.marshal` (no
    folder: nothing kept, every text compiled)."""

    def __init__(self, folder: str | None) -> None:
        self.folder, self.path = folder, os.path.join(folder, FILE) if folder else None
        # code objects are only good for the Python that made them, compiled at its -O
        self.made_by = (importlib.util.MAGIC_NUMBER, sys.version, sys.flags.optimize)
        self.known = _read(self.path, self.made_by) if self.path else {}
        self.used: dict[str, CodeType] = {}
        self.compiled = 0

    def exec(self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /) -> None:
        """exec(source, globals, locals), a text's code compiled only if no earlier run kept it."""
        if type(source) is str:
            code = self.known.get(source)
            if code is None:
                code = compile(source, "<string>", "exec", dont_inherit=True)  # as exec() compiles it
                self.compiled += 1
            self.used[source] = code
            source = code
        exec(source, globals, locals)

    def install(self) -> None:
        """Be the exec() dataclasses calls (a name in its module, found before the builtin)."""
        dataclasses.exec = self.exec  # type: ignore[attr-defined]

    def remove(self) -> None:
        """Let dataclasses call the builtin exec() again."""
        if getattr(dataclasses, "exec", None) == self.exec:
            del dataclasses.exec  # type: ignore[attr-defined]

    def keep(self) -> None:
        """Add the code this run had to compile to the file (atomically, the folder made if need be, only
        this user's; a folder that cannot be written to only costs the next run the compiling)."""
        if not self.compiled or self.folder is None or self.path is None:
            return
        kept = {**self.known, **self.used}
        if len(kept) > MAX_KEPT:
            kept = dict(self.used)
        temp = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(self.folder, mode=0o700, exist_ok=True)
            descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(descriptor, "wb") as handle:
                handle.write(marshal.dumps((self.made_by, kept)))
            os.replace(temp, self.path)
        except OSError:
            try:
                os.unlink(temp)
            except OSError:
                pass


def _read(path: str, made_by: tuple[bytes, str, int]) -> dict[str, CodeType]:
    """The texts' code an earlier run kept; empty when there is none, it is damaged, of another Python or -O,
    or not this user's alone (another user could have put code in it)."""
    try:
        with open(path, "rb") as handle:
            found = os.fstat(handle.fileno())
            if found.st_uid != os.getuid() or found.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return {}
            kept_by, known = marshal.loads(handle.read())  # (marshal.load would read each object by a call)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if kept_by != made_by or type(known) is not dict:
        return {}
    return known
