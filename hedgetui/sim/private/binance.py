"""Binance COIN-M user data stream ``/ws/<listenKey>`` and the listen-key REST routes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from hedgetui.sim.private.base import PrivateProtocol, PrivateSession, dec, dumps
from hedgetui.sim.rest.base import VenueApi, json_reply
from hedgetui.sim.rest.http import HttpRequest, HttpResponse


@dataclass
class ListenKeys:
    """Listen keys issued by the REST side's ``POST /dapi/v1/listenKey`` (valid until deleted)."""

    keys: set[str] = field(default_factory=set)

    def issue(self) -> str:
        key = secrets.token_hex(32)
        self.keys.add(key)
        return key


class BinancePrivate(PrivateProtocol):
    """User data stream ``/ws/<listenKey>``: ``ACCOUNT_UPDATE`` with changed B and P."""

    venue = "binance"
    path = "/ws/"
    listen_keys: ListenKeys

    def accepts(self, path: str) -> bool:
        key = path.split("?")[0].removeprefix("/ws/")
        return path.startswith("/ws/") and key in self.listen_keys.keys

    def open(self, session: PrivateSession) -> list[str]:
        session.authed = True
        session.topics.add("user")
        self.mark_all_sent(session, "user")
        return []

    def receive(self, session: PrivateSession, text: str) -> list[str]:
        req = self.decode(text)
        if isinstance(req, dict) and "id" in req:
            return [dumps({"result": None, "id": req["id"]})]
        return []

    def push(self, session: PrivateSession) -> list[str]:
        key = session.path.split("?")[0].removeprefix("/ws/")
        if key not in self.listen_keys.keys:  # deleted or expired: tell once, then silence
            session.topics.clear()
            expired = {"e": "listenKeyExpired", "E": self.now_ms(), "listenKey": key}
            return [dumps(expired)]
        rows = [
            {
                "s": h.symbol,
                "pa": dec(h.contracts),
                "ep": dec(h.entry),
                "cr": "0",
                "up": "0",
                "mt": "cross",
                "iw": "0",
                "ps": "BOTH",
            }
            for h in self.changed_positions(session, "user")
        ]
        balances = [
            {"a": c, "wb": dec(a), "cw": dec(a)} for c, a in self.changed_balances(session, "user")
        ]
        if not rows and not balances:
            return []
        now = self.now_ms()
        update = {"m": "ORDER", "B": balances, "P": rows}
        return [dumps({"e": "ACCOUNT_UPDATE", "E": now, "T": now, "a": update})]


LISTEN_KEY_PATH = "/dapi/v1/listenKey"


def add_listen_key_routes(api: VenueApi, keys: ListenKeys) -> None:
    """Serve Binance's ``POST/PUT/DELETE /dapi/v1/listenKey`` on the simulator's REST API.

    These USER_STREAM endpoints need only the ``X-MBX-APIKEY`` header (the REST module checks
    it); POST returns the active key if there is one, as Binance does.
    """

    def create(req: HttpRequest) -> HttpResponse:
        key = next(iter(keys.keys), None) or keys.issue()
        return json_reply({"listenKey": key})

    def keepalive(req: HttpRequest) -> HttpResponse:
        if not keys.keys:
            return json_reply({"code": -1125, "msg": "This listenKey does not exist."}, 400)
        return json_reply({"listenKey": next(iter(keys.keys))})

    def delete(req: HttpRequest) -> HttpResponse:
        keys.keys.clear()
        return json_reply({})

    api.route("POST", LISTEN_KEY_PATH, create)
    api.route("PUT", LISTEN_KEY_PATH, keepalive)
    api.route("DELETE", LISTEN_KEY_PATH, delete)
