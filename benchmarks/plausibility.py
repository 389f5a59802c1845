"""What the plausibility gate adds to ``Store.apply``, per ticker (ns).

The same store code runs with the real gate and with a pass-through one, interleaved, best of
several repeats, for a prices-only ticker and a full one (mark, index and funding), on a hedged
instrument of the demo portfolio. Usage::

    .venv/bin/python benchmarks/plausibility.py [--repeats 15]
"""

from __future__ import annotations

import argparse
import time
import timeit

from hedgetui.demo.portfolio import demo_settings
from hedgetui.domain import Funding, IndexPrice, MarkPrice, PositionUpdate, Ticker
from hedgetui.plausibility_gate import Gate, Rules
from hedgetui.store import Store


class PassThrough(Gate):
    """A gate that believes everything (the store without plausibility checks)."""

    def ticker(self, event: Ticker, now_ms: int) -> Ticker | None:
        return event

    def price_event(self, event: MarkPrice | IndexPrice, now_ms: int) -> bool:
        return True

    def funding(self, event: Funding, now_ms: int) -> Funding | None:
        return event

    def position(self, event: PositionUpdate, now_ms: int) -> bool:
        return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    settings = demo_settings(60_000.0, 3_000.0, {})
    hedge = settings.hedges[0]
    now = int(time.time() * 1000)
    events = {
        "prices": Ticker(hedge.venue, hedge.symbol, now, 60_010.0, 59_995.0, *[None] * 4),
        "funded": Ticker(
            hedge.venue, hedge.symbol, now, 60_000.0, 59_990.0, 0.0001, None, now + 3_600_000, 8.0
        ),
    }
    stores = {"gate": Store(settings), "none": Store(settings)}
    stores["none"]._gate = PassThrough(Rules(), {})
    best: dict[tuple[str, str], float] = {}
    for _ in range(args.repeats):
        for name, store in stores.items():
            for label, event in events.items():
                store.apply(event)
                runs = timeit.repeat(lambda: store.apply(event), number=20_000, repeat=3)  # noqa: B023
                best[(name, label)] = min(best.get((name, label), 1.0), min(runs) / 20_000)
    for label in events:
        with_gate, without = best[("gate", label)], best[("none", label)]
        print(
            f"{label} ticker: {without * 1e9:.0f} ns per apply without the gate, "
            f"{with_gate * 1e9:.0f} ns with it: +{(with_gate - without) * 1e9:.0f} ns"
        )


if __name__ == "__main__":
    main()
