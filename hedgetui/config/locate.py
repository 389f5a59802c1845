"""Find the line of every key in a TOML document (``tomllib`` reports none).

A small scanner over text that ``tomllib`` has already accepted: it follows ``[table]`` and
``[[array]]`` headers (counting array elements), dotted keys, inline tables and arrays of
inline tables, and skips strings of all four kinds so that a ``#``, ``=`` or ``[`` inside a
string is never mistaken for syntax. Key paths are tuples such as
``("hedges", 0, "position", "contracts")``.
"""

from __future__ import annotations

KeyPath = tuple[str | int, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def dotted(path: KeyPath) -> str:
    """``("hedges", 0, "position")`` -> ``"hedges[0].position"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[KeyPath, int] = {}
        self.array_counts: dict[KeyPath, int] = {}

    # -- low level -------------------------------------------------------------------

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def advance(self, n: int = 1) -> None:
        chunk = self.text[self.pos : self.pos + n]
        self.line += chunk.count("\n")
        self.pos += n

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def skip_blank(self, newlines: bool) -> None:
        """Skip spaces (and comments and newlines when ``newlines``)."""
        while not self.at_end():
            c = self.peek()
            if c in " \t\r":
                self.advance()
            elif c == "#":
                self.skip_line()
            elif c == "\n" and newlines:
                self.advance()
            else:
                return

    def skip_line(self) -> None:
        end = self.text.find("\n", self.pos)
        self.advance((len(self.text) if end < 0 else end) - self.pos)

    def read_string(self) -> str:
        for quote in ('"""', "'''"):
            if self.peek(3) == quote:
                self.advance(3)
                start = self.pos
                while not self.at_end():
                    if quote == '"""' and self.peek() == "\\":
                        self.advance(2)
                    elif self.peek(3) == quote:
                        while self.peek(4) == quote + quote[0]:  # up to 2 quotes end the body
                            self.advance()
                        body = self.text[start : self.pos]
                        self.advance(3)
                        return body
                    else:
                        self.advance()
                return self.text[start:]
        quote = self.peek()
        self.advance()
        start = self.pos
        chars: list[str] = []
        while not self.at_end() and self.peek() not in (quote, "\n"):
            if quote == '"' and self.peek() == "\\":
                chars.append(self.peek(2))
                self.advance(2)
            else:
                chars.append(self.peek())
                self.advance()
        body = self.text[start : self.pos]
        self.advance()
        return body if quote == "'" else "".join(chars).replace('\\"', '"')

    def read_key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            if self.peek() in ('"', "'"):
                parts.append(self.read_string())
            else:
                start = self.pos
                while not self.at_end() and self.peek() in _BARE:
                    self.advance()
                parts.append(self.text[start : self.pos])
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return parts
            self.advance()

    # -- values ----------------------------------------------------------------------

    def skip_value(self, at: KeyPath) -> None:
        c = self.peek()
        if c in ('"', "'"):
            self.read_string()
        elif c == "[":
            self.advance()
            index = 0
            while True:
                self.skip_blank(newlines=True)
                if self.at_end() or self.peek() == "]":
                    self.advance()
                    return
                self.lines.setdefault((*at, index), self.line)
                self.skip_value((*at, index))
                self.skip_blank(newlines=True)
                if self.peek() == ",":
                    self.advance()
                    index += 1
        elif c == "{":
            self.advance()
            while True:
                self.skip_blank(newlines=True)
                if self.at_end() or self.peek() == "}":
                    self.advance()
                    return
                if self.peek() == ",":
                    self.advance()
                    continue
                self.key_value(at)
        else:
            while not self.at_end() and self.peek() not in ",]}#\n":
                self.advance()

    def key_value(self, table: KeyPath) -> None:
        line = self.line
        parts = self.read_key()
        path: KeyPath = table
        for part in parts:
            path = (*path, part)
            self.lines.setdefault(path, line)
        self.skip_blank(newlines=False)
        if self.peek() == "=":
            self.advance()
        self.skip_blank(newlines=False)
        self.skip_value(path)

    # -- document --------------------------------------------------------------------

    def header(self) -> KeyPath:
        line = self.line
        is_array = self.peek(2) == "[["
        self.advance(2 if is_array else 1)
        parts = self.read_key()
        path: KeyPath = ()
        for i, part in enumerate(parts):
            path = (*path, part)
            last = i == len(parts) - 1
            if last and is_array:
                count = self.array_counts.get(path, 0)
                self.array_counts[path] = count + 1
                self.lines.setdefault(path, line)
                path = (*path, count)
            elif path in self.array_counts:
                path = (*path, self.array_counts[path] - 1)
            self.lines.setdefault(path, line)
        self.skip_line()
        return path

    def scan(self) -> dict[KeyPath, int]:
        table: KeyPath = ()
        while True:
            self.skip_blank(newlines=True)
            if self.at_end():
                return self.lines
            if self.peek() == "[":
                table = self.header()
            else:
                before = self.pos
                self.key_value(table)
                if self.pos == before:  # cannot happen on valid TOML; never loop forever
                    self.skip_line()


def key_lines(text: str) -> dict[KeyPath, int]:
    """Map each key path in the (valid) TOML ``text`` to the 1-based line it first appears on."""
    return _Scanner(text).scan()


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, else of its nearest located ancestor (e.g. an inline table)."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None
