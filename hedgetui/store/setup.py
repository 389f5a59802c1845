"""What a store is built with from the settings: its hedges' records and its plausibility gate."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

from hedgetui.config import Settings
from hedgetui.plausibility import price_band
from hedgetui.plausibility_gate import Gate, Rules
from hedgetui.store.positions import manual_position
from hedgetui.store.state import HedgeState, Key
from hedgetui.venues import get_instrument


def hedge_states(
    settings: Settings, index_symbol: Callable[[str, str], str]
) -> dict[str, HedgeState]:
    """One record per configured hedge, by name (a hand-entered position built once)."""
    points = max(2, settings.display.sparkline_points)
    states: dict[str, HedgeState] = {}
    for hedge in settings.hedges:
        profile = get_instrument(hedge.venue, hedge.symbol)
        pos = hedge.position
        size = pos.contract_size if pos and pos.contract_size else profile.contract_size
        manual = None
        if pos is not None:
            manual = manual_position(
                pos, profile_contract_size=size, venue=hedge.venue, symbol=hedge.symbol
            )
        states[hedge.name] = HedgeState(
            settings=hedge,
            index_key=(hedge.venue, index_symbol(hedge.venue, hedge.symbol)),
            contract_size=size,
            profile=profile,
            manual=manual,
            mark_ring=deque(maxlen=points),
            funding_ring=deque(maxlen=points),
        )
    return states


def plausibility_gate(settings: Settings, hedges: Iterable[HedgeState]) -> Gate:
    """The gate with ``[freshness]``'s rules and each hedged instrument's price band (for its
    mark and for its index)."""
    fresh = settings.freshness
    rules = Rules(
        max_jump=fresh.max_jump_pct / 100,
        jump_persist=fresh.jump_persist,
        clock_window_ms=int(fresh.clock_window_s * 1000),
    )
    bands: dict[Key, tuple[float, float]] = {}
    for hedge in hedges:
        band = price_band(hedge.profile.tick_size)
        bands[(hedge.settings.venue, hedge.settings.symbol)] = band
        bands[hedge.index_key] = band
    return Gate(rules, bands)
