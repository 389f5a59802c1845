"""Every venue's real private-stream sample parses to the right PositionUpdate/BalanceUpdate."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import orjson
import pytest

from hedgetui.account_streams.parsers import (
    BitmexPrivateParser,
    DeribitPrivateParser,
    private_parser,
)
from hedgetui.domain import BalanceUpdate, PositionUpdate
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from tests.conftest import SAMPLES_DIR

T = TypeVar("T")

# (venue, sample file, watched instruments) for every private position/balance sample
PRIVATE_SAMPLES: list[tuple[str, str, dict[str, float]]] = [
    ("bitmex", "bitmex/position_partial_flat_testnet_2021.json", {"XBTUSD": 1.0}),
    ("bybit", "bybit/position_stream_docs.json", {"BTCUSDT": 1.0}),
    ("bybit", "bybit/wallet_stream_docs.json", {"BTCUSD": 1.0}),
    ("binance", "binance_coinm/ACCOUNT_UPDATE_docs.json", {"BTCUSD_200925": 100.0}),
    ("deribit", "deribit/user_portfolio_notification_docs_v2_old.json", {}),
    ("okx", "okx/positions_push_single_docs.json", {"ETH-USD-210430": 10.0}),
    ("okx", "okx/account_push_docs.json", {}),
    ("kraken", "kraken_futures/open_positions_docs.json", {"PI_XRPUSD": 1.0}),
    ("kraken", "kraken_futures/balances_single_collateral_delta_docs.json", {}),
]

T0 = 1_700_000_000_000  # a plausible exchange time (a time near 1970 is refused)


def _frame(path: str) -> bytes:
    return (SAMPLES_DIR / path).read_bytes()


def _only(events: Sequence[object], kind: type[T]) -> list[T]:
    return [e for e in events if isinstance(e, kind)]


@pytest.mark.parametrize(("venue", "path", "watched"), PRIVATE_SAMPLES)
def test_every_private_sample_gives_account_events(
    venue: str, path: str, watched: dict[str, float]
) -> None:
    events = private_parser(venue, watched, account="acct").parse(_frame(path))
    assert events, f"{path} gave no events"
    for event in events:
        assert isinstance(event, PositionUpdate | BalanceUpdate)
        assert event.venue == venue
        assert event.account == "acct"


def test_bitmex_partial_then_update_merges_the_row() -> None:
    parser = BitmexPrivateParser({"XBTUSD": 1.0})
    (flat,) = parser.parse(_frame("bitmex/position_partial_flat_testnet_2021.json"))
    assert isinstance(flat, PositionUpdate)
    assert (flat.contracts, flat.entry_price, flat.liquidation_price) == (0.0, None, None)
    assert flat.margin_mode == "cross"  # crossMargin: true in the partial
    (opened,) = parser.parse(_frame("bitmex/position_update_opened_testnet_2021.json"))
    assert isinstance(opened, PositionUpdate)
    assert opened.contracts == 100.0
    assert opened.entry_price == 46976
    assert opened.liquidation_price == 6125.5
    assert opened.margin_mode == "cross"  # kept from the partial: the update omits it
    assert opened.leverage == 100
    assert opened.ts == 1639864424928  # 2021-12-18T21:53:44.928Z


def test_bitmex_update_before_partial_is_ignored() -> None:
    parser = BitmexPrivateParser({"XBTUSD": 1.0})
    assert parser.parse(_frame("bitmex/position_update_opened_testnet_2021.json")) == []


def test_bitmex_margin_is_satoshi() -> None:
    frame = orjson.dumps(
        {
            "table": "margin",
            "action": "partial",
            "data": [{"currency": "XBt", "walletBalance": 12_345_678, "timestamp": None}],
        }
    )
    (bal,) = BitmexPrivateParser({}).parse(frame)
    assert bal == BalanceUpdate("bitmex", "BTC", 0.12345678, None, None)


def test_bybit_position_sample_is_flat_and_wallet_in_coin() -> None:
    parser = private_parser("bybit", {"BTCUSDT": 1.0})
    (pos,) = parser.parse(_frame("bybit/position_stream_docs.json"))
    assert isinstance(pos, PositionUpdate)
    assert (pos.contracts, pos.entry_price, pos.liquidation_price) == (0.0, None, None)
    assert pos.leverage == 10 and pos.margin_mode == "cross" and pos.ts == 1697682317038
    (bal,) = parser.parse(_frame("bybit/wallet_stream_docs.json"))
    assert bal == BalanceUpdate("bybit", "BTC", 0.00102964, 1700034722104, None)


def test_bybit_short_row_is_negative() -> None:
    # the inverse short of the REST docs example, pushed as a stream row
    rest = json.loads(_frame("bybit/rest_position_list_inverse_docs.json"))
    row = rest["result"]["list"][0]
    frame = orjson.dumps({"topic": "position.inverse", "creationTime": T0, "data": [row]})
    (pos,) = private_parser("bybit", {"BTCUSD": 1.0}).parse(frame)
    assert isinstance(pos, PositionUpdate)
    assert pos.contracts == -float(row["size"]) < 0
    assert pos.entry_price == float(row["avgPrice"] or row["entryPrice"])


def test_binance_hedge_legs_net_and_balances() -> None:
    parser = private_parser("binance", {"BTCUSD_200925": 100.0})
    events = parser.parse(_frame("binance_coinm/ACCOUNT_UPDATE_docs.json"))
    balances = _only(events, BalanceUpdate)
    assert [(b.coin, b.wallet_balance) for b in balances] == [
        ("BTC", 122624.12345678),
        ("ETH", 1.0),
    ]
    (pos,) = _only(events, PositionUpdate)
    assert pos.contracts == 20 - 10  # LONG 20 + SHORT -10 (BOTH 0)
    assert pos.entry_price is None  # two open legs: no single entry
    assert pos.margin_mode == "isolated"
    assert pos.contract_size == 100.0
    assert pos.ts == 1564745798938


def test_binance_one_way_short() -> None:
    frame = orjson.dumps(
        {
            "e": "ACCOUNT_UPDATE",
            "E": T0 + 1,
            "T": T0,
            "a": {
                "m": "ORDER",
                "B": [],
                "P": [
                    {"s": "BTCUSD_PERP", "pa": "-30", "ep": "60000.0", "mt": "cross", "ps": "BOTH"}
                ],
            },
        }
    )
    (pos,) = private_parser("binance", {"BTCUSD_PERP": 100.0}).parse(frame)
    assert isinstance(pos, PositionUpdate)
    assert (pos.contracts, pos.entry_price, pos.margin_mode, pos.ts) == (-30, 60000, "cross", T0)


def test_deribit_changes_payload_in_contracts_and_portfolio_balance() -> None:
    parser = DeribitPrivateParser({"BTC-PERPETUAL": 10.0})
    data = json.loads(_frame("deribit/user_changes_instrument_data_payload_docs.json"))
    (pos,) = parser.changes(data)
    assert isinstance(pos, PositionUpdate)
    assert pos.contracts == 185160 / 10  # size is USD; 10 USD per contract
    assert pos.entry_price == 15000 and pos.leverage == 33 and pos.ts == 1605780344032
    frame = orjson.dumps(
        {
            "jsonrpc": "2.0",
            "method": "subscription",
            "params": {"channel": "user.changes.BTC-PERPETUAL.100ms", "data": data},
        }
    )
    assert parser.parse(frame) == [pos]
    (bal,) = parser.parse(_frame("deribit/user_portfolio_notification_docs_v2_old.json"))
    assert bal == BalanceUpdate("deribit", "BTC", 0.23399957, None, None)
    payload = json.loads(_frame("deribit/user_portfolio_data_payload_docs.json"))
    wrapped = {
        "method": "subscription",
        "params": {"channel": "user.portfolio.btc", "data": payload},
    }
    (bal2,) = parser.parse(orjson.dumps(wrapped))
    assert isinstance(bal2, BalanceUpdate) and bal2.wallet_balance == 302.60065765


def test_okx_position_and_account() -> None:
    parser = private_parser("okx", {"ETH-USD-210430": 10.0, "BTC-USD-SWAP": 100.0})
    events = parser.parse(_frame("okx/positions_push_single_docs.json"))
    by_symbol = {e.symbol: e for e in _only(events, PositionUpdate)}
    eth = by_symbol["ETH-USD-210430"]
    assert (eth.contracts, eth.entry_price, eth.leverage) == (1.0, 2566.31, 10)
    assert eth.liquidation_price == pytest.approx(2352.8496681818233)
    assert eth.margin_mode == "isolated"
    assert eth.isolated_margin == pytest.approx(0.0003896645377994)
    # the snapshot does not list BTC-USD-SWAP: it is flat
    assert by_symbol["BTC-USD-SWAP"].contracts == 0.0
    (bal,) = parser.parse(_frame("okx/account_push_docs.json"))
    assert bal == BalanceUpdate("okx", "USDT", 4750.426970691436, 1705564213903, None)


def test_okx_short_side() -> None:
    row = {
        "instId": "BTC-USD-SWAP",
        "pos": "5",
        "posSide": "short",
        "avgPx": "50000",
        "uTime": str(T0),
    }
    frame = orjson.dumps(
        {"arg": {"channel": "positions"}, "eventType": "event_update", "data": [row]}
    )
    (pos,) = private_parser("okx", {"BTC-USD-SWAP": 100.0}).parse(frame)
    assert isinstance(pos, PositionUpdate) and pos.contracts == -5 and pos.ts == T0


def test_kraken_open_positions_and_balances() -> None:
    parser = private_parser("kraken", {"PI_XRPUSD": 1.0, "PI_XBTUSD": 1.0})
    events = parser.parse(_frame("kraken_futures/open_positions_docs.json"))
    by_symbol = {e.symbol: e for e in _only(events, PositionUpdate)}
    xrp = by_symbol["PI_XRPUSD"]
    assert (xrp.contracts, xrp.entry_price, xrp.liquidation_price) == (500.0, 0.3985, None)
    assert xrp.ts == 1687383625330
    assert by_symbol["PI_XBTUSD"].contracts == 0.0  # not open -> flat
    (bal,) = parser.parse(_frame("kraken_futures/balances_single_collateral_delta_docs.json"))
    assert bal == BalanceUpdate("kraken", "BTC", 0.1219368845, 1640995200000, None)


@pytest.mark.parametrize(
    ("venue", "path"),
    [
        ("bybit", "bybit/auth_success.json"),
        ("bybit", "bybit/subscribe_ack_private.json"),
        ("bybit", "bybit/pong_private.json"),
        ("okx", "okx/login_response.json"),
        ("deribit", "deribit/public_auth_response_docs.json"),
        ("kraken", "kraken_futures/open_positions_subscribed_ack_docs.json"),
        ("bitmex", "bitmex/welcome_testnet.json"),
    ],
)
def test_control_replies_carry_no_events(venue: str, path: str) -> None:
    assert private_parser(venue, {}).parse(_frame(path)) == []


@pytest.mark.parametrize(
    ("venue", "frame", "needle"),
    [
        ("bybit", '{"success":false,"ret_msg":"Params Error","op":"auth"}', "Params Error"),
        ("okx", '{"event":"error","code":"60009","msg":"Login failed."}', "60009"),
        ("bitmex", '{"status":401,"error":"Signature not valid.","meta":{}}', "Signature"),
        ("deribit", '{"id":1,"error":{"code":13004,"message":"invalid_credentials"}}', "13004"),
        ("kraken", '{"event":"error","message":"Invalid API key"}', "Invalid API key"),
        ("binance", '{"code":-1022,"msg":"Signature for this request is not valid."}', "-1022"),
    ],
)
def test_error_replies_are_venue_errors(venue: str, frame: str, needle: str) -> None:
    with pytest.raises(VenueErrorReply, match=needle):
        private_parser(venue, {}).parse(frame)


@pytest.mark.parametrize("venue", ["bitmex", "bybit", "binance", "deribit", "okx", "kraken"])
@pytest.mark.parametrize("frame", ["{not json", "[1,2]", '{"topic":"position","data":[{}]}'])
def test_garbage_is_a_parse_error_never_a_crash(venue: str, frame: str) -> None:
    with contextlib.suppress(FeedParseError):  # anything else escaping fails the test
        private_parser(venue, {"BTCUSD": 1.0}).parse(frame)


def test_unknown_venue_is_named() -> None:
    with pytest.raises(ValueError, match="known: bitmex"):
        private_parser("ftx", {})


def test_samples_exist() -> None:
    for _, path, _ in PRIVATE_SAMPLES:
        assert Path(SAMPLES_DIR / path).is_file(), path
