"""The compiled code of the methods dataclasses writes, kept from one `syndicator build` to the next (issue 12).

Python 3.11's dataclasses write each class's methods (__init__, __repr__, __eq__, __hash__, and a
frozen class's __setattr__ and __delattr__) as source text, and compile that text with exec() every
time the class is defined: after an edit, some 200 compilations for 33 classes, a fourth of the work
of the whole command. The texts are the same from one run to the next. While a MethodCode is in use,
dataclasses' exec() looks each text up among the code an earlier run compiled (a file in the state
folder, marshal, for this Python and this copy of the program only) and compiles only what is
missing; `keep()` adds what was to the file. A plain `syndicator build` keeps them whether it is
answered quickly (cli/quick.py) or runs in full (cli/script.py): the first build of a site leaves
them for the edits after it. Running the code compiled from a text is what exec() of the text does:
the same code object (compiled as exec() compiles it, without this module's __future__ flags), run
with the same globals and locals.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import marshal
import os
import sys
from types import CodeType
from typing import Any

from ..build.code import code_digest

FILE = "dataclass-methods.marshal"  # in the state folder


class MethodCode:
    """dataclasses' exec() with the code of known texts kept in `<state_dir>/dataclass-methods.marshal`."""

    def __init__(self, state_dir: str) -> None:
        self.folder, self.path = state_dir, os.path.join(state_dir, FILE)
        # code objects are only good for the Python that made them; the texts, for the program's classes
        self.made_by = (importlib.util.MAGIC_NUMBER, sys.version, code_digest())
        self.known = _read(self.path, self.made_by)
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
        """Add the code this run had to compile to the file (atomically, in a state folder that is there
        already; a folder that cannot be written to only costs the next run the compiling)."""
        if not self.compiled or not os.path.isdir(self.folder):
            return
        temp = f"{self.path}.{os.getpid()}.tmp"
        try:
            with open(temp, "wb") as handle:
                handle.write(marshal.dumps((self.made_by, {**self.known, **self.used})))
            os.replace(temp, self.path)
        except OSError:
            try:
                os.unlink(temp)
            except OSError:
                pass


def _read(path: str, made_by: tuple[bytes, str, str]) -> dict[str, CodeType]:
    """The texts' code an earlier run kept; empty when there is none, it is damaged, or of another Python or
    copy of the program."""
    try:
        with open(path, "rb") as handle:
            kept_by, known = marshal.loads(handle.read())  # (marshal.load would read each object by a call)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if kept_by != made_by or type(known) is not dict:
        return {}
    return known
