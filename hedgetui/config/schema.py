"""Read one TOML table into one settings dataclass, checking keys, types and limits.

The field's annotation decides the accepted TOML type (``int`` is accepted where a float
is expected; a boolean is never a number), the field's metadata its limits. Every error
names the dotted key and where it came from (file line or environment variable).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import types
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from hedgetui.config.locate import KeyPath, dotted, line_of
from hedgetui.config.model import ConfigError
from hedgetui.config.redact import masked, may_be_secret, secret_like

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")

Table = Mapping[str, object]


class Context:
    """Where each key came from, and the ``sources`` being collected for ``Settings``."""

    def __init__(self, path: Path | None, lines: dict[KeyPath, int]) -> None:
        self.path = path
        self.lines = lines
        self.env: dict[KeyPath, str] = {}
        self.sources: dict[str, str] = {}

    def error(self, at: KeyPath, message: str) -> ConfigError:
        key = dotted(at) or None
        if at in self.env:
            return ConfigError(message, key=key, env_var=self.env[at])
        return ConfigError(message, key=key, line=line_of(self.lines, at), path=self.path)

    def source(self, at: KeyPath) -> str:
        if at in self.env:
            return f"env {self.env[at]}"
        if at in self.lines:
            where = str(self.path) if self.path is not None else "line"
            sep = ":" if self.path is not None else " "
            return f"file {where}{sep}{self.lines[at]}"
        return "default"

    def show(self, at: KeyPath, value: object) -> str:
        """``value`` for an error message: :func:`describe`, or only its length and first
        characters when it came from the environment or may be a secret."""
        if isinstance(value, list | dict):
            return describe(value)  # "an array", "a table": nothing of the content
        if at in self.env or may_be_secret(dotted(at), value):
            return masked(value)
        return describe(value)

    def quoted(self, at: KeyPath, text: str) -> str:
        """``'text'``, or its mask as :meth:`show` decides."""
        return masked(text) if at in self.env or may_be_secret(dotted(at), text) else f"'{text}'"

    def record(self, at: KeyPath, source: str | None = None) -> None:
        self.sources[dotted(at)] = source if source is not None else self.source(at)


# --------------------------------------------------------------------------- describing values


def describe(value: object) -> str:
    """A short, safe rendering of a TOML value for an error message."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'"{shown}" (a string)'
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_keys(table: Table, allowed: Iterable[str], at: KeyPath, ctx: Context) -> None:
    allowed = list(allowed)
    for key in table:
        if key not in allowed:
            where = f"in [{dotted(at)}]" if at else "at the top level"
            if secret_like(key):  # a key pasted where a key name goes: not even in the path
                raise ctx.error(at, f"unknown key {masked(key)} {where}")
            raise ctx.error((*at, key), f"unknown key '{key}' {where}{did_you_mean(key, allowed)}")


def as_table(value: object, at: KeyPath, ctx: Context) -> Table:
    if not isinstance(value, dict):
        raise ctx.error(at, f"must be a table ([{dotted(at)}]), got {ctx.show(at, value)}")
    return value


def as_table_list(value: object, at: KeyPath, ctx: Context) -> list[Table]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        name = dotted(at)
        raise ctx.error(at, f"must be an array of tables: write [[{name}]] for each entry")
    return value


# --------------------------------------------------------------------------- coercion


@cache
def hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def field_type(cls: type, name: str) -> Any:
    return hints(cls)[name]


def split_optional(hint: Any) -> tuple[Any, bool]:
    """``X | None`` -> ``(X, True)``; anything else -> ``(hint, False)``."""
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(get_args(hint)) == 2:
            return args[0], True
    return hint, False


def coerce(hint: Any, value: object, at: KeyPath, ctx: Context) -> object:
    """``value`` as the annotation ``hint`` asks, or a ``ConfigError``."""
    inner, optional = split_optional(hint)
    if value is None:
        if optional:
            return None
        raise ctx.error(at, "must be set")
    if get_origin(inner) is Literal:
        choices = [str(c) for c in get_args(inner)]
        if isinstance(value, str) and value in choices:
            return value
        listed = ", ".join(f"'{c}'" for c in choices)
        hint_text = did_you_mean(value, choices) if isinstance(value, str) else ""
        raise ctx.error(at, f"must be one of {listed}, got {ctx.show(at, value)}{hint_text}")
    if get_origin(inner) is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ctx.error(at, f"must be an array of strings, got {ctx.show(at, value)}")
        return tuple(value)
    if inner is bool:
        if isinstance(value, bool):
            return value
        raise ctx.error(at, f"must be true or false, got {ctx.show(at, value)}")
    if inner is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ctx.error(at, f"must be a whole number, got {ctx.show(at, value)}")
    if inner is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
            if not math.isfinite(number):
                raise ctx.error(at, f"must be a finite number, got {ctx.show(at, value)}")
            return number
        raise ctx.error(at, f"must be a number, got {ctx.show(at, value)}")
    if inner is str:
        if isinstance(value, str):
            return value
        raise ctx.error(at, f"must be a string, got {ctx.show(at, value)}")
    if inner is date:
        return _date(value, at, ctx)
    raise TypeError(f"unsupported settings type {hint!r} at {dotted(at)}")  # programming error


def _date(value: object, at: KeyPath, ctx: Context) -> date:
    """A TOML date (``2026-11-01``, unquoted) or the same written as a string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ctx.error(at, f"must be a date like 2026-11-01, got {ctx.show(at, value)}")


def check_limits(
    field: dataclasses.Field[Any], value: object, raw: object, at: KeyPath, ctx: Context
) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return
    bounds = field.metadata
    shown = raw if isinstance(raw, int | float) and not isinstance(raw, bool) else value
    for name, word in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
        if name not in bounds:
            continue
        bound = float(bounds[name])
        ok = {"ge": value >= bound, "gt": value > bound, "le": value <= bound, "lt": value < bound}
        if not ok[name]:
            raise ctx.error(at, f"must be {word} {bound:g}, got {ctx.show(at, shown)}")


def fields_of(cls: type[DataclassInstance]) -> dict[str, dataclasses.Field[Any]]:
    return {f.name: f for f in dataclasses.fields(cls)}


def read_field(
    cls: type[DataclassInstance], name: str, table: Table, at: KeyPath, ctx: Context
) -> object:
    """The checked value of one field that is present in ``table``; records its source."""
    raw = table[name]
    field = fields_of(cls)[name]
    value = coerce(field_type(cls, name), raw, (*at, name), ctx)
    check_limits(field, value, raw, (*at, name), ctx)
    if field.metadata.get("path") and isinstance(value, str):
        if not value.strip():
            raise ctx.error((*at, name), "must not be empty (leave the key out for the default)")
        value = os.path.expanduser(value)
    ctx.record((*at, name))
    return value


def read_table(
    cls: type[T],
    table: Table,
    at: KeyPath,
    ctx: Context,
    *,
    fixed: Mapping[str, object] | None = None,
    base: T | None = None,
) -> T:
    """Build ``cls`` from ``table``.

    ``fixed`` values are not read from the table (e.g. a venue's name, which is its table's
    key). Missing keys take ``base``'s value when given (not recorded as a source: a
    per-hedge alert table inherits the global one), else the field default (recorded as
    ``"default"``), else are an error.
    """
    fixed = fixed or {}
    known = fields_of(cls)
    check_keys(table, [n for n in known if n not in fixed], at, ctx)
    values: dict[str, object] = dict(fixed)
    for name, field in known.items():
        if name in fixed:
            continue
        if name in table:
            values[name] = read_field(cls, name, table, at, ctx)
        elif base is not None:
            values[name] = getattr(base, name)
        elif field.default is not dataclasses.MISSING:
            values[name] = field.default
            ctx.record((*at, name), "default")
        elif field.default_factory is not dataclasses.MISSING:
            factory: Callable[[], object] = field.default_factory
            values[name] = factory()
            ctx.record((*at, name), "default")
        else:
            where = f"[{dotted(at)}]" if at else "the top level"
            raise ctx.error((*at, name), f"missing required key '{name}' in {where}")
    return cls(**values)
