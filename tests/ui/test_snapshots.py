"""SVG snapshots of the dashboard: 3 themes x (80x24, 160x48), from a scripted store.

Deterministic: a ManualClock and hand-fed events, no simulator, no real time, and no alerts
panel (another part of hedgetui, with its own tests) so that its changes do not churn these
files. Regenerate with
``pytest tests/ui/test_snapshots.py --snapshot-update`` and look at the result.
"""

from __future__ import annotations

from typing import Any

import pytest

from hedgetui.ui.app import THEME_NAMES, HedgeApp
from tests.ui.test_ui_dashboard import scripted_store

SIZES = {"80x24": (80, 24), "160x48": (160, 48)}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("theme", THEME_NAMES)
def test_dashboard_snapshot(snap_compare: Any, theme: str, size: str) -> None:
    store, _ = scripted_store(history_s=60)
    app = HedgeApp(store, theme=theme, mount_alerts=False)
    assert snap_compare(app, terminal_size=SIZES[size])


def test_stale_feed_and_typed_move_snapshot(snap_compare: Any) -> None:
    """What stale looks like (bitmex silent past stale_after_s) and a typed what-if row."""
    from hedgetui.domain import MarkPrice
    from tests.ui.test_ui_dashboard import MARKS

    store, clock = scripted_store(history_s=60)
    clock.advance(store.settings.freshness.stale_after_s + 5)
    for (venue, symbol), mark in MARKS.items():
        if venue != "bitmex":
            store.apply(MarkPrice(venue, symbol, mark, None))
    app = HedgeApp(store, mount_alerts=False)
    keys = ["w", "minus", "1", "5", "enter", "escape"]
    assert snap_compare(app, terminal_size=(160, 48), press=keys)
