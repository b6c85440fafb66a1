"""Entitlement checks under load: p50/p90/p99 latency of GET /api/v1/entitlements/check at a
fixed rate, over real HTTP against gunicorn and PostgreSQL.

    .venv/bin/python bench/entitlements.py [--rate 500] [--seconds 30] [--customers 1000]

It creates a scratch database next to DATABASE_URL's (or in the embedded server), loads customers
subscribed to a plan with features, starts gunicorn (WEB_WORKERS, default 4 sync workers), and
drives it with bench/loadgen.py, an open-loop generator: requests leave on a fixed schedule of
`--rate` per second and each latency counts from its scheduled time (queueing included).
Target: p99 <= 10 ms at 500 requests per second on two cores.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import services  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import common  # noqa: E402
import loadgen  # noqa: E402

DB = "billing_bench_entitlements"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=500, help="requests per second in total")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "4")))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    started = services.ensure()
    base_url = started.database_url
    env = common.bench_env(common.recreate_database(base_url, DB), started.redis_url)
    server: subprocess.Popen[bytes] | None = None
    try:
        common.manage(env, "migrate", "-v", "0")
        seed = common.manage(
            env, "shell", "-c", SEED.replace("N_CUSTOMERS", str(args.customers)), capture=True
        )
        key = seed.strip().splitlines()[-1]
        server, port = common.start_gunicorn(env, workers=args.workers, threads=args.threads)
        rng = random.Random(7)
        features = ["seats", "sso", "api_access", "exports"]
        paths = [
            f"/api/v1/entitlements/check/?customer={quote(f'bench-{rng.randrange(args.customers)}')}"
            f"&feature={rng.choice(features)}"
            for _ in range(5000)
        ]
        auth = {"Authorization": f"Bearer {key}"}
        base = f"http://127.0.0.1:{port}"
        warm = loadgen.load(base, paths, rate=200, seconds=3, headers=auth)
        assert warm.statuses.get(200, 0) == len(warm.latencies_ms), warm.summary()
        result = loadgen.load(base, paths, rate=args.rate, seconds=args.seconds, headers=auth)
        print(
            f"GET /api/v1/entitlements/check at {args.rate}/s for {args.seconds} s; gunicorn "
            f"{args.workers} workers x {args.threads} threads; {args.customers} customers; "
            f"{os.cpu_count()} cores"
        )
        print(result.summary())
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        common.recreate_database(base_url, DB, drop_only=True)
        services.release(started)


SEED = """
from datetime import UTC, datetime
from decimal import Decimal
from django.utils import timezone
from billing.services import api_key_create, customer_create, subscription_create
from catalog import services as c
from core.audit import Actor
a = Actor.system("bench"); now = timezone.now()
feats = [c.feature_create(actor=a, as_of=now, data={"code": code, "name": code, "kind": kind})
         for code, kind in [("seats", "limit"), ("sso", "boolean"), ("api_access", "boolean"),
                            ("exports", "limit")]]
plan = c.plan_create(actor=a, as_of=now, data={"code": "pro", "name": "Pro", "currency": "USD",
                                                 "interval_unit": "month", "interval_count": 1})
v = c.plan_version_create(plan_id=plan.pk, actor=a, as_of=now,
    data={"effective_from": datetime(2020, 1, 1, tzinfo=UTC), "fixed_fee": Decimal(49)},
    features=[{"feature": feats[0], "limit": Decimal(10)}, {"feature": feats[1]},
              {"feature": feats[3], "limit": Decimal(100)}])
c.plan_version_publish(version_id=v.pk, actor=a, as_of=now)
for i in range(N_CUSTOMERS):
    cust = customer_create(actor=a, as_of=now, data={"external_id": f"bench-{i}", "name": f"C{i}",
                                                     "currency": "USD"})
    if i % 10:
        subscription_create(customer_id=cust.pk, plan_id=plan.pk, actor=a, as_of=now)
print(api_key_create(name="bench", actor=a, as_of=now)[1])
"""

if __name__ == "__main__":
    main()
