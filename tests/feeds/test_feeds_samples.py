"""Every file in the shared samples folder, through its venue's adapter.

The test iterates the folder, so a new sample is a new test case, and it fails until the file
is classified below: market data with the exact numbers it carries, or a non-market message that
must give no event ("quiet"), or one that must be refused with a clear parse error ("refused") /
recorded as a venue error reply ("venue_error"). The numbers are written as the classic events
(mark, index, funding); a venue's ``Ticker`` is compared through ``split_market_events``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hedgetui.domain import split_market_events
from hedgetui.feeds import FeedParseError, VenueErrorReply, get_adapter
from tests.feeds_helpers import FOLDER_VENUE, as_tuple, sample_files, sample_name, wire_frame

QUIET = "quiet"  # parses to no market event, without raising
REFUSED = "refused"  # raises FeedParseError (not a stream frame, e.g. a REST reply or a request)
VENUE_ERROR = "venue_error"  # raises VenueErrorReply (the venue's error answer)

BXBT_PARTIAL_TS = 1639857300000  # 2021-12-18T19:55:00.000Z

EXPECTED: dict[str, str | list[tuple[object, ...]]] = {
    # ---------------------------------------------------------------- bitmex
    "bitmex/funding_partial_recorded.json": [
        ("funding", "XBTUSD", 0.000817, None, None, 1617307200000, 8.0),
    ],
    "bitmex/instrument_partial_XBTUSD_testnet_2021.json": [
        ("mark", "XBTUSD", 46704.01, BXBT_PARTIAL_TS),
        ("index", "XBTUSD", 46703.96, BXBT_PARTIAL_TS),
        ("funding", "XBTUSD", 0.0001, 0.0001, 1639857600000, BXBT_PARTIAL_TS, 8.0),
    ],
    # an update without a partial gives what it carries (lastPrice is not the mark)
    "bitmex/instrument_update_lastPrice_testnet_2021.json": QUIET,
    "bitmex/instrument_update_markPrice_testnet_2021.json": [
        ("mark", "XBTUSD", 46599.19, 1639857785000),
        ("index", "XBTUSD", 46594.56, 1639857785000),
    ],
    "bitmex/instrument_update_minimal_recorded.json": QUIET,
    "bitmex/help_response_testnet.json": QUIET,
    "bitmex/pong.txt": QUIET,
    "bitmex/position_partial_flat_testnet_2021.json": QUIET,
    "bitmex/position_update_opened_testnet_2021.json": QUIET,
    "bitmex/rest_order_limit_buy_filled_XBTUSD_recorded_2021.json": REFUSED,
    "bitmex/subscribe_ack_list_args_recorded.json": QUIET,
    "bitmex/subscribe_ack_single_arg.json": QUIET,
    "bitmex/subscribe_request_recorded.json": REFUSED,
    "bitmex/welcome_mainnet_recorded.json": QUIET,
    "bitmex/welcome_testnet.json": QUIET,
    # ---------------------------------------------------------------- bybit
    "bybit/tickers_inverse_snapshot_recorded.json": [
        ("mark", "BTCUSD", 28560.0, 1680673822577),
        ("index", "BTCUSD", 28566.94, 1680673822577),
        ("funding", "BTCUSD", 0.0001, None, 1680681600000, 1680673822577, 8.0),
    ],
    # a delta alone: only what it carries (merging is tested below)
    "bybit/tickers_inverse_delta_recorded.json": [
        ("funding", "BTCUSD", 0.0001, None, None, 1680673822776, 8.0),
    ],
    # dated future: fundingRate "" -> no funding event
    "bybit/tickers_inverse_futures_snapshot_recorded.json": [
        ("mark", "BTCUSDU23", 29023.6, 1680673822099),
        ("index", "BTCUSDU23", 28566.94, 1680673822099),
    ],
    "bybit/tickers_inverse_futures_delta_recorded.json": QUIET,
    "bybit/tickers_snapshot_linear_docs.json": [
        ("mark", "BTCUSDT", 66666.6, 1760325052630),
        ("index", "BTCUSDT", 115418.19, 1760325052630),
        ("funding", "BTCUSDT", -0.005, None, 1760342400000, 1760325052630, 8.0),
    ],
    "bybit/auth_success.json": QUIET,
    "bybit/pong_private.json": QUIET,
    "bybit/pong_public_linear_inverse.json": QUIET,
    "bybit/position_stream_docs.json": QUIET,
    "bybit/position_subscribe_request.json": QUIET,
    "bybit/subscribe_ack_private.json": QUIET,
    "bybit/subscribe_ack_public_linear_inverse.json": QUIET,
    "bybit/unsubscribe_request.json": QUIET,
    "bybit/wallet_stream_docs.json": QUIET,
    "bybit/rest_error_110017_reduce_only_recorded_2023.json": REFUSED,
    "bybit/rest_error_orderLinkId_duplicate_recorded_2023.json": REFUSED,
    "bybit/rest_order_create_response_docs.json": REFUSED,
    "bybit/rest_order_realtime_response_docs.json": REFUSED,
    "bybit/rest_position_list_inverse_docs.json": REFUSED,
    "bybit/rest_tickers_inverse_docs.json": REFUSED,
    "bybit/rest_wallet_balance_unified_docs.json": REFUSED,
    # ---------------------------------------------------------------- binance
    "binance_coinm/markPrice_combined_recorded_2021.json": [  # 2021: no "i" -> no index event
        ("mark", "BTCUSD_PERP", 59012.56007222, 1617309477000),
        ("funding", "BTCUSD_PERP", 0.00073689, None, 1617321600000, 1617309477000, 8.0),
    ],
    "binance_coinm/markPrice_all_arr_recorded_2021.json": [
        ("mark", "BTCUSD_PERP", 59003.37984561, 1617309501002),
        ("funding", "BTCUSD_PERP", 0.00073684, None, 1617321600000, 1617309501002, 8.0),
        ("mark", "ETHUSD_PERP", 1981.89, 1617309501002),
        ("funding", "ETHUSD_PERP", 0.00100944, None, 1617321600000, 1617309501002, 8.0),
    ],
    "binance_coinm/markPrice_pair_array_docs.json": [  # dated contract: r "" -> no funding
        ("mark", "BTCUSD_201225", 10934.62615417, 1596095725000),
        ("index", "BTCUSD_201225", 10933.62615417, 1596095725000),
        ("mark", "BTCUSD_PERP", 11012.31359011, 1596095725000),
        ("index", "BTCUSD_PERP", 10933.62615417, 1596095725000),
        ("funding", "BTCUSD_PERP", 0.0, None, 1596096000000, 1596095725000, 8.0),
    ],
    "binance_coinm/subscribe_response.json": QUIET,
    "binance_coinm/ACCOUNT_UPDATE_docs.json": QUIET,
    "binance_coinm/subscribe_request.json": REFUSED,
    "binance_coinm/rest_balance_response_docs.json": REFUSED,
    "binance_coinm/rest_listenKey_response_docs.json": REFUSED,
    "binance_coinm/rest_new_order_response_docs.json": REFUSED,
    "binance_coinm/rest_positionRisk_response_docs.json": REFUSED,
    "binance_coinm/rest_query_order_response_docs.json": REFUSED,
    "binance_coinm/rest_error_-4118_reduce_only_usdm_pm_recorded_2026.json": VENUE_ERROR,
    "binance_coinm/rest_error_payload_docs.json": VENUE_ERROR,
    # ---------------------------------------------------------------- deribit
    "deribit/ticker_notification_docs_v2_old.json": [
        ("mark", "BTC-PERPETUAL", 3940.06, 1550652954406),
        ("index", "BTC-PERPETUAL", 3918.51, 1550652954406),
        ("funding", "BTC-PERPETUAL", 0.01520525, None, None, 1550652954406, 8.0),
    ],
    "deribit/ticker_perpetual_recorded_2019a.json": [
        ("mark", "BTC-PERPETUAL", 10094.1, 1564617604229),
        ("index", "BTC-PERPETUAL", 10091.15, 1564617604229),
        ("funding", "BTC-PERPETUAL", 0.00016281, None, None, 1564617604229, 8.0),
    ],
    "deribit/ticker_perpetual_recorded_2019b_negative_funding.json": [
        ("mark", "BTC-PERPETUAL", 8304.39, 1569888003897),
        ("index", "BTC-PERPETUAL", 8305.94, 1569888003897),
        ("funding", "BTC-PERPETUAL", -0.00008477, None, None, 1569888003897, 8.0),
    ],
    # a bare `data` payload copied from the docs is not a frame (see test_deribit_docs_payload)
    "deribit/ticker_data_payload_docs.json": REFUSED,
    "deribit/user_changes_instrument_data_payload_docs.json": REFUSED,
    "deribit/user_portfolio_data_payload_docs.json": REFUSED,
    "deribit/user_portfolio_notification_docs_v2_old.json": QUIET,
    "deribit/private_buy_response_docs.json": QUIET,
    "deribit/private_get_account_summary_response_docs.json": QUIET,
    "deribit/private_get_order_state_by_label_response_docs.json": QUIET,
    "deribit/private_get_position_response_docs.json": QUIET,
    "deribit/public_auth_response_docs.json": QUIET,
    "deribit/public_set_heartbeat_response_docs.json": QUIET,
    "deribit/public_subscribe_response_docs.json": QUIET,
    "deribit/public_subscribe_result_mainnet_recorded.json": QUIET,
    "deribit/public_test_response_docs.json": QUIET,
    "deribit/public_auth_client_signature_request_docs.json": REFUSED,
    "deribit/subscribe_request_recorded.json": REFUSED,
    "deribit/ticker_subscribe_request_docs.json": REFUSED,
    # ---------------------------------------------------------------- okx
    "okx/mark-price_push_docs.json": [("mark", "LTC-USD-190628", 0.1, 1597026383085)],
    "okx/index-tickers_BTC-USD_recorded_2023.json": [
        ("index", "BTC-USD", 27938.9, 1681041600310),
    ],
    "okx/index-tickers_push_docs.json": [("index", "BTC-USDT", 0.1, 1597026383085)],
    "okx/funding-rate_BTC-USD-SWAP_recorded_2022.json": [  # no nextFundingTime, no ts
        (
            "funding",
            "BTC-USD-SWAP",
            0.0000734174532791,
            0.0001163723201487,
            1646323200000,
            None,
            8.0,
        ),
    ],
    "okx/funding-rate_push_docs.json": [  # nextFundingRate "" -> None
        ("funding", "BTC-USD-SWAP", 0.0001875391284828, None, 1700726400000, 1700724675402, 8.0),
    ],
    "okx/funding-rate_xperp_recorded_2026.json": [
        (
            "funding",
            "BTC-USD_UM_XPERP-310404",
            -0.0004270396398519,
            None,
            1785888000000,
            1785870855692,
            8.0,
        ),
    ],
    "okx/pong.txt": QUIET,
    "okx/login_response.json": QUIET,
    "okx/mark-price_subscribe_ack_docs.json": QUIET,
    "okx/subscribe_ack_no_connId_recorded_2022.json": QUIET,
    "okx/account_push_docs.json": QUIET,
    "okx/positions_push_single_docs.json": QUIET,
    "okx/mark-price_subscribe_error_docs.json": VENUE_ERROR,
    "okx/funding-rate_subscribe_request_docs.json": REFUSED,
    "okx/mark-price_subscribe_request_docs.json": REFUSED,
    "okx/positions_subscribe_request_docs.json": REFUSED,
    "okx/rest_balance_response_docs.json": REFUSED,
    "okx/rest_order_details_response_docs.json": REFUSED,
    "okx/rest_place_order_rejected_51094_recorded_2024.json": REFUSED,
    "okx/rest_place_order_rejected_51121_recorded_2025.json": REFUSED,
    "okx/rest_place_order_response_docs.json": REFUSED,
    "okx/rest_place_order_success_recorded_2024.json": REFUSED,
    "okx/rest_positions_response_docs.json": REFUSED,
    # ---------------------------------------------------------------- kraken
    "kraken_futures/ticker_PI_XBTUSD_recorded_2022.json": [
        ("mark", "PI_XBTUSD", 29919.75, 1654164951042),
        ("index", "PI_XBTUSD", 29927.42, 1654164951042),
        (
            "funding",
            "PI_XBTUSD",
            9.6321875e-8,
            -0.000025847309375,
            1654171200000,
            1654164951042,
            1.0,
        ),
    ],
    "kraken_futures/ticker_PI_LTCUSD_recorded_2019.json": [
        ("mark", "PI_LTCUSD", 60.38, 1554076800695),
        ("index", "PI_LTCUSD", 60.31, 1554076800695),
        (
            "funding",
            "PI_LTCUSD",
            1.04908704166667e-4,
            1.04908704166667e-4,
            1554091200000,
            1554076800695,
            1.0,
        ),
    ],
    "kraken_futures/ticker_PI_BCHUSD_negative_funding_recorded_2023.json": [
        ("mark", "PI_BCHUSD", 123.83534812969, 1680307198986),
        ("index", "PI_BCHUSD", 123.91, 1680307198986),
        (
            "funding",
            "PI_BCHUSD",
            -0.000015670191666667,
            -0.000017773051388889,
            1680307200000,
            1680307198986,
            1.0,
        ),
    ],
    "kraken_futures/ticker_PF_ETHUSD_recorded_2026.json": [
        ("mark", "PF_ETHUSD", 1751.97553924942, 1783587648112),
        ("index", "PF_ETHUSD", 1751.75, 1783587648112),
        (
            "funding",
            "PF_ETHUSD",
            0.0000186711875,
            0.00001783425,
            1783591200000,
            1783587648112,
            1.0,
        ),
    ],
    "kraken_futures/ticker_PF_SUIUSD_zero_funding_recorded_2023.json": [  # next time 0 -> None
        ("mark", "PF_SUIUSD", 1.3336, 1683116402169),
        ("index", "PF_SUIUSD", 1.3336, 1683116402169),
        ("funding", "PF_SUIUSD", 0.0, 0.0, None, 1683116402169, 1.0),
    ],
    "kraken_futures/info_event_recorded.json": QUIET,
    "kraken_futures/subscribed_ack_recorded.json": QUIET,
    "kraken_futures/subscribe_request_recorded.json": QUIET,
    "kraken_futures/open_positions_subscribe_request_docs.json": QUIET,
    "kraken_futures/open_positions_subscribed_ack_docs.json": QUIET,
    "kraken_futures/open_positions_docs.json": QUIET,
    "kraken_futures/balances_single_collateral_delta_docs.json": QUIET,
    "kraken_futures/error_invalid_product_id_docs.json": VENUE_ERROR,
    "kraken_futures/rest_accounts_docs.json": REFUSED,
    "kraken_futures/rest_openorders_docs.json": REFUSED,
    "kraken_futures/rest_openpositions_short_docs.json": REFUSED,
    "kraken_futures/rest_sendorder_response_docs.json": REFUSED,
}

SAMPLES = sample_files()


def test_the_samples_folder_is_covered() -> None:
    names = {sample_name(p) for p in SAMPLES}
    assert len(names) > 90
    assert not set(EXPECTED) - names, "expectations for files that no longer exist"


@pytest.mark.parametrize("path", SAMPLES, ids=sample_name)
def test_sample(path: Path) -> None:
    name = sample_name(path)
    assert name in EXPECTED, f"new sample {name}: classify it in EXPECTED"
    adapter = get_adapter(FOLDER_VENUE[path.parent.name])
    frame = wire_frame(path)
    expected = EXPECTED[name]
    if expected == VENUE_ERROR:
        with pytest.raises(VenueErrorReply) as err:
            adapter.parse(frame)
        assert str(err.value)  # a message a person can read
    elif expected == REFUSED:
        with pytest.raises(FeedParseError) as refused:
            adapter.parse(frame)
        assert not isinstance(refused.value, VenueErrorReply)
        assert str(refused.value)
    elif expected == QUIET:
        assert adapter.parse(frame) == []
    else:
        events = split_market_events(adapter.parse(frame))
        assert [e.venue for e in events] == [adapter.name] * len(events)
        assert [as_tuple(e) for e in events] == expected
    # bytes and str frames parse the same
    if isinstance(expected, list):
        again = split_market_events(get_adapter(adapter.name).parse(frame.decode()))
        assert [as_tuple(e) for e in again] == expected
