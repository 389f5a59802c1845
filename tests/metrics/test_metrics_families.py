"""What a scrape of ``watch --metrics`` says about a view: names, units, labels, and no number
from stale or missing input (hedgetui.metrics.families, through the exposition text)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from hedgetui.alerts.model import Alert, AlertState, Severity
from hedgetui.domain import DashboardView, FeedState, Freshness
from hedgetui.history.carry import CarryFigures, Projection, WindowCarry
from hedgetui.metrics.exporter import MetricsExporter
from hedgetui.metrics.listen import ListenError, parse_listen
from tests.alerts_views import feed, hedge, report, view

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(
    v: DashboardView, alerts: Sequence[Alert] = (), frames: dict[str, int] | None = None
) -> Samples:
    """The samples of one scrape after one evaluation, as Prometheus would parse them."""
    exporter = MetricsExporter()
    exporter.count_frames(lambda: frames or {})
    exporter.update(v, list(alerts))
    registry = CollectorRegistry(auto_describe=False)
    registry.register(exporter)
    text = generate_latest(registry).decode()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def of(samples: Samples, name: str, **labels: str) -> list[float]:
    """The values of ``name`` whose labels include ``labels``."""
    want = set(labels.items())
    return [v for (n, ls), v in samples.items() if n == name and want <= ls]


def hedge_names(samples: Samples, hedge_name: str) -> set[str]:
    return {n for (n, ls), _ in samples.items() if ("hedge", hedge_name) in ls}


def test_fresh_hedge_in_base_units_with_its_labels() -> None:
    h = hedge(rep=report(liq_distance_pct=24.5, liq_price=45_300.0), buffer_pct=98.0)
    s = scrape(view(h))
    labels = {"hedge": "btc-lev", "venue": "bybit", "symbol": "BTCUSD", "coin": "BTC"}
    assert of(s, "hedgetui_hedge_liquidation_distance_ratio", **labels) == [pytest.approx(0.245)]
    assert of(s, "hedgetui_hedge_liquidation_price_usd", **labels) == [45_300.0]
    assert of(s, "hedgetui_hedge_margin_buffer_ratio", **labels) == [pytest.approx(0.98)]
    assert of(s, "hedgetui_hedge_funding_apr_ratio", **labels) == [pytest.approx(0.10)]
    assert of(s, "hedgetui_hedge_funding_interval_seconds", **labels) == [28_800.0]
    assert of(s, "hedgetui_hedge_stale", **labels) == [0.0]
    assert of(s, "hedgetui_hedge_liquidation_state", state="ahead") == [1.0]
    assert of(s, "hedgetui_hedge_liquidation_state", state="past") == [0.0]
    assert of(s, "hedgetui_build_info")[0] == 1.0


def test_a_hedge_past_liquidation_exports_a_negative_distance() -> None:
    s = scrape(view(hedge(rep=report(liq_distance_pct=-3.0, liq_price=61_800.0))))
    assert of(s, "hedgetui_hedge_liquidation_distance_ratio") == [pytest.approx(-0.03)]
    assert of(s, "hedgetui_hedge_liquidation_state", state="past") == [1.0]


@pytest.mark.parametrize("field", ["mark", "position"])
@pytest.mark.parametrize("freshness", [Freshness.STALE, Freshness.NONE])
def test_a_stale_hedge_exports_no_number_only_that_it_is_stale(
    field: str, freshness: Freshness
) -> None:
    h = hedge(**{field: freshness})  # type: ignore[arg-type]
    s = scrape(view(h))
    assert hedge_names(s, "btc-lev") == {"hedgetui_hedge_stale"}
    assert of(s, "hedgetui_hedge_stale", hedge="btc-lev") == [1.0]


def test_a_hedge_with_no_report_yet_exports_no_number() -> None:
    s = scrape(view(hedge(rep=None)))
    assert hedge_names(s, "btc-lev") == {"hedgetui_hedge_stale"}


def test_stale_funding_withholds_the_funding_figures_only() -> None:
    s = scrape(view(hedge(funding=Freshness.STALE)))
    names = hedge_names(s, "btc-lev")
    assert "hedgetui_hedge_funding_rate" not in names
    assert "hedgetui_hedge_funding_apr_ratio" not in names
    assert "hedgetui_hedge_liquidation_distance_ratio" in names


def test_no_liquidation_price_is_absent_not_zero() -> None:
    s = scrape(view(hedge(rep=report(liq_distance_pct=None, liq_price=None))))
    assert of(s, "hedgetui_hedge_liquidation_distance_ratio") == []
    assert of(s, "hedgetui_hedge_liquidation_price_usd") == []
    assert of(s, "hedgetui_hedge_liquidation_state", state="none") == [1.0]


def test_feeds_state_set_age_and_counters() -> None:
    feeds = (
        feed("bybit", age=0.4),
        feed("okx", state=FeedState.DOWN, freshness=Freshness.NONE, age=None),
    )
    s = scrape(view(hedge(), feeds=feeds), frames={"bybit": 120, "okx": 0})
    assert of(s, "hedgetui_feed_state", venue="bybit", state="live") == [1.0]
    assert of(s, "hedgetui_feed_state", venue="okx", state="down") == [1.0]
    assert sum(of(s, "hedgetui_feed_state", venue="okx")) == 1.0
    assert of(s, "hedgetui_feed_last_message_age_seconds", venue="bybit") == [0.4]
    assert of(s, "hedgetui_feed_last_message_age_seconds", venue="okx") == []
    assert of(s, "hedgetui_feed_frames_total", venue="bybit") == [120.0]
    assert of(s, "hedgetui_feed_reconnects_total", venue="okx") == [0.0]


def test_alert_states_as_a_0_1_set_per_key() -> None:
    alert = Alert(
        key="liq_distance:btc-lev",
        rule="liq_distance",
        hedge="btc-lev",
        venue="bybit",
        state=AlertState.PENDING,
        severity=Severity.CRITICAL,
        title="t",
        message="m",
        value=4.0,
        threshold=5.0,
        since=0.0,
    )
    s = scrape(view(hedge()), [alert])
    key = {"key": "liq_distance:btc-lev", "rule": "liq_distance", "severity": "critical"}
    assert of(s, "hedgetui_alert_state", state="pending", **key) == [1.0]
    assert of(s, "hedgetui_alert_state", state="firing", **key) == [0.0]
    assert of(scrape(view(hedge())), "hedgetui_alert_state") == []


@pytest.mark.parametrize(
    ("text", "host", "port", "loopback"),
    [
        ("9108", "127.0.0.1", 9108, True),
        (":9108", "127.0.0.1", 9108, True),
        ("0.0.0.0:9108", "0.0.0.0", 9108, False),
        ("[::1]:9108", "::1", 9108, True),
        ("localhost:80", "localhost", 80, True),
        ("metrics.example:9108", "metrics.example", 9108, False),
    ],
)
def test_listen_addresses(text: str, host: str, port: int, loopback: bool) -> None:
    listen = parse_listen(text)
    assert (listen.host, listen.port, listen.loopback) == (host, port, loopback)


@pytest.mark.parametrize("text", ["", "abc", ":0", "1:2:3", "host:70000", "host:"])
def test_bad_listen_addresses_say_why(text: str) -> None:
    with pytest.raises(ListenError, match=r"port|IPv6"):
        parse_listen(text)


def carry_figures() -> CarryFigures:
    def window(label: str, usd: float, missing: int = 0) -> WindowCarry:
        return WindowCarry(label, 0, 1, usd, usd / 60_000.0, -5.0, 3, missing, 24.0, "paid")

    return CarryFigures(
        since=window("since", -120.0),
        since_configured=True,
        windows=(window("24h", -4.0), window("7d", -30.0, missing=1)),
        projections=(Projection(30, "current", -90.0, None),),
        current_rate=-0.0001,
        interval_hours=8.0,
    )


def test_carry_windows_and_projections() -> None:
    s = scrape(view(replace(hedge(), carry=carry_figures())))
    assert of(s, "hedgetui_hedge_carry_usd", window="7d") == [-30.0]
    assert of(s, "hedgetui_hedge_carry_usd", window="since") == [-120.0]
    assert of(s, "hedgetui_hedge_carry_apr_ratio", window="24h") == [pytest.approx(-0.05)]
    assert of(s, "hedgetui_hedge_carry_missing_events", window="7d") == [1.0]
    assert of(s, "hedgetui_hedge_carry_projection_usd", days="30", basis="current") == [-90.0]


def test_stale_funding_withholds_the_projections_but_not_the_settled_windows() -> None:
    s = scrape(view(replace(hedge(funding=Freshness.STALE), carry=carry_figures())))
    assert of(s, "hedgetui_hedge_carry_usd", window="24h") == [-4.0]
    assert of(s, "hedgetui_hedge_carry_projection_usd") == []
