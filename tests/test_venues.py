"""Venue profiles: the packaged TOML, lookups, refusals and liquidation-price rounding."""

from __future__ import annotations

import pytest

from hedgetui.domain import VENUES
from hedgetui.risk import liquidation_price, tiers_with_deductions
from hedgetui.venues import (
    InstrumentProfile,
    NotInverseError,
    UnknownInstrumentError,
    default_symbol,
    get_instrument,
    instruments,
    load_profiles,
    position_for,
    round_liquidation,
    venue_names,
)

# contract size and tick from shared/exchanges/README.md (cross-venue summary)
EXPECTED_BTC = {
    ("bitmex", "XBTUSD"): (1, 0.5),
    ("bybit", "BTCUSD"): (1, 0.5),
    ("binance", "BTCUSD_PERP"): (100, 0.1),
    ("deribit", "BTC-PERPETUAL"): (10, 0.5),
    ("okx", "BTC-USD-SWAP"): (100, 0.1),
    ("kraken", "PI_XBTUSD"): (1, 0.5),
}
EXPECTED_ETH_SIZE = {
    ("bybit", "ETHUSD"): 1,
    ("binance", "ETHUSD_PERP"): 10,
    ("deribit", "ETH-PERPETUAL"): 1,
    ("okx", "ETH-USD-SWAP"): 10,
    ("kraken", "PI_ETHUSD"): 1,
}


def test_every_domain_venue_has_profiles() -> None:
    assert set(venue_names()) == set(VENUES)


@pytest.mark.parametrize(("key", "spec"), EXPECTED_BTC.items())
def test_btc_perpetual_specs(key: tuple[str, str], spec: tuple[float, float]) -> None:
    venue, symbol = key
    profile = get_instrument(venue, symbol)
    assert (profile.contract_size, profile.tick_size) == spec
    assert profile.coin == "BTC" and profile.inverse
    assert default_symbol(venue) == symbol
    assert default_symbol(venue, "XBT") == symbol


@pytest.mark.parametrize(("key", "size"), EXPECTED_ETH_SIZE.items())
def test_eth_inverse_perpetuals(key: tuple[str, str], size: float) -> None:
    venue, symbol = key
    profile = get_instrument(venue, symbol)
    assert profile.contract_size == size and profile.coin == "ETH"
    assert default_symbol(venue, "eth") == symbol


def test_bitmex_ethusd_is_a_quanto_and_refused() -> None:
    with pytest.raises(NotInverseError, match="quanto"):
        get_instrument("bitmex", "ETHUSD")
    assert all(p.inverse for p in instruments())
    assert not any(p.symbol == "ETHUSD" for p in instruments("bitmex"))
    with pytest.raises(UnknownInstrumentError, match="no inverse ETH perpetual on bitmex"):
        default_symbol("bitmex", "ETH")


def test_lookups_are_case_insensitive_and_errors_are_clear() -> None:
    assert get_instrument("ByBit", "btcusd").symbol == "BTCUSD"
    with pytest.raises(KeyError) as unknown_venue:
        get_instrument("ftx", "BTC-PERP")
    assert str(unknown_venue.value).startswith("unknown venue 'ftx' (known: bitmex, bybit")
    with pytest.raises(UnknownInstrumentError) as unknown_symbol:
        get_instrument("okx", "BTC-USDT-SWAP")
    assert "known: BTC-USD-SWAP, ETH-USD-SWAP" in str(unknown_symbol.value)


def test_binance_tiers_match_the_published_table() -> None:
    tiers = get_instrument("binance", "BTCUSD_PERP").tiers
    rebuilt = tiers_with_deductions((t.floor_coin, t.cap_coin, t.mmr, t.imr) for t in tiers)
    assert [t.deduction for t in tiers] == pytest.approx([t.deduction for t in rebuilt])
    assert [t.imr for t in tiers] == pytest.approx([2 * t.mmr for t in tiers])
    assert tiers[-1].deduction == pytest.approx(11.605)


def test_bitmex_tiers_step_the_whole_position() -> None:
    tiers = get_instrument("bitmex", "XBTUSD").tiers
    assert [t.floor_coin for t in tiers] == [0, 200, 350, 500]
    assert all(t.deduction == 0 for t in tiers)
    assert [t.imr for t in tiers] == pytest.approx([t.mmr + 0.005 for t in tiers])


@pytest.mark.parametrize(
    ("side", "price", "expected"),
    [("long", 5_739.08, 5_739.5), ("short", 8_248.73, 8_248.5), ("long", 7_000.0, 7_000.0)],
)
def test_bybit_rounds_long_up_and_short_down(side: str, price: float, expected: float) -> None:
    profile = get_instrument("bybit", "BTCUSD")
    assert round_liquidation(profile, "long" if side == "long" else "short", price) == expected


def test_nearest_tick_rounding() -> None:
    binance = get_instrument("binance", "BTCUSD_PERP")
    assert round_liquidation(binance, "long", 74_662.5349) == 74_662.5
    assert round_liquidation(binance, "short", 100.06) == pytest.approx(100.1)
    bitmex = get_instrument("bitmex", "XBTUSD")
    assert round_liquidation(bitmex, "short", 49_689.44) == 49_689.5


def test_position_for_fills_the_profile() -> None:
    profile = get_instrument("binance", "BTCUSD_PERP")
    position = position_for(profile, "short", 1_000, 60_000, 0.5)
    assert position.notional_usd == 100_000
    assert position.tiers == profile.tiers and position.fee == profile.taker_fee
    assert position_for(profile, "short", 1_000, 60_000, 0.5, fee=0.0).fee == 0.0
    assert liquidation_price(position, 60_000) is not None


def test_deribit_size_dependent_rate_is_loaded() -> None:
    profile = get_instrument("deribit", "BTC-PERPETUAL")
    assert (profile.mmr, profile.mmr_per_coin) == (0.01, 0.00005)


MINIMAL = """
[[instrument]]
venue = "x"
symbol = "Y"
coin = "btc"
contract_size = 1
tick_size = 0.5
lot_size = 1
mmr = 0.005
funding_interval_hours = 8
taker_fee = 0.0005
"""


def test_load_profiles_defaults_and_validation() -> None:
    (profile,) = load_profiles(MINIMAL)
    assert isinstance(profile, InstrumentProfile)
    assert (profile.coin, profile.mm_basis, profile.liq_rounding) == ("BTC", "mark", "none")
    assert round_liquidation(profile, "long", 123.456) == 123.456
    with pytest.raises(ValueError, match="'tick_size' must be a number"):
        load_profiles(MINIMAL.replace("tick_size = 0.5", 'tick_size = "0.5"'))
    with pytest.raises(ValueError, match="'mm_basis' must be 'mark' or 'entry'"):
        load_profiles(MINIMAL + 'mm_basis = "bankrupt"\n')
    with pytest.raises(ValueError, match="at least one"):
        load_profiles("")
    gap = MINIMAL + (
        "tiers = [{ floor_coin = 0, cap_coin = 5, mmr = 0.004 },"
        " { floor_coin = 6, cap_coin = inf, mmr = 0.01 }]\n"
    )
    with pytest.raises(ValueError, match="continue the previous tier"):
        load_profiles(gap)
