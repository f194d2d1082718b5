"""cli/method_code.py: dataclasses' methods from code kept by an earlier run are the methods dataclasses
compiles itself (the same code objects, the same behaviour); a file that is damaged, made by another
Python, or that another user could have written is not used; the file lives in the user's cache folder."""

from __future__ import annotations

import dataclasses
import marshal
import os
from dataclasses import field

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.cli import method_code
from syndicator.cli.method_code import FILE, MethodCode, cache_folder

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
    (tmp_path / "a-file").write_bytes(b"")  # a folder that cannot be made: nothing kept, nothing raised
    nowhere = MethodCode(str(tmp_path / "a-file" / "syndicator"))
    nowhere.used, nowhere.compiled = methods.used, methods.compiled
    nowhere.keep()
    assert (tmp_path / "a-file").read_bytes() == b""


_SHAPE = {"names": ["a", "b"], "defaults": 1, "factory": False,
          "options": {"frozen": False, "eq": True, "order": True, "kw_only": False, "slots": False, "repr": True,
                      "unsafe_hash": False}}


def test_the_folder_is_the_users_cache_folder() -> None:
    assert cache_folder({"XDG_CACHE_HOME": "/x/cache", "HOME": "/home/ann"}) == "/x/cache/syndicator"
    assert cache_folder({"XDG_CACHE_HOME": "relative", "HOME": "/home/ann"}) == "/home/ann/.cache/syndicator"
    assert cache_folder({"HOME": "/home/ann"}) == "/home/ann/.cache/syndicator"
    assert cache_folder({}) is None and cache_folder({"HOME": "~"}) is None
    methods = MethodCode(None)  # no folder: every text compiled, nothing kept, nothing raised
    made = _made_with(methods, _SHAPE)
    methods.keep()
    assert made(1) == made(1) and methods.compiled > 0 and methods.known == {}


def test_keep_makes_a_private_folder_and_file(tmp_path) -> None:
    folder = tmp_path / "cache" / "syndicator"
    methods = MethodCode(str(folder))
    _made_with(methods, _SHAPE)
    methods.keep()
    assert (folder.stat().st_mode & 0o777, (folder / FILE).stat().st_mode & 0o777) == (0o700, 0o600)
    assert [p.name for p in folder.iterdir()] == [FILE]  # the temporary file renamed over it
    assert MethodCode(str(folder)).known.keys() == methods.used.keys()


def test_a_file_someone_else_could_have_written_is_not_used(tmp_path, monkeypatch) -> None:
    methods = MethodCode(str(tmp_path))
    _made_with(methods, _SHAPE)
    methods.keep()
    assert MethodCode(str(tmp_path)).known  # this user's, only this user may write it
    for mode in (0o620, 0o602):
        os.chmod(tmp_path / FILE, mode)
        assert MethodCode(str(tmp_path)).known == {}
    os.chmod(tmp_path / FILE, 0o600)
    owner = (tmp_path / FILE).stat().st_uid
    monkeypatch.setattr(method_code.os, "getuid", lambda: owner + 1)  # as another user would read it
    assert MethodCode(str(tmp_path)).known == {}


def test_a_file_grown_past_its_bound_keeps_only_what_the_last_run_used(tmp_path, monkeypatch) -> None:
    first = MethodCode(str(tmp_path))
    _made_with(first, _SHAPE)
    first.keep()
    monkeypatch.setattr(method_code, "MAX_KEPT", len(first.used))
    second = MethodCode(str(tmp_path))
    other = dict(_SHAPE, names=["url", "tags"])
    _made_with(second, other)
    second.keep()
    assert second.compiled and set(MethodCode(str(tmp_path)).known) == set(second.used)
    assert not set(first.used) <= set(second.used)  # the first run's texts were dropped
