"""Bybit v5 private stream ``/v5/private``: ``auth``, ``position[.inverse]``, ``wallet``."""

from __future__ import annotations

import uuid
from typing import Any

from hedgetui.sim.private.base import (
    Held,
    PrivateProtocol,
    PrivateSession,
    dec,
    dumps,
    hmac_hex,
    same,
)


class BybitPrivate(PrivateProtocol):
    """``/v5/private``: ``auth`` op, topics ``position[.inverse]`` and ``wallet``.

    Neither topic sends a snapshot on subscribe (read REST once, as Bybit documents).
    """

    venue = "bybit"
    path = "/v5/private"
    _TOPICS = ("position", "position.inverse", "wallet")

    def _reply(self, session: PrivateSession, op: str, ok: bool, msg: str, req_id: Any) -> str:
        reply: dict[str, Any] = {
            "success": ok,
            "ret_msg": msg,
            "op": op,
            "conn_id": session.conn_id,
        }
        if isinstance(req_id, str):
            reply["req_id"] = req_id
        return dumps(reply)

    def receive(self, session: PrivateSession, text: str) -> list[str]:
        req = self.decode(text)
        if not isinstance(req, dict):
            return [self._reply(session, "", False, "error:request not valid json", None)]
        op, req_id, args = req.get("op"), req.get("req_id"), req.get("args")
        if op == "ping":
            pong = {"req_id": req_id or "", "op": "pong", "args": [str(self.now_ms())]}
            return [dumps({**pong, "conn_id": session.conn_id})]
        if op == "auth":
            return [self._reply(session, "auth", *self._auth(session, args), req_id)]
        if op == "subscribe":
            if not session.authed:
                return [self._reply(session, op, False, "Request not authorized", req_id)]
            topics = [str(a) for a in (args if isinstance(args, list) else [])]
            bad = [t for t in topics if t not in self._TOPICS]
            if bad or not topics:
                return [
                    self._reply(session, op, False, f"error:handler not found,topic:{bad}", req_id)
                ]
            for topic in topics:
                session.topics.add(topic)
                self.mark_all_sent(session, topic)
            return [self._reply(session, op, True, "", req_id)]
        return [self._reply(session, str(op), False, f"error:unknown op {op}", req_id)]

    def _auth(self, session: PrivateSession, args: Any) -> tuple[bool, str]:
        if not (isinstance(args, list) and len(args) == 3):
            return False, "Params Error"
        key, expires, signature = args
        if not same(str(key), self.creds.api_key):
            return False, "Invalid apikey"
        if not isinstance(expires, int) or expires <= self.now_ms():
            return False, "Params Error"  # Bybit answers an expired auth like this
        if not same(hmac_hex(self.creds.api_secret, f"GET/realtime{expires}"), str(signature)):
            return False, "Invalid sign"
        session.authed = True
        return True, ""

    def _row(self, h: Held) -> dict[str, Any]:
        side = "" if not h.contracts else ("Buy" if h.contracts > 0 else "Sell")
        return {
            "positionIdx": 0,
            "tradeMode": 0,
            "symbol": h.symbol,
            "side": side,
            "size": dec(abs(h.contracts)),
            "entryPrice": dec(h.entry),
            "leverage": dec(h.leverage),
            "positionValue": dec(abs(h.contracts) * h.contract_size / h.entry if h.entry else 0),
            "positionBalance": "0",
            "markPrice": dec(self.mark(h.symbol)),
            "liqPrice": "",
            "updatedTime": str(h.updated_ms),
            "category": "inverse",
            "positionStatus": "Normal",
            "seq": h.updated_ms,
        }

    def push(self, session: PrivateSession) -> list[str]:
        out = []
        now = self.now_ms()
        for topic in sorted(session.topics):
            if topic.startswith("position"):
                rows = [self._row(h) for h in self.changed_positions(session, topic)]
                if rows:
                    msg = {
                        "id": uuid.uuid4().hex,
                        "topic": topic,
                        "creationTime": now,
                        "data": rows,
                    }
                    out.append(dumps(msg))
            elif topic == "wallet" and self.changed_balances(session, topic):
                coins = [
                    {"coin": c, "walletBalance": dec(self.accounts.balance(self.venue, c))}
                    for c in self.coins()
                ]
                data = [{"accountType": "CONTRACT", "coin": coins}]
                msg = {"id": uuid.uuid4().hex, "topic": "wallet", "creationTime": now, "data": data}
                out.append(dumps(msg))
        return out
