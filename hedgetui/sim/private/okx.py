"""OKX private stream ``/ws/v5/private``: ``login``, ``positions`` and ``account``."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from hedgetui.sim.private.base import Held, PrivateProtocol, PrivateSession, dec, dumps, same


class OkxPrivate(PrivateProtocol):
    """``/ws/v5/private``: ``login`` op, channels ``positions`` and ``account``."""

    venue = "okx"
    path = "/ws/v5/private"

    def _error(self, session: PrivateSession, code: str, msg: str) -> str:
        return dumps({"event": "error", "code": code, "msg": msg, "connId": session.conn_id})

    def receive(self, session: PrivateSession, text: str) -> list[str]:
        if text == "ping":
            return ["pong"]
        req = self.decode(text)
        if not isinstance(req, dict):
            return [self._error(session, "60012", f"Invalid request: {text[:60]}")]
        op, args = req.get("op"), req.get("args")
        if op == "login":
            return [self._login(session, args)]
        if op == "subscribe":
            if not session.authed:
                return [self._error(session, "60011", "Please log in")]
            out: list[str] = []
            for arg in args if isinstance(args, list) else []:
                out.extend(self._subscribe(session, arg))
            return out
        return [self._error(session, "60012", f"Invalid request: {text[:60]}")]

    def _login(self, session: PrivateSession, args: Any) -> str:
        arg = args[0] if isinstance(args, list) and args and isinstance(args[0], dict) else {}
        if not same(str(arg.get("apiKey", "")), self.creds.api_key):
            return self._error(session, "60005", "Invalid OK-ACCESS-KEY")
        ts = str(arg.get("timestamp", ""))
        if not ts.isdigit() or abs(int(ts) - self.clock.time()) > 30:
            return self._error(session, "60006", "Timestamp request expired")
        if not same(str(arg.get("passphrase", "")), self.creds.passphrase):
            return self._error(session, "60024", "Wrong passphrase")
        digest = hmac.new(
            self.creds.api_secret.encode(), f"{ts}GET/users/self/verify".encode(), hashlib.sha256
        ).digest()
        if not same(base64.b64encode(digest).decode(), str(arg.get("sign", ""))):
            return self._error(session, "60007", "Invalid sign")
        session.authed = True
        return dumps({"event": "login", "code": "0", "msg": "", "connId": session.conn_id})

    def _subscribe(self, session: PrivateSession, arg: Any) -> list[str]:
        channel = arg.get("channel") if isinstance(arg, dict) else None
        if channel not in ("positions", "account"):
            return [self._error(session, "60018", f"The channel {channel} doesn't exist")]
        session.topics.add(str(channel))
        ack = dumps({"event": "subscribe", "arg": arg, "connId": session.conn_id})
        if channel == "positions":
            held = self.changed_positions(session, "positions")
            rows = [self._row(h) for h in held if h.contracts]  # only open positions
            return [ack, self._push("positions", rows, "snapshot")]
        self.changed_balances(session, "account")
        return [ack, self._account()]

    def _row(self, h: Held) -> dict[str, str]:
        return {
            "instType": "SWAP",
            "instId": h.symbol,
            "posSide": "net",
            "pos": dec(h.contracts),
            "avgPx": dec(h.entry) if h.contracts else "",
            "markPx": dec(self.mark(h.symbol)),
            "liqPx": "",
            "lever": dec(h.leverage),
            "mgnMode": "cross",
            "margin": "",
            "ccy": h.coin,
            "uTime": str(h.updated_ms),
        }

    def _push(self, channel: str, rows: list[dict[str, str]], kind: str) -> str:
        arg = {"channel": channel, "uid": "77982378738415879", "instType": "SWAP"}
        msg: dict[str, Any] = {"arg": arg, "eventType": kind}
        if kind == "snapshot":
            msg.update(curPage=1, lastPage=True)
        msg["data"] = rows
        return dumps(msg)

    def _account(self) -> str:
        now = str(self.now_ms())
        details = [
            {"ccy": c, "cashBal": dec(self.accounts.balance(self.venue, c)), "uTime": now}
            for c in self.coins()
        ]
        arg = {"channel": "account", "uid": "77982378738415879"}
        return dumps(
            {"arg": arg, "eventType": "event_update", "data": [{"uTime": now, "details": details}]}
        )

    def push(self, session: PrivateSession) -> list[str]:
        out = []
        if "positions" in session.topics:
            rows = [self._row(h) for h in self.changed_positions(session, "positions")]
            if rows:
                out.append(self._push("positions", rows, "event_update"))
        if "account" in session.topics and self.changed_balances(session, "account"):
            out.append(self._account())
        return out
