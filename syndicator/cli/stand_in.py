"""A stand-in for a module that a path imports but never uses, loaded for real on first use (issue 12).

dataclasses imports inspect, with ast and dis (3-5 ms), only to write a signature into the docstring
of a class that has none; every class of ours has one, so `syndicator build` after an edit never
reads it. `stand_in("inspect")` puts an empty module in its place: `import inspect` finds it and
costs nothing, and the first attribute anyone reads of it imports the real module, which then
replaces it everywhere (sys.modules, and the stand-in's own namespace for those that bound it).
importlib.util.LazyLoader cannot do this: an `import` of a module already loaded reads its
`__spec__`, which makes a lazy module load at once.
"""

from __future__ import annotations

import importlib
import sys
import threading
from types import ModuleType
from typing import Any

_LOADING = threading.Lock()


class StandIn(ModuleType):
    """An empty module named as the real one; reading an attribute it lacks loads the real module."""

    def __getattr__(self, attr: str) -> Any:
        return getattr(_real(self), attr)


def stand_in(name: str) -> None:
    """Put a stand-in for the module `name` in sys.modules, unless it is loaded already."""
    if name not in sys.modules:
        sys.modules[name] = StandIn(name)


def _real(module: StandIn) -> ModuleType:
    """The real module for `module` (imported now, the first time): it takes the stand-in's place."""
    name = module.__name__
    with _LOADING:
        found = sys.modules.get(name)
        if found is module or found is None:
            sys.modules.pop(name, None)
            try:
                found = importlib.import_module(name)
            except BaseException:
                sys.modules[name] = module  # as it was: the next reader tries again
                raise
        vars(module).update(vars(found))  # whoever bound the stand-in now reads the real names directly
    return found
