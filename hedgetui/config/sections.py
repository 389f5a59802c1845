"""Cross-field checks of the global sections, and the ``[venues.<venue>]`` tables."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from hedgetui.config.locate import KeyPath
from hedgetui.config.model import (
    AlertSettings,
    DisplaySettings,
    FreshnessSettings,
    VenueSettings,
)
from hedgetui.config.redact import secret_like
from hedgetui.config.schema import (
    Context,
    Table,
    as_table,
    did_you_mean,
    read_table,
)
from hedgetui.domain import VENUES
from hedgetui.keymap import keymap_problems
from hedgetui.theme_files import SHIPPED_THEMES, user_theme_dir, user_themes


def check_freshness(freshness: FreshnessSettings, ctx: Context) -> None:
    if freshness.delayed_after_s >= freshness.stale_after_s:
        raise ctx.error(
            ("freshness", "delayed_after_s"),
            f"must be less than stale_after_s ({freshness.stale_after_s:g}), "
            f"got {ctx.show(('freshness', 'delayed_after_s'), freshness.delayed_after_s)}",
        )


def check_theme(display: DisplaySettings, ctx: Context) -> None:
    """``display.theme``: a shipped theme, or a ``<config dir>/themes/<name>.tcss`` file."""
    if display.theme in SHIPPED_THEMES:
        return
    folder = user_theme_dir(ctx.path)
    known = [*SHIPPED_THEMES, *user_themes(folder)]
    if display.theme in known:
        return
    at: KeyPath = ("display", "theme")
    listed = ", ".join(f"'{c}'" for c in known)
    raise ctx.error(
        at,
        f"must be one of {listed} (or a theme file {folder}/<name>.tcss), "
        f"got {ctx.show(at, display.theme)}{did_you_mean(display.theme, known)}",
    )


def check_alerts(alerts: AlertSettings, at: KeyPath, ctx: Context) -> None:
    for crit, warn in (
        ("margin_buffer_crit_pct", "margin_buffer_warn_pct"),
        ("liq_distance_crit_pct", "liq_distance_warn_pct"),
    ):
        if getattr(alerts, crit) > getattr(alerts, warn):
            raise ctx.error(
                (*at, crit),
                f"the critical level must not be above the warning level {warn} "
                f"({getattr(alerts, warn):g}), got {ctx.show((*at, crit), getattr(alerts, crit))}",
            )
    for i, url in enumerate(alerts.apprise_urls):
        if "://" not in url:
            raise ctx.error((*at, "apprise_urls", i), "not an apprise URL (expected scheme://...)")


def read_venues(table: Table, ctx: Context) -> Mapping[str, VenueSettings]:
    for name in table:
        if name not in VENUES:
            raise ctx.error(
                ("venues",) if secret_like(name) else ("venues", name),
                f"unknown venue {ctx.quoted(('venues', name), name)}{did_you_mean(name, VENUES)}; "
                "known: " + ", ".join(VENUES),
            )
    venues: dict[str, VenueSettings] = {}
    for name in VENUES:
        at: KeyPath = ("venues", name)
        venue = read_table(
            VenueSettings, as_table(table.get(name, {}), at, ctx), at, ctx, fixed={"name": name}
        )
        for key, schemes in (
            ("ws_url", ("ws://", "wss://")),
            ("rest_url", ("http://", "https://")),
            ("private_ws_url", ("ws://", "wss://")),
        ):
            url = getattr(venue, key)
            if url is not None and not url.startswith(schemes):
                raise ctx.error(
                    (*at, key), "must start with " + " or ".join(schemes) + " (value not shown)"
                )
        venues[name] = venue
    return MappingProxyType(venues)


def read_keys(table: Table, ctx: Context) -> Mapping[str, str]:
    """``[keys]``: action id -> keys (``hedgetui.keymap``); an unknown action, a value that is
    not keys, or a key two actions of one screen would share is an error naming the key."""
    problems = keymap_problems(table)
    if problems:
        action_id, problem = problems[0]
        raise ctx.error(("keys", action_id), problem)
    for action_id in table:
        ctx.record(("keys", action_id))
    return MappingProxyType({k: str(v) for k, v in table.items()})
