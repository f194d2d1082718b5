"""cli/stand_in.py: a module imported but unused costs nothing until read, then is the real module."""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import sys
from syndicator.cli.stand_in import stand_in
stand_in("inspect")
import dataclasses  # imports inspect: finds the stand-in

@dataclasses.dataclass(frozen=True)
class Noted:
    '''Has a docstring: dataclasses reads nothing of inspect.'''
    a: int

print("ast" in sys.modules, type(sys.modules["inspect"]).__name__)

@dataclasses.dataclass(frozen=True)
class Bare:  # no docstring: dataclasses asks inspect for its signature
    a: int
    b: str = "x"

import inspect
print("ast" in sys.modules, sys.modules["inspect"] is inspect, type(sys.modules["inspect"]).__name__)
print(Bare.__doc__, Noted(1) == Noted(1))
from inspect import signature
print(str(signature(Bare)), inspect.isclass(Bare), dataclasses.inspect.getdoc(Noted))
"""


def test_a_stand_in_costs_nothing_until_read_then_is_the_real_module() -> None:
    out = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [
        "False StandIn",  # imported by dataclasses, read by nobody: ast (inspect's) never loaded
        "True True module",  # the class without a docstring read it: the real module took its place
        "Bare(a: int, b: str = 'x')" + " True",
        "(a: int, b: str = 'x') -> None True Has a docstring: dataclasses reads nothing of inspect.",
    ]
