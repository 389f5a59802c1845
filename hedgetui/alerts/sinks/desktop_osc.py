"""Desktop notifications through the terminal itself: OSC 777 / OSC 9 / OSC 99.

Works over SSH (the escape travels with the output to the local terminal). Which sequence:
kitty speaks OSC 99; iTerm2 (and WezTerm, Windows Terminal...) OSC 9; urxvt, foot, Ghostty,
VTE-based terminals and WezTerm OSC 777. Inside tmux the sequence is wrapped in tmux's
passthrough (``\\ePtmux;`` + the sequence with every ESC doubled + ``\\e\\\\``), which needs
``set -g allow-passthrough on`` in tmux >= 3.3.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from hedgetui.alerts.model import AlertEvent
from hedgetui.alerts.sinks.base import SinkError, TextStream, headline, is_push_worthy

OscFlavor = Literal["777", "9", "99"]
ESC = "\x1b"
ST = ESC + "\\"


def osc_flavor(env: Mapping[str, str]) -> OscFlavor:
    """Guess the local terminal's notification escape from the environment."""
    term = env.get("TERM", "")
    program = env.get("TERM_PROGRAM", "")
    if "KITTY_WINDOW_ID" in env or "kitty" in term:
        return "99"
    if program in ("iTerm.app", "WezTerm") or "WT_SESSION" in env:
        return "9"
    return "777"


def _clean(text: str) -> str:
    """No control characters (an ESC or BEL in a title would end the sequence early); no ';'
    in OSC 777 fields (its separator)."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def osc_notification(title: str, body: str, flavor: OscFlavor) -> str:
    title, body = _clean(title), _clean(body)
    if flavor == "99":
        return f"{ESC}]99;i=1:d=0;{title}{ST}{ESC}]99;i=1:d=1:p=body;{body}{ST}"
    if flavor == "9":
        return f"{ESC}]9;{title}: {body}{ST}"
    return f"{ESC}]777;notify;{title.replace(';', ',')};{body.replace(';', ',')}{ST}"


def tmux_passthrough(sequence: str) -> str:
    return f"{ESC}Ptmux;{sequence.replace(ESC, ESC + ESC)}{ST}"


class DesktopOscSink:
    def __init__(self, stream: TextStream, env: Mapping[str, str]) -> None:
        self._stream = stream
        self._flavor = osc_flavor(env)
        self._tmux = bool(env.get("TMUX"))

    @property
    def name(self) -> str:
        return f"desktop OSC {self._flavor}{' via tmux' if self._tmux else ''}"

    def wants(self, event: AlertEvent) -> bool:
        return is_push_worthy(event)

    def render(self, event: AlertEvent) -> str:
        seq = osc_notification(headline(event), event.message, self._flavor)
        return tmux_passthrough(seq) if self._tmux else seq

    async def deliver(self, event: AlertEvent) -> None:
        try:
            self._stream.write(self.render(event))
            self._stream.flush()
        except (OSError, ValueError) as exc:
            raise SinkError(f"cannot write the desktop notification: {exc}") from None
