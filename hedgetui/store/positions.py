"""The risk engine's position for a hedge: entered by hand, or from the account's stream."""

from __future__ import annotations

from hedgetui.config import ManualPosition
from hedgetui.domain import BalanceUpdate, PositionUpdate, Side
from hedgetui.risk import InversePosition
from hedgetui.venues import InstrumentProfile, get_instrument


def manual_position(
    pos: ManualPosition, *, profile_contract_size: float, venue: str, symbol: str
) -> InversePosition:
    """The risk engine's position for a hand-entered one, venue defaults filled in.

    Collateral defaults to the initial margin at the configured leverage (1x when none), which is
    what an isolated position opened at that leverage holds.
    """
    profile = get_instrument(venue, symbol)
    size = pos.contract_size or profile_contract_size
    collateral = pos.collateral
    if collateral is None:
        leverage = pos.leverage or 1.0
        collateral = pos.contracts * size / (pos.entry * leverage)
    return InversePosition(
        side=pos.side,
        contracts=pos.contracts,
        contract_size=size,
        entry=pos.entry,
        collateral=collateral,
        mmr=pos.mmr if pos.mmr is not None else profile.mmr,
        mm_deduction=pos.mm_deduction or 0.0,
        tiers=() if pos.mmr is not None else profile.tiers,
        mmr_per_coin=0.0 if pos.mmr is not None else profile.mmr_per_coin,
        mm_basis=pos.mm_basis or profile.mm_basis,
        fee=pos.fee if pos.fee is not None else profile.taker_fee,
        leverage=pos.leverage,
    )


def account_position(
    upd: PositionUpdate, balance: BalanceUpdate | None, profile: InstrumentProfile
) -> InversePosition | None:
    """The position an account reports (None when flat, without an entry price, or when a
    cross-margined position has no wallet ``balance`` to count as its collateral)."""
    entry = upd.entry_price
    if entry is None or upd.contracts == 0:
        return None
    side: Side = "short" if upd.contracts < 0 else "long"
    if upd.margin_mode == "isolated" and upd.isolated_margin is not None:
        collateral = upd.isolated_margin
    elif balance is None:
        return None
    else:
        collateral = balance.wallet_balance
    return InversePosition(
        side=side,
        contracts=abs(upd.contracts),
        contract_size=upd.contract_size or profile.contract_size,
        entry=entry,
        collateral=collateral,
        mmr=profile.mmr,
        tiers=profile.tiers,
        mm_basis=profile.mm_basis,
        fee=profile.taker_fee,
        leverage=upd.leverage,
        mmr_per_coin=profile.mmr_per_coin,
    )
