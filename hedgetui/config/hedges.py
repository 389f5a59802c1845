"""``[[accounts]]`` and ``[[hedges]]``: names, venues, symbols, positions, spot, overrides."""

from __future__ import annotations

import re

from hedgetui.config.locate import KeyPath
from hedgetui.config.model import (
    AccountSettings,
    AlertSettings,
    HedgeSettings,
    ManualPosition,
    SpotHolding,
    TradeLimits,
)
from hedgetui.config.schema import (
    Context,
    Table,
    as_table,
    as_table_list,
    check_keys,
    coerce,
    did_you_mean,
    fields_of,
    read_field,
    read_table,
)
from hedgetui.config.sections import check_alerts
from hedgetui.domain import VENUES
from hedgetui.venues import (
    NotInverseError,
    UnknownInstrumentError,
    default_symbol,
    get_instrument,
    instruments,
)

COIN_ALIASES = {"XBT": "BTC"}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COIN = re.compile(r"^[A-Z0-9]{2,10}$")


def read_accounts(value: object, ctx: Context) -> tuple[AccountSettings, ...]:
    accounts: list[AccountSettings] = []
    for i, table in enumerate(as_table_list(value, ("accounts",), ctx)):
        at: KeyPath = ("accounts", i)
        account = read_table(AccountSettings, table, at, ctx)
        if account.venue not in VENUES:
            raise ctx.error(
                (*at, "venue"),
                f"unknown venue {ctx.quoted((*at, 'venue'), account.venue)}"
                f"{did_you_mean(account.venue, VENUES)}; "
                "known: " + ", ".join(VENUES),
            )
        if any(a.name == account.name for a in accounts):
            raise ctx.error((*at, "name"), f"duplicate account name '{account.name}'")
        _check_credential_sources(account, at, ctx)
        accounts.append(account)
    return tuple(accounts)


def _check_credential_sources(account: AccountSettings, at: KeyPath, ctx: Context) -> None:
    for key in ("api_key_env", "api_secret_env", "passphrase_env"):
        name = getattr(account, key)
        if name is not None and not _ENV_NAME.match(name):
            # Never echo it: a user who pasted the key itself here must not see it printed.
            raise ctx.error(
                (*at, key),
                "must be the NAME of an environment variable (letters, digits, _), "
                "not the secret itself (value not shown)",
            )
    if (account.api_key_env is None) != (account.api_secret_env is None):
        missing = "api_secret_env" if account.api_secret_env is None else "api_key_env"
        raise ctx.error((*at, missing), "api_key_env and api_secret_env go together; set both")
    if not (account.api_key_env or account.keyring_service or account.credentials_file):
        raise ctx.error(
            at,
            f"account '{account.name}' has no credential source: set api_key_env + "
            "api_secret_env, keyring_service or credentials_file",
        )
    if account.venue == "okx" and account.api_key_env and not account.passphrase_env:
        raise ctx.error((*at, "passphrase_env"), "OKX keys need a passphrase: set passphrase_env")


def read_hedges(
    value: object,
    alerts: AlertSettings,
    accounts: tuple[AccountSettings, ...],
    ctx: Context,
    trading: TradeLimits | None = None,
) -> tuple[HedgeSettings, ...]:
    hedges: list[HedgeSettings] = []
    for i, table in enumerate(as_table_list(value, ("hedges",), ctx)):
        hedge = _hedge(table, ("hedges", i), alerts, accounts, ctx, trading or TradeLimits())
        for j, other in enumerate(hedges):
            if other.name == hedge.name:
                raise ctx.error(
                    ("hedges", i, "name"),
                    f"duplicate hedge name '{hedge.name}' (also hedges[{j}]); "
                    "give each hedge its own name",
                )
        hedges.append(hedge)
    return tuple(hedges)


def _hedge(
    table: Table,
    at: KeyPath,
    global_alerts: AlertSettings,
    accounts: tuple[AccountSettings, ...],
    ctx: Context,
    trading: TradeLimits,
) -> HedgeSettings:
    check_keys(table, list(fields_of(HedgeSettings)), at, ctx)
    for key in ("coin", "venue"):
        if key not in table:
            raise ctx.error((*at, key), f"missing required key '{key}' in [[hedges]]")
    coin = str(read_field(HedgeSettings, "coin", table, at, ctx)).upper()
    coin = COIN_ALIASES.get(coin, coin)
    if not _COIN.match(coin):
        raise ctx.error(
            (*at, "coin"),
            f"must be a coin ticker like BTC or ETH, got {ctx.quoted((*at, 'coin'), coin)}",
        )
    venue = str(read_field(HedgeSettings, "venue", table, at, ctx))
    if venue not in VENUES:
        raise ctx.error(
            (*at, "venue"),
            f"unknown venue {ctx.quoted((*at, 'venue'), venue)}{did_you_mean(venue, VENUES)}; "
            "known: " + ", ".join(VENUES),
        )
    symbol = _symbol(table, at, coin, venue, ctx)
    name = _name(table, at, coin, venue, ctx)
    spot = _spot(table.get("spot"), (*at, "spot"), ctx) if "spot" in table else ()
    position = None
    if "position" in table:
        position = read_table(
            ManualPosition,
            as_table(table["position"], (*at, "position"), ctx),
            (*at, "position"),
            ctx,
        )
    account = _account_ref(table, at, venue, accounts, ctx)
    if position is None and account is None:
        raise ctx.error(
            at,
            f"hedge '{name}' needs its futures position: either a [hedges.position] table "
            'entered by hand, or account = "<name of an [[accounts]] entry>"',
        )
    if position is not None and account is not None:
        raise ctx.error(
            (*at, "account"),
            "set either account (read the position from the exchange) or [hedges.position] "
            "(entered by hand), not both",
        )
    optional: dict[str, object] = {}
    for key in ("target_hedge_ratio", "hedge_band", "carry_since"):
        if key in table:
            optional[key] = read_field(HedgeSettings, key, table, at, ctx)
        else:
            ctx.record((*at, key), "default")
    hedge_alerts = global_alerts
    if "alerts" in table:
        alerts_at = (*at, "alerts")
        hedge_alerts = read_table(
            AlertSettings,
            as_table(table["alerts"], alerts_at, ctx),
            alerts_at,
            ctx,
            base=global_alerts,
        )
        check_alerts(hedge_alerts, alerts_at, ctx)
    limits = None
    if "trading" in table:
        limits_at = (*at, "trading")
        limits = read_table(
            TradeLimits,
            as_table(table["trading"], limits_at, ctx),
            limits_at,
            ctx,
            base=trading,
        )
    return HedgeSettings(
        name=name,
        coin=coin,
        venue=venue,
        symbol=symbol,
        spot=spot,
        position=position,
        account=account,
        alerts=hedge_alerts,
        trading=limits,
        **optional,  # type: ignore[arg-type]
    )


def _symbol(table: Table, at: KeyPath, coin: str, venue: str, ctx: Context) -> str:
    """The hedge's contract, checked against the venue profiles (``hedgetui.venues``)."""
    if "symbol" not in table:
        try:
            symbol = default_symbol(venue, coin)
        except UnknownInstrumentError as exc:
            raise ctx.error((*at, "coin"), f"{exc}; set symbol explicitly") from None
        ctx.record((*at, "symbol"), "default")
        return symbol
    wanted = str(read_field(HedgeSettings, "symbol", table, at, ctx)).strip()
    try:
        profile = get_instrument(venue, wanted)
    except NotInverseError as exc:
        raise ctx.error((*at, "symbol"), str(exc)) from None
    except UnknownInstrumentError as exc:
        known = [p.symbol for p in instruments(venue)]
        shown = ctx.quoted((*at, "symbol"), wanted)
        why = str(exc) if shown == f"'{wanted}'" else f"unknown {venue} instrument {shown}"
        raise ctx.error((*at, "symbol"), f"{why}{did_you_mean(wanted.upper(), known)}") from None
    if profile.coin != coin:
        raise ctx.error(
            (*at, "coin"),
            f"{venue} {profile.symbol} is a {profile.coin} contract, but coin = '{coin}'",
        )
    return profile.symbol


def _name(table: Table, at: KeyPath, coin: str, venue: str, ctx: Context) -> str:
    if "name" not in table:
        ctx.record((*at, "name"), "default")
        return f"{coin}-{venue}"
    name = str(read_field(HedgeSettings, "name", table, at, ctx)).strip()
    if not name:
        raise ctx.error((*at, "name"), "must not be empty")
    return name


def _spot(value: object, at: KeyPath, ctx: Context) -> tuple[SpotHolding, ...]:
    """``spot = 1.5`` (one holding) or ``[[hedges.spot]]`` tables with amount and where."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        amount = coerce(float, value, at, ctx)
        assert isinstance(amount, float)
        if amount < 0:
            raise ctx.error(at, f"must be >= 0, got {ctx.show(at, value)}")
        ctx.record((*at, 0, "amount"), ctx.source(at))
        ctx.record((*at, 0, "where"), "default")
        return (SpotHolding(amount=amount),)
    if not isinstance(value, list):
        raise ctx.error(
            at, f"must be a number of coins or [[hedges.spot]] tables, got {ctx.show(at, value)}"
        )
    return tuple(
        read_table(SpotHolding, as_table(item, (*at, j), ctx), (*at, j), ctx)
        for j, item in enumerate(value)
    )


def _account_ref(
    table: Table,
    at: KeyPath,
    venue: str,
    accounts: tuple[AccountSettings, ...],
    ctx: Context,
) -> str | None:
    if "account" not in table:
        ctx.record((*at, "account"), "default")
        return None
    name = str(read_field(HedgeSettings, "account", table, at, ctx))
    names = [a.name for a in accounts]
    if name not in names:
        known = ", ".join(f"'{n}'" for n in names) or "none defined"
        raise ctx.error(
            (*at, "account"),
            f"no [[accounts]] entry named {ctx.quoted((*at, 'account'), name)}"
            f"{did_you_mean(name, names)}; known: {known}",
        )
    account = next(a for a in accounts if a.name == name)
    if account.venue != venue:
        raise ctx.error(
            (*at, "account"),
            f"account '{name}' is on {account.venue} but this hedge is on {venue}",
        )
    return name
