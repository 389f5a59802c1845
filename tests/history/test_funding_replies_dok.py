"""The Deribit, OKX and Kraken funding-history parsers on the venues' documented replies."""

from __future__ import annotations

import pytest

from hedgetui.history.funding import deribit, kraken, okx
from hedgetui.history.model import FundingPayment, FundingRecord
from hedgetui.trading.credentials import Credentials, Secret
from hedgetui.trading.orders import BadReply

# Deribit API reference, public/get_funding_rate_history, JSON-RPC response example.
DERIBIT_DOCS_ROW = {
    "timestamp": 1569891600000,
    "index_price": 8222.87,
    "prev_index_price": 8305.72,
    "interest_8h": -0.00009234,
    "interest_1h": -4.739e-7,
}

# OKX API v5, "Get funding rate history", response example (data).
OKX_DOCS_ROWS = [
    {
        "formulaType": "noRate",
        "fundingRate": "0.0000746604960499",
        "fundingTime": "1703059200000",
        "instId": "BTC-USD-SWAP",
        "instType": "SWAP",
        "method": "next_period",
        "realizedRate": "0.0000746572360545",
    },
    {
        "formulaType": "noRate",
        "fundingRate": "0.000227985782722",
        "fundingTime": "1703030400000",
        "instId": "BTC-USD-SWAP",
        "instType": "SWAP",
        "method": "next_period",
        "realizedRate": "0.0002279755647389",
    },
]

# Kraken Futures account-log documented example (one booking).
KRAKEN_DOCS_LOG = {
    "id": 1690,
    "date": "2019-07-11T08:00:00.000Z",
    "asset": "bch",
    "info": "funding rate change",
    "booking_uid": "86fdc252-1b6e-40ec-ac1d-c7bd46ddeebf",
    "margin_account": "f-bch:usd",
    "old_balance": 0.01215667051,
    "new_balance": 0.01215736653,
    "old_average_entry_price": 0.0,
    "new_average_entry_price": 0.0,
    "trade_price": 0.0,
    "mark_price": 0.0,
    "realized_pnl": 0.0,
    "fee": 0.0,
    "execution": "",
    "collateral": "bch",
    "funding_rate": -8.7002552653e-8,
    "realized_funding": 6.9602e-7,
    "conversion_spread_percentage": 0.0,
    "liquidation_fee": 0.0,
}


def test_deribit_row_is_the_hours_interest() -> None:
    assert deribit.parse_rates([DERIBIT_DOCS_ROW]) == [FundingRecord(1569891600000, -4.739e-7, 1.0)]


def test_deribit_asks_for_what_a_full_reply_left_out() -> None:
    h = deribit.HOUR_MS
    full_newest = [FundingRecord(1000 * h + k * h, 0.0, 1.0) for k in range(deribit.MAX_ROWS)]
    end = full_newest[-1].time_ms
    assert deribit.rest_of_range(full_newest, 0, end) == (0, full_newest[0].time_ms - 1)
    full_oldest = [FundingRecord(k * h, 0.0, 1.0) for k in range(1, deribit.MAX_ROWS + 1)]
    assert deribit.rest_of_range(full_oldest, 0, 5000 * h) == (full_oldest[-1].time_ms, 5000 * h)
    assert deribit.rest_of_range(full_newest[1:], 0, end) is None  # not full: done
    assert deribit.rates_params("BTC-PERPETUAL", 10, 20)["start_timestamp"] == "11"


def test_deribit_settlement_funding_is_a_payment() -> None:
    result = {
        "continuation": "xY7T6cutS3t2B9YtaDkE6TS379oKnkzTvmEDUnEUP2Msa9xKWNNaT",
        "settlements": [
            {
                "type": "settlement",
                "timestamp": 1550475692526,
                "session_profit_loss": 0.038358299,
                "profit_loss": -0.001783937,
                "position": -66,
                "mark_price": 121.67,
                "instrument_name": "ETH-PERPETUAL",
                "index_price": 119.8,
                "funding": -2.511e-06,
            },
            {"type": "delivery", "timestamp": 1550475000000, "instrument_name": "ETH-22FEB19"},
        ],
    }
    payments, more, oldest = deribit.parse_settlements(result, "ETH-PERPETUAL", "ETH")
    assert payments == [FundingPayment(1550475692526, -2.511e-06, "ETH", "ETH-PERPETUAL")]
    assert more is not None and oldest == 1550475000000
    empty = {"settlements": [], "continuation": "none"}
    assert deribit.parse_settlements(empty, "X", "BTC")[1] is None


def test_okx_keeps_the_realized_rate_and_reads_the_interval_from_the_grid() -> None:
    records = okx.parse_rates(OKX_DOCS_ROWS, "BTC-USD-SWAP")
    assert records == [
        FundingRecord(1703030400000, 0.0002279755647389, 8.0),
        FundingRecord(1703059200000, 0.0000746572360545, 8.0),
    ]
    no_realized = [{**OKX_DOCS_ROWS[0], "realizedRate": ""}]
    assert okx.parse_rates(no_realized, "BTC-USD-SWAP")[0].rate == 0.0000746604960499


def test_grid_interval_survives_a_gap_and_a_shorter_interval() -> None:
    h = 3_600_000
    times = [0, 8 * h, 24 * h, 28 * h, 32 * h]  # a missing 16 h record, then a 4 h grid
    records = okx.with_intervals([(t, 0.0001) for t in times], okx.INTERVALS_HOURS, 8.0)
    assert [r.interval_hours for r in records] == [8.0, 8.0, 4.0, 4.0, 4.0]


def test_okx_funding_bills_are_signed_payments() -> None:
    rows = [
        {
            "billId": "3",
            "type": "8",
            "subType": "174",
            "instId": "BTC-USD-SWAP",
            "ccy": "BTC",
            "pnl": "0.00001",
            "balChg": "0.00001",
            "ts": "1703059200000",
        },
        {
            "billId": "2",
            "type": "2",
            "subType": "4",
            "instId": "BTC-USD-SWAP",
            "ccy": "BTC",
            "pnl": "0",
            "balChg": "-0.0001",
            "ts": "1703059100000",
        },
        {
            "billId": "1",
            "type": "8",
            "subType": "173",
            "instId": "BTC-USD-SWAP",
            "ccy": "BTC",
            "pnl": "",
            "balChg": "-0.00002",
            "ts": "1703030400000",
        },
    ]
    payments, last = okx.parse_bills(rows, "BTC-USD-SWAP")
    assert payments == [
        FundingPayment(1703059200000, 0.00001, "BTC", "BTC-USD-SWAP"),
        FundingPayment(1703030400000, -0.00002, "BTC", "BTC-USD-SWAP"),
    ]
    assert last == "1"


def test_kraken_keeps_the_relative_rate_not_the_absolute_one() -> None:
    payload = {
        "rates": [
            {
                "timestamp": "2022-06-28T00:00:00.000Z",
                "fundingRate": -8.15861558e-10,
                "relativeFundingRate": -1.6898883333333e-05,
            },
            {
                "timestamp": "2022-06-28T01:00:00.000Z",
                "fundingRate": 1.2e-10,
                "relativeFundingRate": 2.5e-06,
            },
        ],
        "result": "success",
        "serverTime": "2022-06-28T01:30:00.000Z",
    }
    t0 = 1656374400000
    assert kraken.parse_rates(payload) == [
        FundingRecord(t0, -1.6898883333333e-05, 1.0),
        FundingRecord(t0 + 3_600_000, 2.5e-06, 1.0),
    ]


def test_kraken_account_log_funding_booking_is_the_balance_change() -> None:
    entry = {**KRAKEN_DOCS_LOG, "contract": "pi_bchusd"}
    found, smallest, rows = kraken.parse_account_log({"logs": [entry]}, "PI_BCHUSD")
    assert rows == 1 and smallest == 1690
    ((log_id, payment),) = found
    assert log_id == 1690 and payment.coin == "BCH" and payment.symbol == "PI_BCHUSD"
    assert payment.amount == pytest.approx(entry["new_balance"] - entry["old_balance"])
    assert payment.time_ms == 1562832000000


@pytest.mark.parametrize(
    "parse",
    [
        lambda: deribit.parse_rates([{"timestamp": 1, "interest_1h": "x"}]),
        lambda: deribit.parse_rates({"not": "a list"}),
        lambda: okx.parse_rates([{"fundingTime": "abc", "realizedRate": "0"}], "BTC-USD-SWAP"),
        lambda: kraken.parse_rates({"rates": [{"timestamp": "yesterday"}]}),
        lambda: kraken.parse_rates({"error": "apiLimitExceeded"}),
    ],
)
def test_a_malformed_reply_is_one_bad_reply(parse: object) -> None:
    with pytest.raises(BadReply):
        parse()  # type: ignore[operator]


async def test_the_three_clients_are_registered() -> None:
    from hedgetui.history.funding.clients import make_history_client

    for venue, cls in (
        ("deribit", deribit.DeribitFundingHistory),
        ("okx", okx.OkxFundingHistory),
        ("kraken", kraken.KrakenFundingHistory),
    ):
        client = make_history_client(venue, base_url="http://127.0.0.1:9")
        assert type(client) is cls
        await client.aclose()


def test_kraken_reads_the_older_four_hour_grid() -> None:
    t0 = 1562832000000  # 2019-07-11T08:00Z, the account-log example's booking time
    rows = [
        {"timestamp": kraken_iso(t0 + k * 4 * 3_600_000), "relativeFundingRate": 1e-05}
        for k in range(3)
    ]
    assert [r.interval_hours for r in kraken.parse_rates({"rates": rows})] == [4.0, 4.0, 4.0]


def kraken_iso(ms: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


async def test_deribit_settlements_continue_until_the_range_start() -> None:
    client = deribit.DeribitFundingHistory(base_url="http://127.0.0.1:9")
    first = client.payments_request("BTC-PERPETUAL", 1_000, 9_000)
    page = {
        "jsonrpc": "2.0",
        "result": {
            "continuation": "abc",
            "settlements": [
                {
                    "type": "settlement",
                    "timestamp": 5_000,
                    "instrument_name": "BTC-PERPETUAL",
                    "funding": 1e-06,
                },
            ],
        },
    }
    follow = client.parse_payments(page, first, "BTC-PERPETUAL").next
    assert follow is not None and follow.param("continuation") == "abc"
    page["result"]["settlements"][0]["timestamp"] = 900  # type: ignore[index]
    assert client.parse_payments(page, first, "BTC-PERPETUAL").next is None  # past the start
    _query, headers = client.signed_headers(demo_keys(), first, 1.0)
    assert _query == first.query and headers["Authorization"].startswith("deri-hmac-sha256 ")
    await client.aclose()


def demo_keys() -> Credentials:
    return Credentials("demo", Secret("key"), Secret("c2VjcmV0"))


@pytest.mark.parametrize(
    ("venue", "status", "reply", "wait"),
    [
        # OKX answers 50011 with HTTP 200 as well as 429 [rest.md, OKX rate limits]
        ("okx", 200, {"code": "50011", "msg": "Rate limit reached.", "data": []}, 2.0),
        ("okx", 429, {"code": "50011", "msg": "Too Many Requests"}, 2.0),
        ("okx", 200, {"code": "51001", "msg": "Instrument ID does not exist.", "data": []}, None),
        ("okx", 200, {"code": "0", "msg": "", "data": []}, None),
        (
            "deribit",
            429,
            {"jsonrpc": "2.0", "error": {"message": "too_many_requests", "code": 10028}},
            1.0,
        ),
        (
            "deribit",
            400,
            {"jsonrpc": "2.0", "error": {"message": "Invalid params", "code": -32602}},
            None,
        ),
        ("kraken", 429, {"result": "error", "serverTime": "x", "error": "apiLimitExceeded"}, 10.0),
        ("kraken", 200, {"rates": [], "result": "success"}, None),
        ("kraken", 200, {"accountUid": "u", "logs": []}, None),
    ],
)
async def test_only_the_venues_rate_limit_answer_is_waited_on(
    venue: str, status: int, reply: dict[str, object], wait: float | None
) -> None:
    from hedgetui.history.funding.clients import make_history_client

    client = make_history_client(venue, base_url="http://127.0.0.1:9")
    assert client is not None
    assert client.rate_limit_wait(status, reply, {}, 0.0) == wait
    await client.aclose()
