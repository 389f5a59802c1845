"""The I/O of ``hedgetui doctor`` for an account: its key file, its keys, their permissions.

The credentials file's mode (the owner's only, the rule the credentials loader applies), a
read-only signed call (the balance of the account's coin) and what the venue says the key may
do, against the account's ``permissions``. A step that fails skips the rest; failures are
worded by the trading clients' typed errors (secrets redacted).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from hedgetui.config import AccountSettings, Settings
from hedgetui.doctor.probes import DEFAULT_TIMEOUT_S, StepTimer, failed_step, rest_default
from hedgetui.doctor.verdicts import Step, Target, Verdict, permissions_step
from hedgetui.trading.credentials import (
    Credentials,
    CredentialsError,
    check_file_private,
    load_credentials,
)
from hedgetui.trading.orders import AuthError, TradingError
from hedgetui.trading.venues import VenueClient, make_client

_ACCOUNT_STEPS = ("keyfile", "auth", "perms")


def _coin(settings: Settings, account: str) -> str:
    for hedge in settings.hedges:
        if hedge.account == account:
            return hedge.coin
    return "BTC"


async def check_account(
    account: AccountSettings,
    settings: Settings,
    *,
    env: Mapping[str, str],
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Target:
    """The account's key file (when keys come from one), a read-only signed call, and the
    key's permissions against the account's ``permissions``."""
    venue = settings.venues.get(account.venue)
    rest = (venue.rest_url if venue is not None else None) or rest_default(account.venue)
    target = Target("account", account.name, account.venue, rest or "?")
    timer = StepTimer()
    creds: Credentials | None = None
    try:
        creds = load_credentials(account, env)
    except CredentialsError as exc:
        missing = str(exc)
    if not account.credentials_file:
        target.steps.append(Step("keyfile", Verdict.SKIPPED, "skipped: no credentials_file"))
    elif creds is not None and not creds.source.startswith("file"):
        what = f"skipped: the keys come from the {creds.source}, not the file"
        target.steps.append(Step("keyfile", Verdict.SKIPPED, what))
    else:  # the keys come from the file (or should): it must be the owner's only
        target.steps.append(_keyfile(account.credentials_file))
    if target.failed():
        target.skip_rest(_ACCOUNT_STEPS[1:], "keyfile")
        return target
    if creds is None:
        target.steps.append(failed_step("auth", missing, timer, "set the keys [[accounts]] names"))
        target.skip_rest(_ACCOUNT_STEPS[2:], "auth")
        return target
    client = make_client(
        account.venue,
        creds,
        base_url=rest,
        timeout_s=timeout_s,
        account=account.name,
        permissions=account.permissions,
    )
    async with client:
        target.steps.append(await _auth(client, _coin(settings, account.name), timer))
        if target.failed():
            target.skip_rest(_ACCOUNT_STEPS[2:], "auth")
            return target
        timer = StepTimer()
        try:
            report = await client.key_permissions()
        except TradingError as exc:
            what = f"could not read the key's permissions: {exc.describe()}"
            advice = "retry; check the key's rights on the venue"
            target.steps.append(Step("perms", Verdict.WARN, what, timer.seconds(), advice))
            return target
        target.steps.append(permissions_step(account.permissions, report, timer.seconds()))
    return target


def _keyfile(path_text: str) -> Step:
    path = Path(path_text).expanduser()
    try:
        check_file_private(path)  # the rule the credentials loader applies
    except CredentialsError as exc:
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            return Step("keyfile", Verdict.FAIL, str(exc), None, "check credentials_file")
        what = f"mode {mode:04o}: group/others may read it"
        return Step("keyfile", Verdict.FAIL, what, None, f"chmod 600 {path}")
    mode = path.stat().st_mode & 0o777
    return Step("keyfile", Verdict.OK, f"mode {mode:04o} (owner only): {path}")


async def _auth(client: VenueClient, coin: str, timer: StepTimer) -> Step:
    try:
        await client.balance(coin)
    except AuthError as exc:
        advice = "check key, secret, testnet"
        return failed_step("auth", f"keys refused: {exc.describe()}", timer, advice)
    except TradingError as exc:
        return failed_step("auth", exc.describe(), timer, "check rest_url, retry")
    return Step("auth", Verdict.OK, f"keys accepted (read-only {coin} balance)", timer.seconds())
