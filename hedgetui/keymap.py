"""Every key binding of the dashboard by action id, and the ``[keys]`` table's rules.

The ids are those of the Textual ``Binding``s (``Binding(..., id=...)``) in ``hedgetui.ui``; a
``[keys]`` table in the config maps an id to new keys (``quit = "ctrl+q"``, several keys joined
by commas as in Textual: ``next-hedge = "n,down"``). Pure: the config checks a table with
:func:`keymap_problems`, the dashboard hands the result to ``App.set_keymap`` and draws its help
from :func:`help_rows`, so ``?`` shows the keys in force.

Two actions of one screen on one key is a conflict (which one would run?); the same key on two
screens is fine (``escape`` leaves the
what-if input on the dashboard and closes a dialog).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class KeyAction:
    screens: tuple[str, ...]  # where it acts: "dashboard", or the dialogs it belongs to
    keys: str  # the default keys, Textual's names, comma-separated
    help: str  # the line of the help screen ("" for a dialog's keys: the dialog says them)


_ACTIONS: dict[str, KeyAction] = {
    "next-hedge": KeyAction(("dashboard",), "tab,down,j", "select the next hedge"),
    "previous-hedge": KeyAction(("dashboard",), "shift+tab,up,k", "select the previous hedge"),
    "what-if": KeyAction(("dashboard",), "w", "type a what-if move in % (e.g. -15, enter)"),
    "leave-input": KeyAction(("dashboard",), "escape", "leave the what-if input"),
    "theme": KeyAction(("dashboard",), "t", "cycle theme: dark, light, high-contrast"),
    "unwind": KeyAction(("dashboard",), "u", "unwind the selected hedge (preview first)"),
    "adjust": KeyAction(
        ("dashboard",), "r", "adjust the selected hedge: band, a ratio, +/- contracts"
    ),
    "history": KeyAction(("dashboard",), "h", "funding history and carry of the selected hedge"),
    "ack-alert": KeyAction(("dashboard",), "a", "acknowledge the top (or highlighted) alert"),
    "snooze-alert": KeyAction(("dashboard",), "s", "snooze that alert for 15 minutes"),
    "help": KeyAction(("dashboard",), "question_mark,f1", "this help"),
    "quit": KeyAction(("dashboard",), "q", "quit"),
    "help-close": KeyAction(("help",), "escape,q,question_mark,f1", ""),
    "unwind-25": KeyAction(("unwind",), "1", ""),
    "unwind-50": KeyAction(("unwind",), "2", ""),
    "unwind-100": KeyAction(("unwind",), "3", ""),
    "adjust-band": KeyAction(("adjust",), "b", ""),
    "history-close": KeyAction(("history",), "escape,h,q", ""),
    "stress-close": KeyAction(("stress",), "escape,q", ""),
    "order-close": KeyAction(("unwind", "adjust"), "escape", ""),
}
ACTIONS: Mapping[str, KeyAction] = MappingProxyType(_ACTIONS)

# Keys Textual itself binds on every screen (the command palette, quit): not ours to rebind,
# and a key of ours on them would never be seen.
RESERVED_KEYS = frozenset({"ctrl+p", "ctrl+q", "ctrl+c"})
_HELP_EXTRA = ("ctrl+p", "command palette")  # Textual's own, shown in the help before "?"
_DISPLAY = {"question_mark": "?", "f1": "F1"}
# Textual's long names of the characters a user is likely to type as themselves.
_LONG_NAMES = {
    "?": "question_mark",
    "/": "slash",
    "\\": "backslash",
    "!": "exclamation_mark",
    "+": "plus",
    "-": "minus",
    "=": "equals_sign",
    ".": "full_stop",
    ",": "comma",
    ":": "colon",
    ";": "semicolon",
    "[": "left_square_bracket",
    "]": "right_square_bracket",
    "#": "number_sign",
    "*": "asterisk",
    " ": "space",
}


def split_keys(keys: str) -> list[str]:
    """``"?, f1"`` -> ``["question_mark", "f1"]``: one name per key, Textual's long names."""
    return [_LONG_NAMES.get(k.strip(), k.strip()) for k in keys.split(",")]


def keymap_problems(keymap: Mapping[str, object]) -> list[tuple[str, str]]:
    """``(id, problem)`` for each id of ``keymap`` that is not an action, a value that is not
    a key list, and each key two actions of one scope would share once ``keymap`` is applied."""
    problems: list[tuple[str, str]] = []
    for action_id, keys in keymap.items():
        if action_id not in ACTIONS:
            problems.append(
                (action_id, f"unknown action '{action_id}'; known: {', '.join(ACTIONS)}")
            )
        elif not isinstance(keys, str) or any(not k for k in split_keys(keys)):
            problems.append((action_id, 'must be a key or keys joined by commas, e.g. "ctrl+q"'))
        elif reserved := RESERVED_KEYS.intersection(split_keys(keys)):
            problems.append((action_id, f"'{sorted(reserved)[0]}' is Textual's own key"))
    if problems:
        return problems
    in_force = keys_in_force({k: str(v) for k, v in keymap.items()})
    owners: dict[tuple[str, str], str] = {}
    for action_id, keys in in_force.items():
        for screen in ACTIONS[action_id].screens:
            for key in keys:
                other = owners.setdefault((screen, key), action_id)
                if other != action_id:
                    rebound, kept = (
                        (action_id, other) if action_id in keymap else (other, action_id)
                    )
                    problems.append(
                        (
                            rebound,
                            f"'{key}' is also the key of '{kept}' on the {screen} screen: "
                            "pick another key, or rebind that one too",
                        )
                    )
    return problems


def keys_in_force(keymap: Mapping[str, str]) -> dict[str, list[str]]:
    """Each action's keys once ``keymap`` is applied to the defaults."""
    return {
        action_id: split_keys(keymap.get(action_id, action.keys))
        for action_id, action in ACTIONS.items()
    }


def help_rows(keymap: Mapping[str, str]) -> list[tuple[str, str]]:
    """The help screen's ``(keys, what they do)`` rows with the keys in force."""
    rows: list[tuple[str, str]] = []
    for action_id, keys in keys_in_force(keymap).items():
        action = ACTIONS[action_id]
        if not action.help:
            continue
        if action_id == "help":
            rows.append(_HELP_EXTRA)
        rows.append((" / ".join(_DISPLAY.get(k, k) for k in keys), action.help))
    return rows
