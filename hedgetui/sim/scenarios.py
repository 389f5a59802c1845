"""Price / funding paths that drive the simulator: pure data plus linear interpolation.

A scenario holds, per coin, a time-ordered tuple of points ``(t, mark, index, funding_rate)``
where ``t`` is seconds from the start of the scenario and ``funding_rate`` is a fraction per
8-hour interval. Every named scenario is deterministic (no randomness), so snapshot tests and
benchmarks see the same numbers on every run.

Real-history scenarios compress time: one minute of history is one scenario second
(``funding-flip``: one hour of history is one scenario second). Their index is the real Binance
spot close; their mark is ``index × (1 + funding_rate)``, which is SYNTHETIC (no real 1-minute
perp mark series exists in the data set); ETH is DERIVED by scaling the BTC path so that it
starts at 3,000.

A scenario of the user's own, loaded from a CSV file, is `hedgetui.sim.scenario_csv`.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from hedgetui.history.crashes import CRASHES, Crash

DATA_DIR = Path(__file__).resolve().parent / "data"
COINS: tuple[str, ...] = ("BTC", "ETH")
ETH_START = 3_000.0


class ScenarioError(ValueError):
    """A scenario could not be built or loaded; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class ScenarioPoint:
    t: float
    mark: float
    index: float
    funding_rate: float


@dataclass(frozen=True, slots=True)
class ScheduledFault:
    """A fault the scenario injects at scenario time ``at_s`` (once per pass when looping)."""

    at_s: float
    venue: str
    kind: str
    params: Mapping[str, float | int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    source: str
    paths: Mapping[str, tuple[ScenarioPoint, ...]]
    loop: bool = True
    faults: tuple[ScheduledFault, ...] = ()
    _times: dict[str, list[float]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.paths:
            raise ScenarioError(f"scenario {self.name!r} has no price path")
        times: dict[str, list[float]] = {}
        for coin, points in self.paths.items():
            if not points:
                raise ScenarioError(f"scenario {self.name!r}: coin {coin} has no points")
            ts = [p.t for p in points]
            if any(b <= a for a, b in itertools.pairwise(ts)):
                raise ScenarioError(f"scenario {self.name!r}: {coin} times must increase")
            times[coin] = ts
        object.__setattr__(self, "_times", times)

    @property
    def coins(self) -> tuple[str, ...]:
        return tuple(self.paths)

    @property
    def duration_s(self) -> float:
        return max(points[-1].t for points in self.paths.values())

    def initial(self, coin: str) -> ScenarioPoint:
        return self._points(coin)[0]

    def at(self, coin: str, t: float) -> ScenarioPoint:
        """The point at scenario time ``t`` (linear interpolation; wraps around if ``loop``)."""
        points = self._points(coin)
        times = self._times[coin]
        start, end = times[0], times[-1]
        if self.loop and end > start:
            t = start + (t - start) % (end - start)
        if t <= start:
            return _at_time(points[0], t)
        if t >= end:
            return _at_time(points[-1], t)
        i = bisect.bisect_right(times, t)
        a, b = points[i - 1], points[i]
        w = (t - a.t) / (b.t - a.t)
        return ScenarioPoint(
            t=t,
            mark=a.mark + (b.mark - a.mark) * w,
            index=a.index + (b.index - a.index) * w,
            funding_rate=a.funding_rate + (b.funding_rate - a.funding_rate) * w,
        )

    def _points(self, coin: str) -> tuple[ScenarioPoint, ...]:
        try:
            return self.paths[coin.upper()]
        except KeyError:
            known = ", ".join(self.paths)
            raise ScenarioError(
                f"scenario {self.name!r} has no path for {coin!r} (has: {known})"
            ) from None


def _at_time(p: ScenarioPoint, t: float) -> ScenarioPoint:
    return ScenarioPoint(t=t, mark=p.mark, index=p.index, funding_rate=p.funding_rate)


# --------------------------------------------------------------------------- building blocks


def scaled(points: Iterable[ScenarioPoint], start: float) -> tuple[ScenarioPoint, ...]:
    """The same path in percent, rescaled so that the index starts at ``start``."""
    pts = tuple(points)
    k = start / pts[0].index
    return tuple(ScenarioPoint(p.t, p.mark * k, p.index * k, p.funding_rate) for p in pts)


def _with_eth(btc: tuple[ScenarioPoint, ...]) -> dict[str, tuple[ScenarioPoint, ...]]:
    return {"BTC": btc, "ETH": scaled(btc, ETH_START)}


def _sampled(
    duration_s: float, step_s: float, fn: Callable[[float], tuple[float, float, float]]
) -> tuple[ScenarioPoint, ...]:
    n = round(duration_s / step_s)
    out = []
    for k in range(n + 1):
        t = k * step_s
        mark, index, rate = fn(t)
        out.append(ScenarioPoint(t, mark, index, rate))
    return tuple(out)


def _ease(x: float) -> float:
    """Cosine ease from 0 to 1 over x in [0, 1]."""
    x = min(1.0, max(0.0, x))
    return (1.0 - math.cos(math.pi * x)) / 2.0


# --------------------------------------------------------------------------- synthetic


CRASH_START = 60_000.0
CRASH_DEPTH = 0.20
# phases of the crash (seconds): calm, fall, bottom, recovery, calm
_CALM1, _FALL, _BOTTOM, _RECOVER, _CALM2 = 30.0, 60.0, 30.0, 60.0, 30.0


def _crash_fn(t: float) -> tuple[float, float, float]:
    t1 = _CALM1
    t2 = t1 + _FALL
    t3 = t2 + _BOTTOM
    t4 = t3 + _RECOVER
    if t < t1:
        drop = 0.0
    elif t < t2:
        drop = CRASH_DEPTH * _ease((t - t1) / _FALL)
    elif t < t3:
        drop = CRASH_DEPTH
    elif t < t4:
        drop = CRASH_DEPTH * (1.0 - _ease((t - t3) / _RECOVER))
    else:
        drop = 0.0
    index = CRASH_START * (1.0 - drop)
    stress = drop / CRASH_DEPTH  # 0 calm .. 1 at the bottom
    funding = 0.0001 - 0.0011 * stress  # +0.01% calm, -0.10% per 8h at the bottom
    premium = 0.0002 - 0.0012 * stress  # perp trades at a discount in the fall
    return index * (1.0 + premium), index, funding


def crash() -> Scenario:
    duration = _CALM1 + _FALL + _BOTTOM + _RECOVER + _CALM2
    btc = _sampled(duration, 1.0, _crash_fn)
    return Scenario(
        name="crash",
        description=(
            "BTC 60,000 falls 20% to 48,000 in 60 s, sits 30 s at the bottom and recovers fully "
            "in 60 s (30 s calm before and after; loops every 210 s). Funding drifts from "
            "+0.01% to -0.10% per 8 h at the bottom and back; ETH moves the same in % from 3,000."
        ),
        source="synthetic",
        paths=_with_eth(btc),
        loop=True,
    )


def _calm_fn(t: float) -> tuple[float, float, float]:
    index = CRASH_START * (1.0 + 0.002 * math.sin(2.0 * math.pi * t / 60.0))
    funding = 0.0001 + 0.00002 * math.sin(2.0 * math.pi * t / 60.0)
    return index * 1.0002, index, funding


def calm(duration_s: float = 60.0) -> Scenario:
    return Scenario(
        name="calm",
        description="BTC wiggles ±0.2% around 60,000 on a 60 s sine; funding ≈ +0.01% per 8 h.",
        source="synthetic",
        paths=_with_eth(_sampled(duration_s, 0.5, _calm_fn)),
        loop=True,
    )


def stall() -> Scenario:
    base = calm(duration_s=90.0)
    return Scenario(
        name="stall",
        description=(
            "A calm market; bybit stalls at t=20 s for 20 s (connection open, nothing sent, "
            "pings unanswered) and okx drops every connection at t=50 s. Loops every 90 s."
        ),
        source="synthetic",
        paths=base.paths,
        loop=True,
        faults=(
            ScheduledFault(20.0, "bybit", "stall", {"seconds": 20}),
            ScheduledFault(50.0, "okx", "drop"),
        ),
    )


SOAK_FAULT_EVERY_S = 180.0
SOAK_FAST_FAULT_EVERY_S = 40.0 / 3.0
"""``soak-fast``: the same six faults in an 80 s loop, to see in minutes what grows per fault."""


def soak(every_s: float = SOAK_FAULT_EVERY_S, name: str = "soak") -> Scenario:
    """A calm market with a fault every ``every_s`` (3 minutes) on a different venue, looping
    every six faults (18 min): what ``benchmarks/soak.py`` runs the dashboard and the watcher
    against for hours. Each fault keeps its own length (bitmex's stall is 40 s at any spacing,
    past the 30 s watchdog), so with a short spacing they overlap."""
    base = calm(duration_s=6 * every_s)
    every = every_s
    first = every_s / 3.0  # 60 s into each 3 minutes
    spacing = "3 minutes" if every_s == SOAK_FAULT_EVERY_S else f"{every_s:.3g} s"
    loop = 6 * every_s
    loop_text = f"{loop / 60:g} minutes" if loop >= 60 * 5 else f"{loop:g} s"
    return Scenario(
        name=name,
        description=(
            f"A calm market with one fault every {spacing}, each venue in turn: bybit stalls "
            "20 s, okx planned maintenance, kraken garbage, deribit closes 1011, binance drops, "
            f"bitmex stalls 40 s (past the watchdog). Loops every {loop_text}."
        ),
        source="synthetic",
        paths=base.paths,
        loop=True,
        faults=(
            ScheduledFault(every * 0 + first, "bybit", "stall", {"seconds": 20}),
            ScheduledFault(every * 1 + first, "okx", "maintenance"),
            ScheduledFault(every * 2 + first, "kraken", "garbage", {"count": 5}),
            ScheduledFault(every * 3 + first, "deribit", "close_code", {"code": 1011}),
            ScheduledFault(every * 4 + first, "binance", "drop"),
            ScheduledFault(every * 5 + first, "bitmex", "stall", {"seconds": 40}),
        ),
    )


def soak_fast() -> Scenario:
    """The soak's faults every 13 s (an 80 s loop): ``benchmarks/soak.py --scenario soak-fast``
    shows in minutes what grows per fault (cards going stale, alerts, reconnects)."""
    return soak(SOAK_FAST_FAULT_EVERY_S, name="soak-fast")


# --------------------------------------------------------------------------- real history


def _parse_iso_ms(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def _read_rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="") as f:
        return list(csv.DictReader(f))


def funding_steps(name: str, time_col: str) -> tuple[list[int], list[float]]:
    """(settlement times ms, rates) of a funding history file, time-ordered."""
    rows = _read_rows(name)
    times = [_parse_iso_ms(r[time_col]) for r in rows]
    rates = [float(r["funding_rate"]) for r in rows]
    return times, rates


def _rate_at(times: list[int], rates: list[float], at_ms: int) -> float:
    """The rate that will be charged at the next settlement at or after ``at_ms``."""
    i = bisect.bisect_left(times, at_ms)
    return rates[min(i, len(rates) - 1)]


_WHAT: dict[str, str] = {
    "black-thursday": (
        "2020-03-12 09:00 → 03-13 02:59 UTC: BTC closes 7,381 → 3,707 (t=1036 s) → 4,724"
    ),
    "may19": "2021-05-19 08:00 → 17:59 UTC: BTC closes 40,294 → 29,888 (t=309 s) → 39,373",
    "celsius": "2022-06-13 00:30 → 12:29 UTC: BTC closes 26,761 → 23,546 (t=685 s) → 24,156",
    "ftx": "2022-11-09 12:00 → 23:59 UTC: BTC closes 17,794 → 15,526 (t=607 s) → 15,905",
}
"""What each shipped crash (``hedgetui.history.crashes``, the one list of them) looks like here."""


def _history(h: Crash) -> Scenario:
    rows = _read_rows(h.price_file)
    f_times, f_rates = funding_steps(h.funding_file, "time_utc")
    t0 = int(rows[0]["open_time_ms"])
    btc = []
    for r in rows:
        at_ms = int(r["open_time_ms"])
        index = float(r["close"])
        rate = _rate_at(f_times, f_rates, at_ms)
        btc.append(ScenarioPoint((at_ms - t0) / 60_000.0, index * (1.0 + rate), index, rate))
    return Scenario(
        name=h.name,
        description=(
            f"Real history, {_WHAT[h.name]}. "
            "One minute of history = one scenario second at speed 1."
        ),
        source=(
            f"index: Binance spot BTCUSDT 1-minute closes ({h.price_file}, from the Binance "
            "public kline dumps via GitHub owlacar-dotcom/isda); "
            f"funding: {h.funding_label} funding "
            f"({h.funding_file}); mark = index × (1 + funding rate) is SYNTHETIC; ETH is DERIVED "
            "by scaling the BTC path to start at 3,000"
        ),
        paths=_with_eth(tuple(btc)),
        loop=True,
    )


FLIP_FROM = "2020-03-06T04:00:00Z"
FLIP_TO = "2020-04-08T20:00:00Z"


def funding_flip() -> Scenario:
    f_times, f_rates = funding_steps("funding_bitmex_xbtusd_8h_2020-01_2020-06.csv", "time_utc")
    start, end = _parse_iso_ms(FLIP_FROM), _parse_iso_ms(FLIP_TO)
    btc = []
    for r in _read_rows("funding_deribit_btc-perpetual_1h_2020-02_2020-04.csv"):
        at_ms = int(r["timestamp_ms"])
        if not start <= at_ms <= end:
            continue
        index = float(r["index_price"])
        rate = _rate_at(f_times, f_rates, at_ms)
        btc.append(ScenarioPoint((at_ms - start) / 3_600_000.0, index * (1.0 + rate), index, rate))
    return Scenario(
        name="funding-flip",
        description=(
            "Real BitMEX XBTUSD funding 2020-03-06 → 2020-04-08: +0.01% per 8 h flips to "
            "-0.375% (Black Thursday) and back to +0.01%. One hour of history = one scenario "
            "second (an 8 h funding interval lasts 8 s at speed 1)."
        ),
        source=(
            "funding: BitMEX XBTUSD 8h funding history (funding_bitmex_xbtusd_8h_2020-01_2020-06"
            ".csv, BitMEX public API via GitHub nearridge/Hehmeyer); index: Deribit BTC index, "
            "hourly (funding_deribit_btc-perpetual_1h_2020-02_2020-04.csv, same source); "
            "mark = index × (1 + funding rate) is SYNTHETIC; ETH is DERIVED (scaled to 3,000)"
        ),
        paths=_with_eth(tuple(btc)),
        loop=True,
    )


# --------------------------------------------------------------------------- registry

_BUILDERS: dict[str, Callable[[], Scenario]] = {
    "crash": crash,
    "funding-flip": funding_flip,
    "stall": stall,
    "calm": calm,
    "soak": soak,
    "soak-fast": soak_fast,
    **{h.name: (lambda h=h: _history(h)) for h in CRASHES},  # type: ignore[misc]
}


def scenario_names() -> tuple[str, ...]:
    return tuple(_BUILDERS)


@cache
def get_scenario(name: str) -> Scenario:
    try:
        builder = _BUILDERS[name]
    except KeyError:
        raise ScenarioError(
            f"unknown scenario {name!r}; known: {', '.join(scenario_names())}"
        ) from None
    return builder()
