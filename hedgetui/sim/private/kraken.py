"""Kraken Futures private feeds: ``challenge``, ``open_positions`` and ``balances``."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from collections.abc import Iterable
from typing import Any

from hedgetui.sim.private.base import PrivateProtocol, PrivateSession, dumps, same


class KrakenPrivate(PrivateProtocol):
    """``challenge`` then signed subscriptions to ``open_positions`` and ``balances``."""

    venue = "kraken"
    path = "/ws/v1"

    def open(self, session: PrivateSession) -> list[str]:
        return [dumps({"event": "info", "version": 1})]

    def receive(self, session: PrivateSession, text: str) -> list[str]:
        req = self.decode(text)
        if not isinstance(req, dict):
            return [dumps({"event": "error", "message": "Json Error"})]
        event = req.get("event")
        if event == "challenge":
            if not same(str(req.get("api_key", "")), self.creds.api_key):
                return [dumps({"event": "error", "message": "Invalid API key"})]
            session.challenge = str(uuid.uuid4())
            return [dumps({"event": "challenge", "message": session.challenge})]
        if event == "subscribe":
            return self._subscribe(session, req)
        return [dumps({"event": "error", "message": "Invalid event"})]

    def _signed_ok(self, session: PrivateSession, req: dict[str, Any]) -> bool:
        challenge = session.challenge
        if challenge is None or req.get("original_challenge") != challenge:
            return False
        if not same(str(req.get("api_key", "")), self.creds.api_key):
            return False
        try:
            key = base64.b64decode(self.creds.api_secret, validate=True)
        except binascii.Error:
            return False
        inner = hashlib.sha256(challenge.encode()).digest()
        expected = base64.b64encode(hmac.new(key, inner, hashlib.sha512).digest()).decode()
        return same(expected, str(req.get("signed_challenge", "")))

    def _subscribe(self, session: PrivateSession, req: dict[str, Any]) -> list[str]:
        feed = req.get("feed")
        if feed not in ("open_positions", "balances"):
            return [dumps({"event": "error", "message": "Invalid feed"})]
        if not self._signed_ok(session, req):
            return [dumps({"event": "error", "message": "Invalid challenge"})]
        session.authed = True
        session.topics.add(str(feed))
        ack = {"event": "subscribed", "feed": feed}
        ack.update({k: req[k] for k in ("api_key", "original_challenge", "signed_challenge")})
        if feed == "open_positions":
            self.changed_positions(session, "open_positions")
            return [dumps(ack), self._positions()]
        self.changed_balances(session, "balances")
        return [dumps(ack), self._balances("balances_snapshot", self.coins())]

    def _positions(self) -> str:
        rows = [
            {
                "instrument": h.symbol,
                "balance": h.contracts,
                "entry_price": h.entry,
                "mark_price": self.mark(h.symbol),
                "liquidation_threshold": 0.0,
                "effective_leverage": 1.0,
            }
            for h in self.held()
            if h.contracts
        ]
        return dumps(
            {
                "feed": "open_positions",
                "account": "hedgetui-demo",
                "positions": rows,
                "seq": self.now_ms(),
                "timestamp": self.now_ms(),
            }
        )

    def _balances(self, feed: str, coins: Iterable[str]) -> str:
        futures = {}
        for coin in coins:
            unit = "XBT" if coin == "BTC" else coin
            amount = self.accounts.balance(self.venue, coin)
            name = f"F-{unit}:USD"
            futures[name] = {"name": name, "pair": f"{unit}/USD", "unit": unit, "balance": amount}
        msg: dict[str, Any] = {"feed": feed, "account": "hedgetui-demo", "holding": {}}
        msg.update(futures=futures, timestamp=self.now_ms(), seq=self.now_ms())
        return dumps(msg)

    def push(self, session: PrivateSession) -> list[str]:
        out = []
        if "open_positions" in session.topics and self.changed_positions(session, "open_positions"):
            out.append(self._positions())
        if "balances" in session.topics:
            changed = [c for c, _ in self.changed_balances(session, "balances")]
            if changed:
                out.append(self._balances("balances", changed))
        return out
