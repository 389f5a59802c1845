"""The stdin command language of ``hedgetui sim`` (pure parsing; the command runs it).

    stall bybit 10        drop okx          garbage kraken 3      jump -10 [ETH]
    resume bybit          slow binance 0.5  close_code okx 4000 maintenance
    accept_then_close deribit on            status                help      quit
    order_reject bybit    order_reject okx 2 51008 "Insufficient balance"
    order_lost_reply kraken               order_timeout okx delay=5     order_http_500 bitmex 3

Positional arguments map to the fault parameters in order; ``name=value`` works too
(``stall bybit seconds=10``). The REST order faults (``order_*``) all take COUNT first.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from hedgetui.sim.faults import FAULT_KINDS, FAULT_PARAMS

# positional parameter names per fault kind (after the venue; jump has no venue)
POSITIONAL = FAULT_PARAMS
# the last positional parameter of these kinds is free text: extra words join it
_TEXT_TAIL = {"close_code": 2, "accept_then_close": 3, "order_reject": 3}

HELP = "\n".join(
    [
        "commands (one per line):",
        "  stall VENUE [SECONDS]      send nothing, answer no pings (until resume / SECONDS)",
        "  resume VENUE               end a stall",
        "  drop VENUE                 close every connection abruptly",
        "  garbage VENUE [COUNT]      send COUNT malformed frames",
        "  slow VENUE DELAY           add DELAY seconds before every frame (0 = off)",
        "  accept_then_close VENUE on|off [CODE] [REASON]",
        "  reject_upgrade VENUE STATUS  answer new upgrades with HTTP STATUS (0 = off)",
        "  delist VENUE SYMBOL [on|off]  answer subscriptions to SYMBOL as an unknown symbol",
        "  close_code VENUE CODE [REASON]",
        "  jump PCT [COIN]            move the price of COIN (default BTC) by PCT percent",
        "  status                     venues, connections, scenario time, prices",
        "  help                       this text",
        "  quit                       stop the simulator",
        "REST order faults, each for the next COUNT (default 1) orders of VENUE:",
        "  order_reject VENUE [COUNT] [CODE] [MESSAGE]  the venue's own refusal",
        "  order_lost_reply VENUE [COUNT]     executed, connection dropped unanswered",
        "  order_timeout VENUE [COUNT] [DELAY]  executed, answered after DELAY s (5)",
        "  order_http_500 VENUE [COUNT]       bare HTTP 500, nothing executed",
        "  order_rate_limit VENUE [COUNT]     the venue's rate-limit reply",
        "  name=value works too: order_timeout okx delay=5, order_reject bybit code=10001",
    ]
)


class CommandError(ValueError):
    """A line that is not a valid command; the message says how to write it."""


@dataclass(frozen=True, slots=True)
class Command:
    action: str  # "fault", "help", "status", "quit", "noop"
    venue: str = ""
    kind: str = ""
    params: dict[str, str] = field(default_factory=dict)


def parse_command(line: str) -> Command:
    try:
        words = shlex.split(line)
    except ValueError as e:
        raise CommandError(f"cannot parse {line!r}: {e}") from None
    if not words:
        return Command("noop")
    head, rest = words[0].lower().replace("-", "_"), words[1:]
    if head in ("help", "?"):
        return Command("help")
    if head == "status":
        return Command("status")
    if head in ("quit", "exit"):
        return Command("quit")
    if head not in FAULT_KINDS:
        raise CommandError(f"unknown command {words[0]!r}; type 'help'")
    venue = ""
    if head != "jump":
        if not rest:
            raise CommandError(f"{head}: which venue? e.g. '{head} bybit'")
        venue, rest = rest[0].lower(), rest[1:]
    names = POSITIONAL[head]
    params: dict[str, str] = {}
    positional = [w for w in rest if "=" not in w]
    tail = _TEXT_TAIL.get(head)
    if tail is not None and len(positional) > tail:  # a reason / message may have spaces
        positional = [*positional[: tail - 1], " ".join(positional[tail - 1 :])]
    if len(positional) > len(names):
        raise CommandError(f"{head}: too many arguments; type 'help'")
    params.update(zip(names, positional, strict=False))
    for w in rest:
        if "=" in w:
            k, _, v = w.partition("=")
            params[k] = v
    return Command("fault", venue=venue, kind=head, params=params)
