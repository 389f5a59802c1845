"""Each venue's reply parsers against the real sample replies (success and errors)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hedgetui.trading.orders import (
    AuthError,
    BadReply,
    DuplicateClientOrderId,
    OrderRejected,
    OrderRequest,
    RateLimited,
    ReduceOnlyViolation,
    ServerError,
)
from hedgetui.trading.venues import binance, bitmex, bybit, deribit, kraken, okx
from tests.conftest import SAMPLES_DIR


def sample(name: str) -> Any:
    return json.loads((SAMPLES_DIR / name).read_text())


def order(venue: str, symbol: str, size: float = 1.0) -> OrderRequest:
    return OrderRequest(venue, symbol, "buy", 100, size, "market", "huabc")


# ---------------------------------------------------------------- BitMEX


def test_bitmex_filled_order() -> None:
    result = bitmex.parse_order(
        sample("bitmex/rest_order_limit_buy_filled_XBTUSD_recorded_2021.json")
    )
    assert result.status == "filled" and result.done
    assert result.filled_contracts == 100
    assert result.avg_price == pytest.approx(51124.7444)
    assert result.client_order_id == "4b2322e7-1e50-409c-80d7-ce894b7a9139"


@pytest.mark.parametrize(
    ("status", "message", "error"),
    [
        (400, "Duplicate clOrdID", DuplicateClientOrderId),
        (400, "ReduceOnly Order would increase position", ReduceOnlyViolation),
        (400, "Account has insufficient Available Balance", OrderRejected),
        (401, "Signature not valid.", AuthError),
        (429, "Rate limit exceeded, retry in 1 seconds.", RateLimited),
        (503, "The system is currently overloaded. Please try again later.", ServerError),
    ],
)
def test_bitmex_errors(status: int, message: str, error: type[Exception]) -> None:
    with pytest.raises(error, match=message.split(",")[0]) as info:
        bitmex.check_error(status, {"error": {"message": message, "name": "HTTPError"}})
    assert type(info.value) is error


def test_bitmex_error_shape_proxied_validation() -> None:
    with pytest.raises(OrderRejected, match="bitmex: order rejected"):
        bitmex.check_error(
            400, {"error": {"message": "Invalid ordType", "name": "ValidationError"}}
        )


# ---------------------------------------------------------------- Bybit


def test_bybit_position_short_and_balance() -> None:
    result = bybit.check_error(200, sample("bybit/rest_position_list_inverse_docs.json"))
    pos = bybit.parse_position(result, "BTCUSD", 1.0, 0)
    assert pos.contracts == -300
    assert pos.entry_price == pytest.approx(27464.50441675)
    assert pos.liquidation_price is None  # "" in the reply
    assert pos.margin_mode == "cross" and pos.leverage == 10
    bal = bybit.parse_balance(
        bybit.check_error(200, sample("bybit/rest_wallet_balance_unified_docs.json")), "BTC", 0
    )
    assert bal.wallet_balance == 0.0 and bal.coin == "BTC"


def test_bybit_order_row() -> None:
    result = bybit.check_error(200, sample("bybit/rest_order_realtime_response_docs.json"))
    row = bybit.parse_order(result["list"][0])
    assert row.status == "new" and row.filled_contracts == 0 and row.message == ""
    assert row.client_order_id == "test-000005"


def test_bybit_create_ack() -> None:
    result = bybit.check_error(200, sample("bybit/rest_order_create_response_docs.json"))
    assert result["orderLinkId"] == "spot-test-postonly"


def test_bybit_errors_from_recorded_replies() -> None:
    with pytest.raises(ReduceOnlyViolation, match=r"\[110017\].*Reduce-only rule not satisfied"):
        bybit.check_error(200, sample("bybit/rest_error_110017_reduce_only_recorded_2023.json"))
    with pytest.raises(DuplicateClientOrderId, match="20094"):
        bybit.check_error(200, sample("bybit/rest_error_orderLinkId_duplicate_recorded_2023.json"))
    with pytest.raises(RateLimited):
        bybit.check_error(200, {"retCode": 10006, "retMsg": "Too many visits!"})
    with pytest.raises(AuthError):
        bybit.check_error(200, {"retCode": 10004, "retMsg": "error sign!"})
    with pytest.raises(RateLimited, match="IP limit"):
        bybit.check_error(403, None)


# ---------------------------------------------------------------- Binance


def test_binance_order_and_lookup_shapes() -> None:
    placed = binance.parse_order(sample("binance_coinm/rest_new_order_response_docs.json"))
    assert placed.status == "new" and placed.order_id == "22542179"
    assert placed.client_order_id == "testOrder"
    looked = binance.parse_order(sample("binance_coinm/rest_query_order_response_docs.json"))
    assert looked.client_order_id == "abc" and looked.filled_contracts == 0


def test_binance_position_filters_the_symbol() -> None:
    rows = sample("binance_coinm/rest_positionRisk_response_docs.json")
    pos = binance.parse_position(rows, "BTCUSD_201225", 100.0, 0)
    assert pos.contracts == 1 and pos.entry_price == pytest.approx(11707.70000003)
    assert pos.liquidation_price == pytest.approx(11667.63509587)
    assert binance.parse_position(rows, "BTCUSD_PERP", 100.0, 0).contracts == 0
    bal = binance.parse_balance(sample("binance_coinm/rest_balance_response_docs.json"), "BTC", 0)
    assert bal.wallet_balance == pytest.approx(0.0025)


def test_binance_errors() -> None:
    with pytest.raises(ReduceOnlyViolation, match="-4118"):
        binance.check_error(
            400, sample("binance_coinm/rest_error_-4118_reduce_only_usdm_pm_recorded_2026.json")
        )
    with pytest.raises(OrderRejected, match="Invalid symbol"):
        binance.check_error(400, sample("binance_coinm/rest_error_payload_docs.json"))
    with pytest.raises(RateLimited):
        binance.check_error(429, {"code": -1003, "msg": "Too many requests"})
    with pytest.raises(DuplicateClientOrderId):
        binance.check_error(400, {"code": -4116, "msg": "clientOrderId is duplicated"})
    with pytest.raises(AuthError):
        binance.check_error(400, {"code": -1022, "msg": "Signature for this request is not valid."})


# ---------------------------------------------------------------- Deribit


def test_deribit_buy_result_in_contracts() -> None:
    result = deribit.check_error(200, sample("deribit/private_buy_response_docs.json"))
    row = deribit.parse_order(result["order"], contract_size=1.0)
    assert row.status == "filled" and row.filled_contracts == 40
    assert row.client_order_id == "market0000234"
    # BTC-PERPETUAL: amounts are USD, 10 USD per contract.
    assert deribit.parse_order(result["order"], contract_size=10.0).filled_contracts == 4


def test_deribit_label_lookup_position_balance() -> None:
    rows = deribit.check_error(
        200, sample("deribit/private_get_order_state_by_label_response_docs.json")
    )
    assert deribit.pick_by_label(rows, "fooBar", 1.0) is not None
    assert deribit.pick_by_label(rows, "other", 1.0) is None
    pos = deribit.parse_position(
        deribit.check_error(200, sample("deribit/private_get_position_response_docs.json")),
        "BTC-PERPETUAL",
        10.0,
        0,
    )
    assert pos.contracts == 0 and pos.entry_price is None
    bal = deribit.parse_balance(
        deribit.check_error(200, sample("deribit/private_get_account_summary_response_docs.json")),
        "BTC",
        0,
    )
    assert bal.wallet_balance == pytest.approx(302.60065765)


def test_deribit_errors() -> None:
    def err(code: int, message: str) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": 1, "error": {"code": code, "message": message}}

    with pytest.raises(RateLimited, match="too_many_requests"):
        deribit.check_error(429, err(10028, "too_many_requests"))
    with pytest.raises(AuthError):
        deribit.check_error(400, err(13009, "unauthorized"))
    with pytest.raises(OrderRejected, match="not_enough_funds"):
        deribit.check_error(400, err(10009, "not_enough_funds"))


# ---------------------------------------------------------------- OKX


def test_okx_place_success_and_rejects() -> None:
    rows = okx.check_error(200, sample("okx/rest_place_order_success_recorded_2024.json"))
    assert rows[0]["sMsg"] == "Order placed"
    with pytest.raises(OrderRejected, match=r"\[51121\].*multiple of the lot size"):
        okx.check_error(200, sample("okx/rest_place_order_rejected_51121_recorded_2025.json"))
    with pytest.raises(DuplicateClientOrderId):
        okx.check_error(200, {"code": "1", "msg": "", "data": [{"sCode": "51016", "sMsg": "x"}]})
    with pytest.raises(ReduceOnlyViolation):
        okx.check_error(200, {"code": "1", "msg": "", "data": [{"sCode": "51169", "sMsg": "x"}]})
    with pytest.raises(RateLimited):
        okx.check_error(429, {"code": "50011", "msg": "Too Many Requests", "data": []})
    with pytest.raises(AuthError):
        okx.check_error(401, {"code": "50113", "msg": "Invalid Sign", "data": []})


def test_okx_order_position_balance() -> None:
    row = okx.parse_order(
        okx.check_error(200, sample("okx/rest_order_details_response_docs.json"))[0]
    )
    assert row.status == "filled" and row.avg_price == 51858
    rows = okx.check_error(200, sample("okx/rest_positions_response_docs.json"))
    pos = okx.parse_position(rows, "ETH-USD-210430", 10.0, 0)
    assert pos.contracts == 1 and pos.margin_mode == "isolated"
    assert pos.liquidation_price == pytest.approx(2352.8496681818233)
    bal = okx.parse_balance(
        okx.check_error(200, sample("okx/rest_balance_response_docs.json")), "USDT", 0
    )
    assert bal.wallet_balance == pytest.approx(4850.435693622894)


# ---------------------------------------------------------------- Kraken


def test_kraken_sendorder_placed_and_rejections() -> None:
    payload = kraken.check_error(200, sample("kraken_futures/rest_sendorder_response_docs.json"))
    result = kraken.parse_send_status(payload, order("kraken", "PI_XBTUSD"))
    assert result.status == "new" and result.order_id == "179f9af8-e45e-469d-b3e9-2fd4675cb7d0"
    for status, error in [
        ("wouldNotReducePosition", ReduceOnlyViolation),
        ("clientOrderIdAlreadyExist", DuplicateClientOrderId),
        ("insufficientAvailableFunds", OrderRejected),
    ]:
        bad = {"result": "success", "sendStatus": {"status": status}}
        with pytest.raises(error, match=status):
            kraken.parse_send_status(bad, order("kraken", "PI_XBTUSD"))
    with pytest.raises(RateLimited):
        kraken.check_error(200, {"result": "error", "error": "apiLimitExceeded"})
    with pytest.raises(AuthError):
        kraken.check_error(200, {"result": "error", "error": "authenticationError"})


def test_kraken_positions_and_accounts() -> None:
    pos = kraken.parse_position(
        sample("kraken_futures/rest_openpositions_short_docs.json"), "PI_XBTUSD", 1.0, 0
    )
    assert pos.contracts == -10000 and pos.entry_price == pytest.approx(9392.749993345933)
    accounts = sample("kraken_futures/rest_accounts_docs.json")
    bal = kraken.parse_balance(accounts, "BTC", 0)
    assert bal.wallet_balance == pytest.approx(141.31756797)  # accounts.fi_xbtusd.balances.xbt
    assert kraken.parse_balance(accounts, "ETH", 0).wallet_balance == 0.0  # no fi_ethusd account


def test_unparseable_replies_are_typed() -> None:
    with pytest.raises(BadReply):
        bitmex.parse_order({"nothing": 1})
    with pytest.raises(BadReply):
        okx.check_error(200, ["not", "an", "envelope"])
