"""How the feed adapters build market events on the hot path.

``Ticker``, ``MarkPrice``, ``IndexPrice`` and ``Funding`` (``hedgetui.domain``) are NamedTuples.
Calling the class goes through the generated Python ``__new__`` (keyword binding, defaults); the
adapters instead call ``new_event(MarkPrice, (venue, symbol, price, ts))``, which is
``tuple.__new__``: the same immutable, equal instance, built about twice as fast. It does not
check the number of items, so every call passes all fields in declaration order (``Funding``
includes ``interval_hours``; a ``Ticker`` has nine); the adapter tests compare the events field by
field.
"""

from __future__ import annotations

new_event = tuple.__new__
