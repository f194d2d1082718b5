"""cli/method_code.py: dataclasses' methods from code kept by an earlier run are the methods dataclasses
compiles itself (the same code objects, the same behaviour), and a file that is damaged or made by
another Python is not used."""

from __future__ import annotations

import dataclasses
import marshal
import os
from dataclasses import field

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.cli.method_code import FILE, MethodCode

_METHODS = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__", "__lt__", "__le__",
            "__gt__", "__ge__")
_SHAPES = st.fixed_dictionaries({
    "names": st.lists(st.sampled_from(["a", "b", "url", "tags", "when", "x_1"]), min_size=0, max_size=5, unique=True),
    "defaults": st.integers(0, 5), "factory": st.booleans(),
    "options": st.fixed_dictionaries({"frozen": st.booleans(), "eq": st.booleans(), "order": st.booleans(),
                                      "kw_only": st.booleans(), "slots": st.booleans(), "repr": st.booleans(),
                                      "unsafe_hash": st.booleans()}),
})


def _make(shape: dict) -> type:
    names = shape["names"]
    namespace: dict = {"__annotations__": {n: "int" for n in names}, "__doc__": "A shape.", "__module__": __name__}
    for name in names[len(names) - min(shape["defaults"], len(names)):]:
        namespace[name] = field(default_factory=list) if shape["factory"] else 7
    options = dict(shape["options"])
    if options["order"] and not options["eq"]:
        options["order"] = False  # (dataclasses refuses order without eq)
    return dataclasses.dataclass(**options)(type("Shape", (), namespace))


def _code(cls: type) -> dict:
    found = {}
    for name in _METHODS:
        method = cls.__dict__.get(name)
        method = getattr(method, "__wrapped__", method)  # __repr__ is wrapped by reprlib's recursion guard
        if method is not None and hasattr(method, "__code__"):
            found[name] = (method.__code__, method.__defaults__, method.__kwdefaults__ is not None)
    return found


@settings(max_examples=150, deadline=None)
def _made_with(methods, shape):
    """The class of this shape, made while `methods` is dataclasses' exec()."""
    methods.install()
    try:
        return _make(shape)
    finally:
        methods.remove()


@given(_SHAPES)
def test_kept_code_makes_the_methods_dataclasses_makes(tmp_path_factory, shape) -> None:
    state = str(tmp_path_factory.mktemp("state"))
    plain = _make(shape)
    first = MethodCode(state)
    compiled = _made_with(first, shape)
    first.keep()
    again = MethodCode(state)
    kept = _made_with(again, shape)
    assert again.compiled == 0 and first.compiled == len(again.used)  # every text found in the file
    assert _code(plain) == _code(compiled) == _code(kept)
    assert "exec" not in vars(dataclasses)  # removed: dataclasses calls the builtin again
    args = {n: i for i, n in enumerate(shape["names"])}
    one, two = plain(**args), kept(**args)
    if shape["options"]["repr"]:
        assert repr(one) == repr(two)
    if shape["options"]["eq"]:
        assert kept(**args) == two and (kept(**args) == kept(**{n: v + 1 for n, v in args.items()})) == (not args)
    if shape["options"]["frozen"] and args:
        try:
            setattr(two, shape["names"][0], 99)
        except dataclasses.FrozenInstanceError:
            pass
        else:
            raise AssertionError("a frozen class's instance took an assignment")


def test_a_damaged_or_foreign_file_is_not_used(tmp_path) -> None:
    path = tmp_path / FILE
    shape = {"names": ["a"], "defaults": 0, "factory": False,
             "options": {"frozen": True, "eq": True, "order": False, "kw_only": False, "slots": False, "repr": True,
                         "unsafe_hash": False}}
    for data in (b"\x00garbage", marshal.dumps((("not", "this python"), {})), b""):
        path.write_bytes(data)
        methods = MethodCode(str(tmp_path))
        assert methods.known == {}
        methods.install()
        try:
            made = _make(shape)
        finally:
            methods.remove()
        assert made(a=1) == made(a=1) and methods.compiled > 0
    os.chmod(tmp_path, 0o500)  # a state folder that cannot be written to: nothing kept, nothing raised
    try:
        methods.keep()
    finally:
        os.chmod(tmp_path, 0o700)
