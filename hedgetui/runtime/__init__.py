"""The composition root: settings -> feeds, account streams and pollers, store, alert engine
and dispatcher, trading clients, audit log and the unwind service.

The UI and the commands receive what they need from a :class:`Runtime`
(``rt.store``, ``rt.unwind_service(hedge)``, ``rt.alert_engine()``, ``rt.alert_dispatcher()``)
and construct none of it. ``core``: the runtime itself; ``accounts``: the exchange accounts'
clients, private streams and pollers; ``unwind``: the unwind service's wiring.
"""

from __future__ import annotations

from hedgetui.runtime.core import FRAME_LOGGER, Runtime, Sink, feed_plan

__all__ = ["FRAME_LOGGER", "Runtime", "Sink", "feed_plan"]
