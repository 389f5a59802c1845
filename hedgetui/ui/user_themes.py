"""A user theme's ``.tcss`` file, checked before the dashboard starts: one line naming the file
and the line of the first mistake (Textual would otherwise stop with a screenful of its own).

The check parses the file as the dashboard would, with the variables a theme may use (Textual's
and ours: ``$sev-warn``, ``$sev-crit``, ``$chart-mark``, ``$select``).
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.css.stylesheet import Stylesheet, StylesheetParseError
from textual.css.tokenizer import TokenError

from hedgetui.files import FileReadError, read_text_file
from hedgetui.ui.layout import CHART_COLOURS, SEVERITY_COLOURS

MAX_THEME_BYTES = 256 * 1024  # a theme is a few hundred bytes; a log file by mistake is not


def _variables() -> dict[str, str]:
    return {**App().get_css_variables(), **SEVERITY_COLOURS["dark"], **CHART_COLOURS["dark"]}


def theme_file_problem(path: Path) -> str | None:
    """``<path>:<line>: <what is wrong>`` for a theme file that cannot be used, else None."""
    try:
        css = read_text_file(path, what="theme file", max_bytes=MAX_THEME_BYTES)
    except FileReadError as exc:
        return f"{path}: {exc.reason}"
    stylesheet = Stylesheet(variables=_variables())
    try:
        stylesheet.add_source(css, read_from=(str(path), ""))
        stylesheet.parse()
    except StylesheetParseError as exc:
        for rule in exc.errors.rules:
            for token, message in rule.errors:
                line = f":{token.location[0] + 1}" if token is not None else ""
                return f"{path}{line}: {' '.join(str(message).split())}"
        return f"{path}: not a stylesheet Textual can read"
    except TokenError as exc:  # a syntax error (UnresolvedVariableError is one too)
        return f"{path}:{exc.start[0]}: {' '.join(str(exc).split())}"
    return None
