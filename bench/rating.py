"""Rating throughput: 1,000,000 (quantity, charge) pairs through a five-tier graduated model.

Prints charges per second on one core (this process only). Each rating computes the exact amount,
the minimum-commitment true-up and the line rounded once to the currency; the explanation of any
rating is derived from the same compiled charge on demand (one is printed as a check).

    .venv/bin/python bench/rating.py [--pairs 1000000] [--charges 100]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog.pricing import compile_charge


def five_tiers(scale: int) -> dict[str, object]:
    bounds = [0, 1_000 * scale, 10_000 * scale, 100_000 * scale, 1_000_000 * scale, None]
    prices = ["0.10", "0.08", "0.05", "0.02", "0.01"]
    return {
        "tiers": [
            {"from": str(bounds[i]), "to": None if bounds[i + 1] is None else str(bounds[i + 1]),
             "unit_price": prices[i], "flat_fee": "5" if i == 2 else "0"}
            for i in range(5)
        ]
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--charges", type=int, default=100, help="distinct compiled charges")
    args = parser.parse_args()
    rng = random.Random(42)
    charges = [
        compile_charge("graduated", five_tiers(1 + i % 7), currency="USD", minimum="25",
                       price_version=f"bench@v{i}")
        for i in range(args.charges)
    ]  # fmt: skip
    quantities = [Decimal(rng.randrange(0, 5_000_000)) / 100 for _ in range(10_000)]
    pairs = [
        (quantities[i % len(quantities)], charges[i % len(charges)]) for i in range(args.pairs)
    ]

    start = time.process_time()
    wall = time.perf_counter()
    total = Decimal(0)
    for quantity, charge in pairs:
        total += charge.rate(quantity).total
    cpu = time.process_time() - start
    elapsed = time.perf_counter() - wall

    sample = charges[3].rate(Decimal("123456.78"))
    print(json.dumps(sample.explanation()["tiers"], indent=None)[:300])
    print(
        f"pid {os.getpid()}: rated {args.pairs:,} pairs "
        f"over {args.charges} five-tier graduated charges"
    )
    print(f"sum of rounded lines: {total}")
    print(f"cpu {cpu:.2f} s, wall {elapsed:.2f} s")
    print(f"charges per second (one core): {args.pairs / cpu:,.0f}")


if __name__ == "__main__":
    main()
