"""`hedgetui calc`: the inverse-contract risk math for one position, as a table or JSON.

Numbers are taken as strings and validated here (not by argparse) so that impossible input
exits 2 with one line naming the flag, never a traceback or a usage dump.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hedgetui.domain import RiskReport
    from hedgetui.risk import InversePosition
    from hedgetui.venues import InstrumentProfile

DEFAULT_MMR = 0.005
DEFAULT_FUNDING_HOURS = 8.0
# No price, size or coin amount comes near this; beyond it float sums lose whole units and a
# 1e308 input overflows to inf/nan in the margin math while the table still looks normal.
MAX_MAGNITUDE = 1e12
MAX_MOVE_PCT = 1e6


class CalcInputError(Exception):
    """Impossible input; the message names the flag."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "Lists starting with a minus need the '=' form: --scenario=-20,-10,10,20. "
        "Conventions: funding is positive when this position RECEIVES it; a long hedges "
        "nothing: it prints its leverage on the coins held (JSON keeps its negative "
        "hedge_ratio); --collateral and --spot both count as coins held."
    )
    add = parser.add_argument
    add("--side", metavar="{long,short}", help="direction of the inverse position")
    add("--contracts", metavar="N", help="number of contracts (unsigned)")
    add("--contract-size", metavar="USD", help="USD per contract (default 1, or the venue's)")
    add("--venue", metavar="NAME", help="fill contract size, tiers, convention, fee from a venue")
    add("--symbol", metavar="SYMBOL", help="the venue's instrument (default: its BTC perpetual)")
    add("--entry", metavar="P0", help="average entry price, USD")
    add("--mark", metavar="P", help="mark price, USD (default: the entry)")
    add("--collateral", metavar="C", help="coin margin of the position (isolated) or account")
    add("--spot", metavar="S", help="spot coins held outside the derivatives account")
    add("--leverage", metavar="L", help="leverage; without --collateral: isolated margin = IM")
    add("--mmr", metavar="m", help=f"maintenance rate (default {DEFAULT_MMR}; overrides tiers)")
    add("--mm-deduction", metavar="D", help="maintenance deduction in coin (with --mmr)")
    add("--mmr-per-coin", metavar="k", help="size-dependent rate per coin: m + k*Q/P (Deribit)")
    add("--mm-basis", metavar="{mark,entry}", help="maintenance on value at mark or at entry")
    add("--fee", metavar="f", help="closing-fee allowance folded into maintenance (m -> m+f)")
    add("--funding-rate", metavar="r", help="funding rate per interval (positive: longs pay)")
    add("--funding-hours", metavar="H", help="funding interval in hours (default 8)")
    add("--scenario", metavar="LIST", help="price moves in %% from the mark, e.g. -20,-10,10")
    add("--json", action="store_true", help="print one JSON object")


# --------------------------------------------------------------------------- parsing


def _number(
    raw: str | None,
    flag: str,
    *,
    positive: bool = False,
    non_negative: bool = False,
    below_one: bool = False,
) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw.replace("_", "").replace(",", ""))
    except ValueError:
        raise CalcInputError(f"{flag} must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise CalcInputError(f"{flag} must be a finite number, got {raw!r}")
    if abs(value) > MAX_MAGNITUDE:
        raise CalcInputError(f"{flag} must be at most {MAX_MAGNITUDE:g} in size, got {raw}")
    if positive and value <= 0:
        raise CalcInputError(f"{flag} must be greater than 0, got {raw}")
    if non_negative and value < 0:
        raise CalcInputError(f"{flag} must not be negative, got {raw}")
    if below_one and not -1 < value < 1:
        raise CalcInputError(f"{flag} is a fraction (0.005 = 0.5%) and must be below 1, got {raw}")
    return value


def _choice(raw: str | None, flag: str, choices: tuple[str, ...]) -> str | None:
    if raw is None:
        return None
    value = raw.strip().lower()
    if value not in choices:
        raise CalcInputError(f"{flag} must be one of {', '.join(choices)}, got {raw!r}")
    return value


def _scenarios(raw: str | None) -> tuple[float, ...]:
    if raw is None or not raw.strip():
        return ()
    moves: list[float] = []
    for item in raw.split(","):
        text = item.strip().removesuffix("%")
        try:
            move = float(text)
        except ValueError:
            raise CalcInputError(
                f"--scenario must be comma-separated percentages like -20,-10,10,20; "
                f"bad item {item.strip()!r}"
            ) from None
        if not math.isfinite(move) or move <= -100:
            raise CalcInputError(f"--scenario moves must be above -100%, got {item.strip()!r}")
        if move > MAX_MOVE_PCT:
            raise CalcInputError(
                f"--scenario moves must be at most {MAX_MOVE_PCT:g}%, got {item.strip()!r}"
            )
        moves.append(move)
    return tuple(moves)


@dataclass(frozen=True, slots=True)
class CalcInput:
    position: InversePosition
    mark: float
    spot: float
    funding_rate: float | None
    funding_hours: float
    scenarios: tuple[float, ...]
    coin: str
    profile: InstrumentProfile | None
    collateral_note: str | None


def _profile(args: argparse.Namespace) -> InstrumentProfile | None:
    from hedgetui.venues import NotInverseError, default_symbol, get_instrument

    if args.venue is None:
        if args.symbol is not None:
            raise CalcInputError("--symbol needs --venue")
        return None
    try:
        symbol = args.symbol or default_symbol(args.venue)
        return get_instrument(args.venue, symbol)
    except NotInverseError as exc:
        raise CalcInputError(f"--symbol: {exc}") from None
    except KeyError as exc:
        flag = "--venue" if "venue" in str(exc) else "--symbol"
        raise CalcInputError(f"{flag}: {exc}") from None


def parse_input(args: argparse.Namespace) -> CalcInput:
    """Turn the raw flags into a validated position and options (raises ``CalcInputError``)."""
    from hedgetui.risk import InversePosition

    side = _choice(args.side, "--side", ("long", "short"))
    if side is None:
        raise CalcInputError("--side is required (long or short)")
    contracts = _number(args.contracts, "--contracts", non_negative=True)
    if contracts is None:
        raise CalcInputError("--contracts is required")
    entry = _number(args.entry, "--entry", positive=True)
    if entry is None:
        raise CalcInputError("--entry is required")
    mark = _number(args.mark, "--mark", positive=True) or entry
    profile = _profile(args)
    size = _number(args.contract_size, "--contract-size", positive=True)
    contract_size = size if size is not None else (profile.contract_size if profile else 1.0)
    leverage = _number(args.leverage, "--leverage", positive=True)
    collateral = _number(args.collateral, "--collateral", non_negative=True)
    note = None
    if collateral is None:
        if leverage is not None:
            collateral = contracts * contract_size / (entry * leverage)
            note = "from --leverage: isolated margin = initial margin"
        else:
            collateral = 0.0
            note = "none given: pass --collateral or --leverage"
    spot = _number(args.spot, "--spot", non_negative=True) or 0.0
    mmr = _number(args.mmr, "--mmr", non_negative=True, below_one=True)
    deduction = _number(args.mm_deduction, "--mm-deduction")
    per_coin = _number(args.mmr_per_coin, "--mmr-per-coin", non_negative=True, below_one=True)
    basis = _choice(args.mm_basis, "--mm-basis", ("mark", "entry"))
    fee = _number(args.fee, "--fee", non_negative=True, below_one=True)
    rate = _number(args.funding_rate, "--funding-rate", below_one=True)
    hours = _number(args.funding_hours, "--funding-hours", positive=True)
    use_tiers = profile is not None and mmr is None and deduction is None
    profile_per_coin = profile.mmr_per_coin if (profile is not None and mmr is None) else 0.0
    position = InversePosition(
        side="long" if side == "long" else "short",
        contracts=contracts,
        contract_size=contract_size,
        entry=entry,
        collateral=collateral,
        mmr=mmr if mmr is not None else (profile.mmr if profile else DEFAULT_MMR),
        mm_deduction=deduction or 0.0,
        tiers=profile.tiers if (profile is not None and use_tiers) else (),
        mm_basis="entry"
        if (basis or (profile.mm_basis if profile else "mark")) == "entry"
        else "mark",
        fee=fee if fee is not None else (profile.taker_fee if profile else 0.0),
        leverage=leverage,
        mmr_per_coin=per_coin if per_coin is not None else profile_per_coin,
    )
    if hours is None:
        hours = profile.funding_interval_hours if profile else DEFAULT_FUNDING_HOURS
    return CalcInput(
        position=position,
        mark=mark,
        spot=spot,
        funding_rate=rate,
        funding_hours=hours,
        scenarios=_scenarios(args.scenario),
        coin=profile.coin if profile else "BTC",
        profile=profile,
        collateral_note=note,
    )


# --------------------------------------------------------------------------- output


def _clean(key: str, value: Any) -> Any:
    """Drop float noise far below what any venue shows (1e-12 coin, 1e-9 USD or %)."""
    if not isinstance(value, float):
        return value
    return round(value, 12 if "coin" in key or key == "hedge_ratio" else 9) + 0.0


def report_json(calc: CalcInput, report: RiskReport) -> dict[str, Any]:
    """The ``--json`` object: every ``RiskReport`` field plus the inputs that produced it."""
    from dataclasses import asdict

    from hedgetui.venues import round_liquidation

    data = {key: _clean(key, value) for key, value in asdict(report).items()}
    data["scenarios"] = [
        {key: _clean(key, value) for key, value in asdict(row).items()} for row in report.scenarios
    ]
    position = calc.position
    venue_liq = None
    if calc.profile is not None and report.liquidation_price is not None:
        venue_liq = round_liquidation(calc.profile, position.side, report.liquidation_price)
    data["venue_liquidation_price"] = venue_liq
    data["inputs"] = {
        "venue": calc.profile.venue if calc.profile else None,
        "symbol": calc.profile.symbol if calc.profile else None,
        "coin": calc.coin,
        "side": position.side,
        "contracts": position.contracts,
        "contract_size": position.contract_size,
        "entry": position.entry,
        "mark": calc.mark,
        "collateral": position.collateral,
        "spot": calc.spot,
        "leverage": position.leverage,
        "mmr": None if position.tiers else position.mmr,
        "mm_deduction": None if position.tiers else position.mm_deduction,
        "tiered": bool(position.tiers),
        "mmr_per_coin": position.mmr_per_coin,
        "mm_basis": position.mm_basis,
        "fee": position.fee,
        "funding_rate": calc.funding_rate,
        "funding_hours": calc.funding_hours,
    }
    return data


def _usd(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return "-"
    value = round(value, 2) + 0.0  # no "-0.00"
    return f"{value:+,.2f}" if signed and value != 0 else f"{value:,.2f}"


def _whole(value: float, *, signed: bool = True) -> str:
    value = round(value) + 0.0
    return f"{value:+,.0f}" if signed and value != 0 else f"{value:,.0f}"


def _coin_usd(coin_value: float | None, usd_value: float | None, coin: str) -> str:
    return f"{_coin(coin_value, coin)}  {_usd(usd_value, signed=True)} USD"


def _coin(value: float | None, coin: str) -> str:
    return "-" if value is None else f"{round(value, 8) + 0.0:.8f} {coin}"  # no "-0.00000000"


def _pct(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.2f}%" if signed else f"{value:.2f}%"


def _to_liquidation(report: RiskReport) -> str:
    """The signed distance (``-9.64%  -4,818.18 USD  past liquidation``), or ``-`` without one."""
    from hedgetui.domain import LIQUIDATION_WORDS, LiquidationState

    if report.liquidation_distance_pct is None:
        return "-"
    text = f"{_pct(report.liquidation_distance_pct)}  {_usd(report.liquidation_distance_usd)} USD"
    if report.liquidation_state is LiquidationState.PAST:
        text += f"  {LIQUIDATION_WORDS[LiquidationState.PAST]}"
    return text


def render_table(calc: CalcInput, report: RiskReport) -> str:
    """A readable, aligned summary that fits 80 columns."""
    from hedgetui.domain import LIQUIDATION_WORDS
    from hedgetui.venues import round_liquidation

    p = calc.position
    coin = calc.coin
    where = f"{calc.profile.venue} {calc.profile.symbol}, " if calc.profile else ""
    liq = report.liquidation_price
    liq_text = (
        LIQUIDATION_WORDS.get(report.liquidation_state, "-") if liq is None else f"{_usd(liq)} USD"
    )
    if liq is not None and calc.profile is not None:
        liq_text += f"  (venue shows {_usd(round_liquidation(calc.profile, p.side, liq))})"
    mm_text = "tiered" if p.tiers else f"{p.mmr:.4%}"
    if p.mmr_per_coin:
        mm_text += f" + {p.mmr_per_coin:.4%}/{coin}"
    rows: list[tuple[str, str]] = [
        (
            "position",
            f"{p.side} {p.contracts:,.10g} x {p.contract_size:,.10g} USD ({where}{coin})",
        ),
        ("entry / mark", f"{_usd(p.entry)} / {_usd(calc.mark)} USD"),
        ("margin model", f"MM {mm_text} on value at {p.mm_basis}, fee {p.fee:.4%}"),
        ("notional", f"{_usd(report.notional_usd)} USD"),
        ("position value", _coin(report.position_value_coin, coin)),
        (
            "collateral",
            _coin(p.collateral, coin)
            + (f"  ({calc.collateral_note})" if calc.collateral_note else ""),
        ),
        ("spot held", _coin(calc.spot, coin)),
        (
            "unrealised PnL",
            f"{_coin(report.pnl_coin, coin)}  {_usd(report.pnl_usd, signed=True)} USD",
        ),
        ("equity", _coin(report.equity_coin, coin)),
        ("initial margin", _coin(report.initial_margin_coin, coin)),
        ("maintenance margin", _coin(report.maintenance_margin_coin, coin)),
        (
            "margin buffer",
            f"{_coin(report.margin_buffer_coin, coin)}  {_usd(report.margin_buffer_usd)} USD",
        ),
        ("liquidation price", liq_text),
        (
            "bankruptcy price",
            "none" if report.bankruptcy_price is None else f"{_usd(report.bankruptcy_price)} USD",
        ),
        ("to liquidation", _to_liquidation(report)),
        (
            "net exposure",
            _coin_usd(report.net_exposure_coin, report.net_exposure_usd, coin),
        ),
        ("hedge ratio", _hedge_ratio(report.hedge_ratio)),
    ]
    if report.funding_coin is not None:
        hours = f"{calc.funding_hours:g}h"
        rows.append(
            (
                f"funding / {hours}",
                f"{_coin(report.funding_coin, coin)}  {_usd(report.funding_usd, signed=True)} USD"
                f"  ({_pct(report.funding_annualized_pct, signed=True)}/yr; + = received)",
            )
        )
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value}" for label, value in rows]
    if report.scenarios:
        lines.append("")
        lines.append(
            f"{'move':>7} {'price':>10} {'spot PnL':>10} {'futures PnL':>11} {'net PnL':>10} "
            f"{'portfolio':>11} {'drawdn':>6} {'to liq':>7}"
        )
        for row in report.scenarios:
            to_liq = "LIQ" if row.liquidated else _pct(row.liquidation_distance_pct)
            lines.append(
                f"{row.move_pct:>+6.1f}% {_usd(row.price):>10} {_whole(row.spot_pnl_usd):>10} "
                f"{_whole(row.futures_pnl_usd):>11} {_whole(row.net_pnl_usd):>10} "
                f"{_whole(row.portfolio_usd, signed=False):>11} {row.drawdown_pct:>5.1f}% "
                f"{to_liq:>7}"
            )
    return "\n".join(lines) + "\n"


def _hedge_ratio(ratio: float | None) -> str:
    """The hedge ratio, or for a long (which hedges nothing) its leverage on the coins held."""
    from hedgetui.risk import long_leverage

    leverage = long_leverage(ratio)
    if leverage is not None:
        return f"none: a long, leverage {leverage:.2f}x on the coins held ({ratio:.4f})"
    return "-" if ratio is None else f"{ratio:.4f}"


def run(args: argparse.Namespace) -> int:
    from hedgetui.risk import assess

    try:
        calc = parse_input(args)
        report = assess(
            calc.position,
            calc.mark,
            spot=calc.spot,
            funding_rate=calc.funding_rate,
            funding_hours=calc.funding_hours,
            scenarios=calc.scenarios,
        )
    except (CalcInputError, ValueError) as exc:
        print(f"hedgetui calc: {exc}", file=sys.stderr)
        return 2
    if args.json:
        import json

        sys.stdout.write(json.dumps(report_json(calc, report), indent=2) + "\n")
    else:
        sys.stdout.write(render_table(calc, report))
    return 0
