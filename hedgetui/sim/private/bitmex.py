"""BitMEX private stream: ``authKeyExpires``, tables ``position`` and ``margin``."""

from __future__ import annotations

from typing import Any

from hedgetui.sim.private.base import (
    BITMEX_ACCOUNT,
    SATS,
    Held,
    PrivateProtocol,
    PrivateSession,
    dumps,
    hmac_hex,
    iso_ms,
    same,
)


class BitmexPrivate(PrivateProtocol):
    """``authKeyExpires`` op, tables ``position`` and ``margin`` (partial, then updates)."""

    venue = "bitmex"
    path = "/realtime"

    def open(self, session: PrivateSession) -> list[str]:
        welcome = {
            "info": "Welcome to the BitMEX Realtime API.",
            "version": "2.0.0",
            "timestamp": iso_ms(self.now_ms()),
            "docs": "https://www.bitmex.com/app/wsAPI",
            "limit": {"remaining": 179},
        }
        return [dumps(welcome)]

    def _error(self, status: int, text: str, request: Any) -> str:
        return dumps({"status": status, "error": text, "meta": {}, "request": request})

    def receive(self, session: PrivateSession, text: str) -> list[str]:
        if text == "ping":
            return ["pong"]
        req = self.decode(text)
        if not isinstance(req, dict):
            return [self._error(400, "Unable to parse incoming data", text)]
        op, args = req.get("op"), req.get("args")
        if op == "authKeyExpires":
            return [self._auth(session, args, req)]
        if op == "subscribe":
            out: list[str] = []
            for arg in args if isinstance(args, list) else [args]:
                out.extend(self._subscribe(session, str(arg), req))
            return out
        return [self._error(400, f"Unknown or unsupported op {op!r}", req)]

    def _auth(self, session: PrivateSession, args: Any, req: Any) -> str:
        if not (isinstance(args, list) and len(args) == 3):
            return self._error(400, "authKeyExpires takes [key, expires, signature]", req)
        key, expires, signature = args
        if not same(str(key), self.creds.api_key):
            return self._error(401, "Invalid API Key.", req)
        if not isinstance(expires, int) or expires < int(self.clock.time()):
            return self._error(401, f"Expired. Current time: {int(self.clock.time())}", req)
        expected = hmac_hex(self.creds.api_secret, f"GET/realtime{expires}")
        if not same(expected, str(signature).lower()):
            return self._error(401, "Signature not valid.", req)
        session.authed = True
        return dumps({"success": True, "request": req})

    def _subscribe(self, session: PrivateSession, arg: str, req: Any) -> list[str]:
        table = arg.split(":")[0]
        if table not in ("position", "margin"):
            return [self._error(400, f"Unknown table: {table}", req)]
        if not session.authed:
            return [self._error(401, f"User requires authorization to subscribe to {table}.", req)]
        session.topics.add(table)
        ack = dumps({"success": True, "subscribe": arg, "request": req})
        if table == "position":
            rows = [self._position_row(h) for h in self.changed_positions(session, table)]
            return [ack, dumps({"table": "position", "action": "partial", "data": rows})]
        balances = self.changed_balances(session, table)
        rows = [self._margin_row(coin, amount) for coin, amount in balances]
        return [ack, dumps({"table": "margin", "action": "partial", "data": rows})]

    def _position_row(self, h: Held) -> dict[str, Any]:
        ts = iso_ms(self.now_ms())
        return {
            "account": BITMEX_ACCOUNT,
            "symbol": h.symbol,
            "currency": "XBt",
            "leverage": int(h.leverage) if h.leverage.is_integer() else h.leverage,
            "crossMargin": True,  # one wallet margins every position (see accounts.py)
            "currentQty": int(h.contracts) if h.contracts.is_integer() else h.contracts,
            "isOpen": h.contracts != 0,
            "markPrice": self.mark(h.symbol),
            "avgEntryPrice": h.entry if h.contracts else None,
            "liquidationPrice": None,
            "timestamp": ts,
        }

    def _margin_row(self, coin: str, amount: float) -> dict[str, Any]:
        return {
            "account": BITMEX_ACCOUNT,
            "currency": "XBt" if coin == "BTC" else coin,
            "walletBalance": round(amount * SATS),
            "timestamp": iso_ms(self.now_ms()),
        }

    def push(self, session: PrivateSession) -> list[str]:
        out = []
        if "position" in session.topics:
            rows = [self._position_row(h) for h in self.changed_positions(session, "position")]
            if rows:
                out.append(dumps({"table": "position", "action": "update", "data": rows}))
        if "margin" in session.topics:
            changed = self.changed_balances(session, "margin")
            rows = [self._margin_row(c, a) for c, a in changed]
            if rows:
                out.append(dumps({"table": "margin", "action": "update", "data": rows}))
        return out
