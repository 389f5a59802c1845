"""``hedgetui doctor``'s whole check: every venue a hedge uses and every account, concurrently.

:func:`check_all` runs :func:`hedgetui.doctor.probes.check_venue` for each venue of the feed
plan and :func:`hedgetui.doctor.account_probes.check_account` for each account at once, and
returns the targets in config order; a check that broke in a way no step foresaw is one failed
line (:func:`_guarded`), never a traceback.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Mapping

from hedgetui.config import Settings
from hedgetui.doctor.account_probes import check_account
from hedgetui.doctor.probes import DEFAULT_TIMEOUT_S, check_venue
from hedgetui.doctor.verdicts import Step, Target, Verdict
from hedgetui.runtime import feed_plan


async def check_all(
    settings: Settings,
    *,
    env: Mapping[str, str] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> list[Target]:
    """Every venue a hedge uses (enabled) and every account, checked concurrently; the
    targets in config order."""
    env = os.environ if env is None else env
    checks = [
        _guarded(
            Target("venue", v, v, "?"), check_venue(v, s, settings, env=env, timeout_s=timeout_s)
        )
        for v, s in feed_plan(settings).items()
    ]
    checks += [
        _guarded(
            Target("account", a.name, a.venue, "?"),
            check_account(a, settings, env=env, timeout_s=timeout_s),
        )
        for a in settings.accounts
    ]
    return list(await asyncio.gather(*checks))


async def _guarded(fallback: Target, check: Awaitable[Target]) -> Target:
    """A check that broke in a way no step foresaw is one failed line, not a traceback."""
    try:
        return await check
    except Exception as exc:
        what = f"the check itself failed: {type(exc).__name__}: {exc}"[:300]
        fallback.steps.append(Step("check", Verdict.FAIL, what, None, "report this as a bug"))
        return fallback
