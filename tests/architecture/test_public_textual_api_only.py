"""tsdash uses only Textual's public API, in its code and in its tests.

A private name of Textual (a ``_name`` attribute or method, a ``textual._module``) can change in
any release; relying on one is what pinned tsdash below Textual 9. This test reads the source of
tsdash, its tests and its benchmarks and fails on:

* an import of a private Textual module or name (``textual._xterm_parser``, ``from textual.x
  import _y``);
* ``something._name`` where ``_name`` is a private name Textual defines (a method, or an
  attribute a Textual class assigns on ``self``) and tsdash does not define that name itself;
* a tsdash class that derives from a Textual class and defines or assigns a private name that
  one of its Textual base classes defines (overriding or shadowing Textual's internals).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import textual

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("tsdash", "tests", "benchmarks")


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _python_files(*folders: Path) -> Iterator[Path]:
    for folder in folders:
        yield from sorted(folder.rglob("*.py"))


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _defined_private_names(tree: ast.AST) -> set[str]:
    """Private names a module defines: methods, class attributes, ``self._x = ...``."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if _is_private(node.name):
                names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if _is_private(node.attr):
                names.add(node.attr)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name) and _is_private(t.id))
    return names


@cache
def _textual_private_names() -> frozenset[str]:
    folder = Path(textual.__file__).parent
    names: set[str] = set()
    for path in _python_files(folder):
        names |= _defined_private_names(_parse(path))
    return frozenset(names)


@cache
def _tsdash_private_names() -> frozenset[str]:
    names: set[str] = set()
    for path in _python_files(*(ROOT / f for f in SCANNED)):
        names |= _defined_private_names(_parse(path))
    return frozenset(names)


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"


def _private_imports(path: Path, tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "textual" and any(_is_private(p) for p in parts):
                    yield f"{_where(path, node)} imports {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[0] != "textual":
                continue
            if any(_is_private(p) for p in parts):
                yield f"{_where(path, node)} imports from {node.module}"
            for alias in node.names:
                if _is_private(alias.name):
                    yield f"{_where(path, node)} imports {alias.name} from {node.module}"


def test_no_private_textual_module_or_name_is_imported() -> None:
    found = [line for path in _python_files(*(ROOT / f for f in SCANNED))
             for line in _private_imports(path, _parse(path))]
    assert found == [], "private Textual imports:\n" + "\n".join(found)


def test_no_private_textual_attribute_is_used() -> None:
    textual_names = _textual_private_names() - _tsdash_private_names()
    found = []
    for path in _python_files(*(ROOT / f for f in SCANNED)):
        for node in ast.walk(_parse(path)):
            if isinstance(node, ast.Attribute) and node.attr in textual_names:
                found.append(f"{_where(path, node)} uses .{node.attr}")
    assert found == [], "private Textual names used:\n" + "\n".join(found)


def _textual_bases(cls: type) -> list[type]:
    return [base for base in cls.__mro__[1:]
            if base.__module__.split(".")[0] == "textual"]


def _private_names_of(textual_class: type) -> set[str]:
    """What a Textual class defines privately: members, and attributes it assigns on self."""
    names = {name for name in vars(textual_class) if _is_private(name)}
    try:
        source = inspect.getsource(textual_class)
    except (OSError, TypeError):
        return names
    return names | _defined_private_names(ast.parse(textwrap.dedent(source)))


def _tsdash_classes() -> Iterator[type]:
    import tsdash

    for info in pkgutil.walk_packages(tsdash.__path__, "tsdash."):
        if info.name.endswith(".__main__"):  # runs the command line when imported
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if inspect.isclass(value) and value.__module__ == module.__name__:
                yield value


def test_no_tsdash_class_overrides_a_private_textual_name() -> None:
    found = []
    for cls in _tsdash_classes():
        bases = _textual_bases(cls)
        if not bases:
            continue
        theirs: set[str] = set()
        for base in bases:
            theirs |= _private_names_of(base)
        # from the source: the metaclasses of Textual set private class attributes themselves
        ours = _defined_private_names(ast.parse(textwrap.dedent(inspect.getsource(cls))))
        for name in sorted(ours & theirs):
            found.append(f"{cls.__module__}.{cls.__qualname__} defines {name}, private to "
                         f"{', '.join(b.__qualname__ for b in bases if name in _private_names_of(b))}")
    assert found == [], "tsdash classes that override Textual internals:\n" + "\n".join(found)


def test_the_checks_see_a_private_textual_name() -> None:
    """The scan itself works: a known private name of Textual is found, and so is a use of it."""
    assert "_notifications" in _textual_private_names()
    tree = ast.parse("app._notifications\nfrom textual._xterm_parser import X\n")
    uses = [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
    assert uses == ["_notifications"]
    assert list(_private_imports(ROOT / "tests" / "x.py", tree))
