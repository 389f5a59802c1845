"""Adapter behaviour beyond single samples: delta merging, partials, keep-alive, URLs, values.

Expectations are written as the classic events; ``classic`` expands a venue's ``Ticker``.
"""

from __future__ import annotations

import orjson
import pytest

from hedgetui.domain import Funding, IndexPrice, MarkPrice, split_market_events
from hedgetui.feeds import FeedParseError, VenueAdapter, VenueErrorReply, get_adapter
from hedgetui.feeds.values import iso_millis, millis, price, timespan_hours
from tests.conftest import SAMPLES_DIR
from tests.feeds_helpers import as_tuple, wire_frame

BITMEX = SAMPLES_DIR / "bitmex"
BYBIT = SAMPLES_DIR / "bybit"


def classic(adapter: VenueAdapter, frame: str | bytes) -> list[MarkPrice | IndexPrice | Funding]:
    """``adapter.parse(frame)`` as classic events."""
    return split_market_events(adapter.parse(frame))


def test_bybit_delta_merges_into_the_snapshot_row() -> None:
    bybit = get_adapter("bybit")
    bybit.parse(wire_frame(BYBIT / "tickers_inverse_snapshot_recorded.json"))
    events = classic(bybit, wire_frame(BYBIT / "tickers_inverse_delta_recorded.json"))
    # the delta has no prices and no nextFundingTime: the snapshot's values are confirmed at the
    # delta's ts
    assert [as_tuple(e) for e in events] == [
        ("mark", "BTCUSD", 28560.0, 1680673822776),
        ("index", "BTCUSD", 28566.94, 1680673822776),
        ("funding", "BTCUSD", 0.0001, None, 1680681600000, 1680673822776, 8.0),
    ]


def test_bybit_delta_changes_only_what_it_carries() -> None:
    bybit = get_adapter("bybit")
    bybit.parse(wire_frame(BYBIT / "tickers_inverse_snapshot_recorded.json"))
    delta = {
        "topic": "tickers.BTCUSD",
        "type": "delta",
        "data": {"symbol": "BTCUSD", "markPrice": "28600.50"},
        "cs": 1,
        "ts": 1680673823000,
    }
    assert classic(bybit, orjson.dumps(delta)) == [  # no funding field -> no funding event
        MarkPrice("bybit", "BTCUSD", 28600.5, 1680673823000),
        IndexPrice("bybit", "BTCUSD", 28566.94, 1680673823000),
    ]
    delta["data"] = {"symbol": "BTCUSD", "nextFundingTime": "1680710400000"}
    mark_event, _index, funding = classic(bybit, orjson.dumps(delta))
    assert mark_event == MarkPrice("bybit", "BTCUSD", 28600.5, 1680673823000)
    assert isinstance(funding, Funding)
    assert (funding.rate, funding.next_funding_time) == (0.0001, 1680710400000)
    # a snapshot replaces the row: the old next funding time does not leak into the new one
    snap = {
        "topic": "tickers.BTCUSD",
        "type": "snapshot",
        "ts": 1680673824000,
        "data": {"symbol": "BTCUSD", "markPrice": "28610", "fundingRate": "0.0002"},
    }
    assert classic(bybit, orjson.dumps(snap)) == [
        MarkPrice("bybit", "BTCUSD", 28610.0, 1680673824000),
        Funding("bybit", "BTCUSD", 0.0002, None, None, 1680673824000, 8.0),
    ]


def test_bybit_bad_delta_leaves_the_merged_row_intact() -> None:
    bybit = get_adapter("bybit")
    bybit.parse(wire_frame(BYBIT / "tickers_inverse_snapshot_recorded.json"))
    bad = {
        "topic": "tickers.BTCUSD",
        "type": "delta",
        "ts": 1680673825000,  # (a plausible time: 1 ms after 1970 is refused on its own)
        "data": {"symbol": "BTCUSD", "fundingRate": "0.0002", "nextFundingTime": "soon"},
    }
    with pytest.raises(FeedParseError, match="nextFundingTime"):
        bybit.parse(orjson.dumps(bad))
    events = classic(bybit, wire_frame(BYBIT / "tickers_inverse_delta_recorded.json"))
    assert as_tuple(events[-1])[2:5] == (0.0001, None, 1680681600000)


def test_bybit_error_reply_is_a_venue_error() -> None:
    reply = {"success": False, "ret_msg": "error:handler not found", "op": "subscribe"}
    with pytest.raises(VenueErrorReply, match="handler not found"):
        get_adapter("bybit").parse(orjson.dumps(reply))


def test_bitmex_update_merges_after_partial_and_reads_its_own_fields_before() -> None:
    bitmex = get_adapter("bitmex")
    update = wire_frame(BITMEX / "instrument_update_markPrice_testnet_2021.json")
    ts = 1639857785000  # 2021-12-18T20:03:05.000Z
    own = [
        MarkPrice("bitmex", "XBTUSD", 46599.19, ts),
        IndexPrice("bitmex", "XBTUSD", 46594.56, ts),
    ]
    assert classic(bitmex, update) == own  # no partial yet: the update's own mark and index
    bitmex.parse(wire_frame(BITMEX / "instrument_partial_XBTUSD_testnet_2021.json"))
    assert classic(bitmex, update) == [
        MarkPrice("bitmex", "XBTUSD", 46599.19, ts),
        IndexPrice("bitmex", "XBTUSD", 46594.56, ts),
    ]
    # a funding-field update merges with the partial's other funding fields
    change = {
        "table": "instrument",
        "action": "update",
        "data": [{"symbol": "XBTUSD", "indicativeFundingRate": -0.0003}],
    }
    assert classic(bitmex, orjson.dumps(change)) == [
        MarkPrice("bitmex", "XBTUSD", 46599.19, ts),  # confirmed, no timestamp in the row
        IndexPrice("bitmex", "XBTUSD", 46594.56, ts),
        Funding("bitmex", "XBTUSD", 0.0001, -0.0003, 1639857600000, ts, 8.0),
    ]
    # a row update with no price still confirms the merged prices at its own time
    last = wire_frame(BITMEX / "instrument_update_lastPrice_testnet_2021.json")
    assert classic(bitmex, last) == [
        MarkPrice("bitmex", "XBTUSD", 46599.19, 1639857796369),
        IndexPrice("bitmex", "XBTUSD", 46594.56, 1639857796369),
    ]
    # a reconnect forgets the partial: an update then gives only what it carries itself
    bitmex.reset()
    assert bitmex.parse(orjson.dumps(change)) == []  # no rate, no price: nothing known yet
    assert classic(bitmex, update) == own


def test_bitmex_funding_table_does_not_override_the_instrument_rate() -> None:
    bitmex = get_adapter("bitmex")
    bitmex.parse(wire_frame(BITMEX / "instrument_partial_XBTUSD_testnet_2021.json"))
    assert bitmex.parse(wire_frame(BITMEX / "funding_partial_recorded.json")) == []


def test_bitmex_index_row_and_error_reply() -> None:
    bitmex = get_adapter("bitmex")
    row = {"symbol": ".BXBT", "lastPrice": 46703.5, "timestamp": "2021-12-18T19:55:00.000Z"}
    events = bitmex.parse(orjson.dumps({"table": "instrument", "action": "partial", "data": [row]}))
    assert events == [IndexPrice("bitmex", ".BXBT", 46703.5, 1639857300000)]
    error = {"status": 400, "error": "Unknown table: instrumnt", "meta": {}, "request": {}}
    with pytest.raises(VenueErrorReply, match="400: Unknown table"):
        bitmex.parse(orjson.dumps(error))


def test_deribit_answers_test_requests_only() -> None:
    deribit = get_adapter("deribit")
    test_request = b'{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}'
    heartbeat = '{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"heartbeat"}}'
    reply = deribit.answer(test_request)
    assert reply is not None
    assert orjson.loads(reply)["method"] == "public/test"
    assert deribit.answer(heartbeat) is None
    assert deribit.parse(test_request) == []
    assert deribit.keepalive.answers_test_request


def test_deribit_docs_payload_is_not_a_frame_but_its_notification_is() -> None:
    payload = orjson.loads((SAMPLES_DIR / "deribit" / "ticker_data_payload_docs.json").read_bytes())
    frame = {
        "jsonrpc": "2.0",
        "method": "subscription",
        "params": {"channel": "ticker.BTC-PERPETUAL.100ms", "data": payload},
    }
    events = classic(get_adapter("deribit"), orjson.dumps(frame))
    assert [as_tuple(e) for e in events] == [
        ("mark", "BTC-PERPETUAL", 36446.51, 1623060194301),
        ("index", "BTC-PERPETUAL", 36441.64, 1623060194301),
        ("funding", "BTC-PERPETUAL", 2.11e-05, None, None, 1623060194301, 8.0),
    ]


CONTRACT_URLS = {
    "bitmex": ("wss://ws.bitmex.com/realtime", "wss://ws.testnet.bitmex.com/realtime"),
    "bybit": (
        "wss://stream.bybit.com/v5/public/inverse",
        "wss://stream-testnet.bybit.com/v5/public/inverse",
    ),
    "binance": ("wss://dstream.binance.com", "wss://dstream.binancefuture.com"),
    "deribit": ("wss://www.deribit.com/ws/api/v2", "wss://test.deribit.com/ws/api/v2"),
    "okx": ("wss://ws.okx.com:8443/ws/v5/public", "wss://wspap.okx.com:8443/ws/v5/public"),
    "kraken": ("wss://futures.kraken.com/ws/v1", "wss://demo-futures.kraken.com/ws/v1"),
}


@pytest.mark.parametrize("venue", sorted(CONTRACT_URLS))
def test_default_urls_follow_the_contract(venue: str) -> None:
    adapter = get_adapter(venue)
    assert (adapter.default_url(False), adapter.default_url(True)) == CONTRACT_URLS[venue]


def test_subscriptions_follow_the_contract() -> None:
    def msgs(venue: str, symbols: list[str]) -> list[object]:
        return [orjson.loads(m) for m in get_adapter(venue).subscribe_messages(symbols)]

    assert msgs("bitmex", ["XBTUSD"]) == [
        {"op": "subscribe", "args": ["instrument:XBTUSD", "funding:XBTUSD"]}
    ]
    (bybit,) = msgs("bybit", ["BTCUSD", "ETHUSD"])
    assert bybit["op"] == "subscribe" and bybit["args"] == ["tickers.BTCUSD", "tickers.ETHUSD"]  # type: ignore[index]
    assert get_adapter("binance").subscribe_messages(["BTCUSD_PERP"]) == []
    assert (
        get_adapter("binance").connect_url("ws://127.0.0.1:9/", ["BTCUSD_PERP", "ETHUSD_PERP"])
        == "ws://127.0.0.1:9/stream?streams=btcusd_perp@markPrice@1s/ethusd_perp@markPrice@1s"
    )
    heartbeat, subscribe = msgs("deribit", ["BTC-PERPETUAL"])
    assert heartbeat["method"] == "public/set_heartbeat"  # type: ignore[index]
    assert heartbeat["params"]["interval"] >= 10  # type: ignore[index]
    assert subscribe["params"] == {"channels": ["ticker.BTC-PERPETUAL.100ms"]}  # type: ignore[index]
    (okx,) = msgs("okx", ["BTC-USD-SWAP"])
    assert okx["args"] == [  # type: ignore[index]
        {"channel": "mark-price", "instId": "BTC-USD-SWAP"},
        {"channel": "funding-rate", "instId": "BTC-USD-SWAP"},
        {"channel": "index-tickers", "instId": "BTC-USD"},
    ]
    ticker, _heartbeat = msgs("kraken", ["PI_XBTUSD"])
    assert ticker == {"event": "subscribe", "feed": "ticker", "product_ids": ["PI_XBTUSD"]}


def test_index_symbols() -> None:
    assert get_adapter("okx").index_symbol("ETH-USD-SWAP") == "ETH-USD"
    assert get_adapter("bitmex").index_symbol("XBTUSD") == "XBTUSD"
    assert get_adapter("kraken").index_symbol("PI_ETHUSD") == "PI_ETHUSD"


def test_unknown_venue_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: bitmex, bybit"):
        get_adapter("ftx")


def test_value_converters() -> None:
    assert price("28560.00", "p") == 28560.0
    for bad in ("NaN", "inf", "-1", 0, None, "", "abc", [1], 10**400):
        with pytest.raises(FeedParseError, match="p "):
            price(bad, "p")
    assert millis("1680681600000", "t") == 1680681600000
    assert millis(0, "t") is None and millis("", "t") is None
    with pytest.raises(FeedParseError):
        millis("1.5e12x", "t")
    assert iso_millis("2021-12-18T20:03:05.000Z", "t") == 1639857785000
    assert iso_millis("2021-12-18T20:03:05.123456Z", "t") == 1639857785123  # 6 digits: lenient
    assert timespan_hours("2000-01-01T08:00:00.000Z", "i") == 8.0
    assert timespan_hours("2000-01-01T01:00:00.000Z", "i") == 1.0
