"""Deribit private JSON-RPC: ``public/auth`` and ``user.changes`` / ``user.portfolio``."""

from __future__ import annotations

import secrets
from typing import Any

from hedgetui.sim.private.base import PrivateProtocol, PrivateSession, dumps, hmac_hex, same
from hedgetui.sim.rest.listing import INSTRUMENTS


class DeribitPrivate(PrivateProtocol):
    """JSON-RPC: ``public/auth`` (client_signature), ``private/subscribe`` to
    ``user.changes.<instrument>.<interval>`` and ``user.portfolio.<coin>``."""

    venue = "deribit"
    path = "/ws/api/v2"

    def _result(self, req_id: Any, result: Any) -> str:
        return dumps({"jsonrpc": "2.0", "id": req_id, "result": result})

    def _error(self, req_id: Any, code: int, message: str) -> str:
        error = {"message": message, "code": code}
        return dumps({"jsonrpc": "2.0", "id": req_id, "error": error})

    def receive(self, session: PrivateSession, text: str) -> list[str]:
        req = self.decode(text)
        if not isinstance(req, dict):
            return [self._error(None, 11050, "bad_request")]
        method, req_id = req.get("method"), req.get("id")
        params = req.get("params") if isinstance(req.get("params"), dict) else {}
        assert isinstance(params, dict)
        if method == "public/auth":
            return [self._auth(session, req_id, params)]
        if method == "public/set_heartbeat":
            return [self._result(req_id, "ok")]
        if method == "public/test":
            return [self._result(req_id, {"version": "1.2.26"})]
        if method in ("private/subscribe", "public/subscribe"):
            return self._subscribe(session, req_id, method, params)
        return [self._error(req_id, -32601, "Method not found")]

    def _auth(self, session: PrivateSession, req_id: Any, params: dict[str, Any]) -> str:
        if params.get("grant_type") != "client_signature":
            return self._error(req_id, 13004, "invalid_credentials")
        ts, nonce = str(params.get("timestamp", "")), str(params.get("nonce", ""))
        data = str(params.get("data", ""))
        if not same(str(params.get("client_id", "")), self.creds.api_key):
            return self._error(req_id, 13004, "invalid_credentials")
        if not ts.isdigit() or abs(int(ts) - self.now_ms()) > 60_000:
            return self._error(req_id, 13009, "unauthorized")  # stale timestamp
        expected = hmac_hex(self.creds.api_secret, f"{ts}\n{nonce}\n{data}")
        if not same(expected, str(params.get("signature", "")).lower()):
            return self._error(req_id, 13004, "invalid_credentials")
        session.authed = True
        token = secrets.token_urlsafe(24)
        return self._result(
            req_id,
            {
                "access_token": token,
                "expires_in": 31536000,
                "refresh_token": secrets.token_urlsafe(24),
                "scope": "connection mainaccount",
                "enabled_features": [],
                "token_type": "bearer",
            },
        )

    def _subscribe(
        self, session: PrivateSession, req_id: Any, method: str, params: dict[str, Any]
    ) -> list[str]:
        channels = [str(c) for c in params.get("channels", []) or []]
        private = [c for c in channels if c.startswith("user.")]
        if private and (method != "private/subscribe" or not session.authed):
            return [self._error(req_id, 13009, "unauthorized")]
        ok = [c for c in private if self._channel_ok(c)]
        out = [self._result(req_id, ok)]
        for channel in ok:
            session.topics.add(channel)
            if channel.startswith("user.changes."):
                self.changed_positions(session, channel)  # changes only: no snapshot
            else:
                out.extend(self._portfolio(session, channel, force=True))
        return out

    def _channel_ok(self, channel: str) -> bool:
        parts = channel.split(".")
        if parts[:2] == ["user", "portfolio"] and len(parts) == 3:
            return parts[2].upper() in self.coins()
        if parts[:2] == ["user", "changes"] and len(parts) == 4:
            return parts[2] in INSTRUMENTS[self.venue]
        return False

    def _notify(self, channel: str, data: Any) -> str:
        params = {"channel": channel, "data": data}
        return dumps({"jsonrpc": "2.0", "method": "subscription", "params": params})

    def _portfolio(self, session: PrivateSession, channel: str, force: bool = False) -> list[str]:
        coin = channel.split(".")[2].upper()
        amount = self.accounts.balance(self.venue, coin)
        if not force and session.sent.get(channel) == amount:
            return []
        session.sent[channel] = amount
        data = {"currency": coin, "balance": amount, "equity": amount, "margin_balance": amount}
        return [self._notify(channel, data)]

    def push(self, session: PrivateSession) -> list[str]:
        out = []
        for channel in sorted(session.topics):
            if channel.startswith("user.portfolio."):
                out.extend(self._portfolio(session, channel))
                continue
            instrument = channel.split(".")[2]
            for h in self.changed_positions(session, channel):
                if h.symbol != instrument:
                    continue
                usd = h.contracts * h.contract_size
                direction = "zero" if not usd else ("buy" if usd > 0 else "sell")
                row = {
                    "instrument_name": h.symbol,
                    "kind": "future",
                    "size": usd,
                    "size_currency": usd / self.mark(h.symbol),
                    "direction": direction,
                    "average_price": h.entry,
                    "mark_price": self.mark(h.symbol),
                    "leverage": int(h.leverage) if h.leverage.is_integer() else h.leverage,
                }
                data = {"instrument_name": h.symbol, "trades": [], "positions": [row], "orders": []}
                out.append(self._notify(channel, data))
        return out
