"""Kraken Futures' reply shapes: the request-level error, the serverTime stamp, the order rows.

`KrakenReplies` is the part of the simulated Kraken Futures API (`hedgetui.sim.rest.kraken`)
that writes what Kraken writes: `request_error` the `{"result":"error","serverTime",
"error"}` reply, `server_time` the ISO stamp every reply carries, and `order_object`/
`order_events` filled in from the books on the recorded sendorder sample.
"""

from __future__ import annotations

from typing import Any

from hedgetui.sim.rest.base import VenueApi, iso_ms, json_reply, num, template
from hedgetui.sim.rest.http import HttpResponse
from hedgetui.sim.rest.records import Order


class KrakenReplies(VenueApi):
    """The error reply, the time stamp and the order shapes every Kraken endpoint shares."""

    def server_time(self) -> str:
        return iso_ms(self.now_ms())

    def request_error(self, code: str, status: int = 200) -> HttpResponse:
        return json_reply(
            {"result": "error", "serverTime": self.server_time(), "error": code}, status
        )

    def order_object(self, order: Order) -> dict[str, Any]:
        """The `order` object of the sendorder sample, filled in."""
        event = template(self.venue, "sendorder")["sendStatus"]["orderEvents"][0]
        obj: dict[str, Any] = event["order"]
        obj.update(
            orderId=order.order_id,
            cliOrdId=order.client_id,
            type="mkt" if order.order_type == "market" else "lmt",
            symbol=order.symbol,
            side=order.side,
            quantity=num(order.qty),
            filled=num(order.filled),
            limitPrice=order.price if order.price is not None else order.avg_price,
            reduceOnly=order.reduce_only,
            timestamp=iso_ms(order.created_ms),
            lastUpdateTimestamp=iso_ms(order.updated_ms),
        )
        return obj

    def order_events(self, order: Order) -> list[dict[str, Any]]:
        if order.filled:
            prior = self.order_object(order)
            prior.update(filled=0, lastUpdateTimestamp=iso_ms(order.created_ms))
            # EXECUTION event fields from Kraken's docs text [U: no recorded sample here].
            return [
                {
                    "executionId": f"exec-{order.order_id}",
                    "price": order.avg_price,
                    "amount": num(order.filled),
                    "orderPriorEdit": None,
                    "orderPriorExecution": prior,
                    "takerReducedQuantity": None,
                    "type": "EXECUTION",
                }
            ]
        event = template(self.venue, "sendorder")["sendStatus"]["orderEvents"][0]
        event["order"] = self.order_object(order)
        return [event]
