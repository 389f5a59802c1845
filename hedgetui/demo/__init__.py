"""The demo, all of it: the demo portfolio (``portfolio``), the simulator it starts and the
settings pointing at it (``exchange``), the demo accounts, their credentials and the simulator's
books seeded with them (``accounts``), and ``hedgetui unwind --demo`` (``trading``).

Besides ``hedgetui.commands``, the only product code that imports the simulator
(``hedgetui.sim``); an import contract keeps it so.
"""

from __future__ import annotations

from hedgetui.demo.exchange import DemoExchange, demo_environment, demo_exchange

__all__ = ["DemoExchange", "demo_environment", "demo_exchange"]
