"""Textual's private API is used in ``hedgetui.ui.textual_fast`` only.

``lint-imports`` catches an import of a private module (``textual._compositor``); this test
catches the private *attributes*: ``screen._dirty_widgets``, an override of
``Widget._set_dirty``, ``self._styles_cache`` on a widget. A private name of Textual's is one its
classes define (a method, a class attribute, or ``self._x = ...`` in a method). In a class of
ours, ``self._x`` and ``def _x`` count when a Textual class it derives from defines ``_x``; on
any other object (``screen._x``, ``app._x``), when any Textual class does. A class of ours with
no Textual base (a mixin put in front of one) is checked against ``App`` and ``Screen``'s bases.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import textual
from textual.app import App
from textual.screen import Screen

from hedgetui.ui import textual_fast

PACKAGE = Path(__file__).resolve().parents[2] / "hedgetui"
DOOR = Path(textual_fast.__file__).resolve()


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and len(name) > 1


def _class_names(klass: ast.ClassDef) -> set[str]:
    """The private names a class body defines: methods, class attributes, ``self._x = ...``."""
    names: set[str] = set()
    for node in ast.walk(klass):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _private(node.name):
            names.add(node.name)
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and _private(target.id):
                names.add(target.id)
            elif (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
                and _private(target.attr)
            ):
                names.add(target.attr)
    return names


@cache
def _textual_classes() -> dict[tuple[str, str], set[str]]:
    """(source file, class name) -> the private names that class defines, for all of Textual."""
    classes: dict[tuple[str, str], set[str]] = {}
    for path in Path(textual.__file__).resolve().parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                classes.setdefault((str(path), node.name), set()).update(_class_names(node))
    return classes


@cache
def _any_textual_private() -> frozenset[str]:
    return frozenset(name for names in _textual_classes().values() for name in names)


def _inherited_private(cls: type) -> set[str]:
    """The private names the Textual classes ``cls`` derives from define."""
    names: set[str] = set()
    for base in cls.__mro__:
        if not base.__module__.startswith("textual"):
            continue
        source = inspect.getsourcefile(base)
        if source is not None:
            names |= _textual_classes().get((str(Path(source).resolve()), base.__name__), set())
    return names


def private_uses(path: Path) -> Iterator[str]:
    """``file:line name`` for each use of a Textual private name in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    module = importlib.import_module(module_name.removesuffix(".__init__"))
    imported_modules = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    where = f"{path.relative_to(PACKAGE.parent)}"
    dom_private = _inherited_private(App) | _inherited_private(Screen)
    in_class: set[int] = set()
    for klass in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        cls = getattr(module, klass.name, None)
        inherited = _inherited_private(cls) if isinstance(cls, type) else set()
        if not inherited:  # no Textual base: a mixin put in front of an app, screen or widget
            inherited = dom_private
        for node in ast.walk(klass):
            in_class.add(id(node))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in inherited:
                yield f"{where}:{node.lineno} def {node.name}"
            if isinstance(node, ast.Attribute) and _on_self(node) and node.attr in inherited:
                yield f"{where}:{node.lineno} {ast.unparse(node)}"
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or node.attr not in _any_textual_private():
            continue
        if _on_self(node) and id(node) in in_class:
            continue  # checked against the class's own Textual bases above
        if isinstance(node.value, ast.Name) and node.value.id in imported_modules:
            continue  # os._exit: a module's name, not Textual's
        yield f"{where}:{node.lineno} {ast.unparse(node)}"


def _on_self(node: ast.Attribute) -> bool:
    value = node.value
    if isinstance(value, ast.Name):
        return value.id in {"self", "cls"}
    return (  # super()._x
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "super"
    )


def _modules() -> list[Path]:
    """The UI, and every other module that imports Textual or the UI."""
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if path.resolve() != DOOR
        and (
            path.parent.name == "ui"
            or any(word in path.read_text(encoding="utf-8") for word in ("textual", "hedgetui.ui"))
        )
    )


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_textual_private_name_outside_the_door(path: Path) -> None:
    assert list(private_uses(path)) == [], "use it through hedgetui.ui.textual_fast"


def test_the_door_holds_the_private_names_it_checks() -> None:
    """The same search finds them in the door (so it can find them anywhere)."""
    found = "\n".join(private_uses(DOOR))
    for name in ("_dirty_widgets", "_update_timer", "_batch_count", "def _set_dirty", "_display"):
        assert name in found
    assert textual_fast.textual_problems() == []  # the pinned Textual has every one


def _door_in_subprocess(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    script = f"{code}\nfrom hedgetui.ui import textual_fast\nprint('FAST', textual_fast.FAST)"
    environment = {k: v for k, v in os.environ.items() if k != textual_fast.SWITCH} | env
    return subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("value", "fast"), [(None, True), ("1", True), ("0", False), ("off", False)]
)
def test_the_switch_turns_the_fast_paths_off(value: str | None, fast: bool) -> None:
    env = {} if value is None else {textual_fast.SWITCH: value}
    run = _door_in_subprocess("", **env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"FAST {fast}"
    assert run.stderr == ""  # switched off on purpose: nothing to say


def test_a_textual_without_a_name_runs_the_stock_paths_and_says_so_in_one_line() -> None:
    """As on another Textual version: one line naming what is missing, and the stock paths."""
    code = (
        "import logging; logging.basicConfig(format='%(message)s')\n"
        "from textual.screen import Screen\n"
        "del Screen._on_timer_update\n"
    )
    run = _door_in_subprocess(code)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "FAST False"
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Screen._on_timer_update" in lines[0], run.stderr
    assert "stock paths" in lines[0]


HIDE_FRAME_NAMES = '''
import sys
import textual.dom, textual.widget, textual._styles_cache as styles_cache
USED = []

def _ours(depth):
    return sys._getframe(depth).f_globals.get("__name__", "").startswith("hedgetui")

def _hide(owner, name):
    """``owner.name`` kept for Textual's own code, gone for hedgetui's (a use is recorded)."""
    real = owner.__dict__[name]
    def hidden(*args, **kwargs):
        if _ours(2):
            USED.append(name)
        return real(*args, **kwargs)
    setattr(owner, name, hidden)  # no parameters to check: StylesCache.render is "missing"

def _hide_attribute(owner, name):
    def get(self):
        if _ours(2):
            USED.append(name)
        return self.__dict__[name]
    def put(self, value):
        self.__dict__[name] = value
    setattr(owner, name, property(get, put))

_hide(styles_cache.StylesCache, "render")
_hide(textual.dom.DOMNode, "_get_title_style_information")
_hide(textual.widget.Widget, "_get_style")
_hide_attribute(textual.dom.DOMNode, "_component_styles")
_hide_attribute(textual.widget.Widget, "_styles_cache")
'''

DRAW_THE_DASHBOARD = """
import asyncio
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.card_grid import HedgeCards
from tests.ui.test_ui_dashboard import scripted_store

async def main():
    store, _ = scripted_store()
    app = HedgeApp(store, mount_alerts=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        cards = app.query_one("#cards", HedgeCards)
        print("CARDS", type(cards).__name__, cards.columns)
        screen = app.export_screenshot().replace("&#160;", " ")
        for name in store.hedge_names():
            print("ON SCREEN", name, name in screen)
    print("USED", sorted(set(USED)))

asyncio.run(main())
"""


def test_a_textual_without_the_frames_names_draws_the_cards_on_its_public_api() -> None:
    """As on a Textual whose styles cache, title styles, component styles and style lookup
    are not what hedgetui expects: one line naming the one that changed shape, the stock
    paths, and a dashboard whose cards are on screen without hedgetui touching any of them
    (Textual's own code still uses them; hedgetui's uses are recorded)."""
    code = "import logging; logging.basicConfig(format='%(message)s')\n" + HIDE_FRAME_NAMES
    run = _door_in_subprocess(code + DRAW_THE_DASHBOARD)
    assert run.returncode == 0, run.stderr
    out = run.stdout.splitlines()
    assert "CARDS StockHedgeCards 4" in out
    shown = [line for line in out if line.startswith("ON SCREEN")]
    assert shown and all(line.endswith(" True") for line in shown), out
    assert "USED []" in out  # hedgetui used none of the hidden names
    assert out[-1] == "FAST False"
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "StylesCache.render" in lines[0], run.stderr
    assert "stock paths" in lines[0]


def test_a_textual_without_a_private_module_name_runs_the_stock_paths() -> None:
    """As on a Textual that moved or renamed a name in one of the private modules the door
    imports: no import error, one line naming it, the stock paths. (Only the door's import is
    tested here: Textual 8.2.8's own code needs the name it is made to miss.)"""
    code = (
        "import logging; logging.basicConfig(format='%(message)s')\n"
        "import textual.app, textual._compositor\n"
        "del textual._compositor.ChopsUpdate\n"
    )
    run = _door_in_subprocess(code)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "FAST False"
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "ChopsUpdate" in lines[0] and "stock paths" in lines[0], run.stderr
