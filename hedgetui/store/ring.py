"""A fixed ring of floats whose memory is all taken when it is made.

A ``deque(maxlen=n)`` of floats grows by a float object and a slot with every value until it
holds ``n``: the basis ring (an hour at a point a second, per hedge) took a whole hour to reach
its size, and a long session's memory rose by ~0.1 MB an hour per hedge meanwhile. This ring
keeps the values in one ``array('d')`` of ``n`` doubles from the start: appending writes in
place and allocates nothing, so its memory is flat from the first second.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from itertools import chain


class FloatRing:
    """The last ``size`` values appended, oldest first (``tuple(ring)``, ``len(ring)``)."""

    __slots__ = ("_count", "_next", "_values")

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"a ring holds at least one value, got size {size}")
        self._values = array("d", bytes(8 * size))
        self._next = 0  # where the next value goes
        self._count = 0

    @property
    def size(self) -> int:
        return len(self._values)

    def append(self, value: float) -> None:
        values = self._values
        position = self._next
        values[position] = value
        position += 1
        self._next = 0 if position == len(values) else position
        if self._count < len(values):
            self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[float]:
        values = self._values
        if self._count < len(values):
            return iter(values[: self._count])
        return chain(values[self._next :], values[: self._next])
