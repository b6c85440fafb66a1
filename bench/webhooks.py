"""Webhook deliveries per second for the events of the standard billing run (../shared/WORKLOAD.md).

    .venv/bin/python bench/webhooks.py [--customers 10000] [--concurrency 2] [--verify all|N]

1. Seeds (not timed) and runs the standard billing run through the clock like bench/billing_run.py
   (its seeding and clock path are reused), waits until the journal is quiet (every handler has
   seen every event; collection's `invoice.collection_skipped` follow finalization), stops that
   worker and checks every invoice against the workload's formula.
2. Starts a receiver in its own process (asyncio, HTTP/1.1 keep-alive, answers 204 at once and
   records each request's headers, body and arrival time), creates one webhook endpoint for
   every event type of the run on it, and asks for every event of the run again
   (`webhook_replay` since the start of month M: one delivery per event, the product's own
   replay; the tasks are queued then).
3. Starts `--concurrency` Celery worker processes and times from the first delivery received to
   the last; prints events, deliveries, deliveries/s, attempts, and p50/p95 latency (the sender's
   HTTP round trip from the attempts log, and from the replay's request to arrival).
4. Verifies: every event arrived exactly once (by `webhook-id`), every delivery succeeded on its
   first attempt, the signatures are valid (standardwebhooks' `Webhook(secret).verify`, all of
   them or a sample of --verify N), and each subject's events arrived in journal order. Exits
   non-zero on a wrong result.

The receiver runs as `bench/webhooks.py --receiver PORT OUT` (it writes what it got to OUT, one
JSON line per request, when it is sent SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
import services  # noqa: E402
from common import bench_env, connect, free_port, recreate_database  # noqa: E402

DB = "billing_bench_webhooks"
M = datetime(2026, 1, 1, tzinfo=UTC)

# ----------------------------------------------------------------------------------- receiver

RESPONSE = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
KEPT = (b"webhook-id", b"webhook-timestamp", b"webhook-signature")


class _Receiver(asyncio.Protocol):
    """HTTP/1.1 with keep-alive, just enough for webhook POSTs with a Content-Length."""

    def __init__(self, log: list[tuple[float, dict[str, str], bytes]], conns: Counter[str]) -> None:
        self.log = log
        self.conns = conns
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.conns["opened"] += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = self.buffer[:end].split(b"\r\n")
            headers: dict[bytes, bytes] = {}
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get(b"content-length", b"0"))
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            kept = {k.decode(): headers.get(k, b"").decode() for k in KEPT}
            self.log.append((time.time(), kept, body))
            assert self.transport is not None
            self.transport.write(RESPONSE)


def receiver_main(port: int, out: str) -> None:
    log: list[tuple[float, dict[str, str], bytes]] = []
    conns: Counter[str] = Counter()
    loop = asyncio.new_event_loop()
    stop = loop.create_future()

    def finish() -> None:
        if not stop.done():
            stop.set_result(None)

    loop.add_signal_handler(signal.SIGTERM, finish)
    server = loop.run_until_complete(
        loop.create_server(lambda: _Receiver(log, conns), "127.0.0.1", port, backlog=512)
    )
    Path(out + ".ready").write_text("1")
    loop.run_until_complete(stop)
    server.close()
    with open(out, "w") as f:
        f.write(json.dumps({"connections": conns["opened"]}) + "\n")
        for at, headers, body in log:
            f.write(json.dumps({"at": at, "headers": headers, "body": body.decode()}) + "\n")


def start_receiver(out: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    ready = Path(str(out) + ".ready")
    ready.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [sys.executable, __file__, "--receiver", str(port), str(out)],
        cwd=ROOT,
        start_new_session=True,
    )
    deadline = time.time() + 30
    while not ready.exists():
        if time.time() > deadline or proc.poll() is not None:
            raise SystemExit("the receiver did not start")
        time.sleep(0.05)
    return proc, port


def stop_receiver(proc: subprocess.Popen[bytes], out: Path) -> tuple[int, list[dict[str, Any]]]:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)
    with open(out) as f:
        connections = json.loads(f.readline())["connections"]
        return connections, [json.loads(line) for line in f]


# ----------------------------------------------------------------------------------- the run


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def wait_journal_quiet(url: str, redis_url: str, queue: str) -> int:
    """Until every journal event has been handed to every handler that wants its type and the
    queue is empty (the billing run's follow-up events, e.g. collection's, are written by then);
    the event count."""
    import redis

    from billing.journal import handlers

    wanted = [(h.name, sorted(h.types) if h.types is not None else None) for h in handlers()]
    r = redis.Redis.from_url(redis_url)
    deadline = time.time() + 1800
    with connect(url) as conn:
        while time.time() < deadline:
            events = conn.execute("SELECT count(*) FROM billing_journalevent").fetchone()[0]
            waiting = sum(
                conn.execute(
                    "SELECT count(*) FROM billing_journalevent e WHERE (%s::text[] IS NULL OR "
                    "e.type = ANY(%s::text[])) AND NOT EXISTS (SELECT 1 FROM "
                    "billing_journaldelivery d WHERE d.event_id = e.id AND d.handler = %s)",
                    [types, types, name],
                ).fetchone()[0]
                for name, types in wanted
            )
            if waiting == 0 and r.llen(queue) == 0:
                time.sleep(2)  # a handler's own follow-up events, written after its delivery
                again = conn.execute("SELECT count(*) FROM billing_journalevent").fetchone()[0]
                if again == events:
                    return int(events)
            time.sleep(0.5)
    raise SystemExit("the journal did not settle within 30 minutes")


def verify(
    received: list[dict[str, Any]], expected: dict[str, tuple[str, int]], secret: str, sample: int
) -> list[str]:
    """Exactly once by webhook-id, valid signatures, journal order per subject."""
    from standardwebhooks import Webhook, WebhookVerificationError

    problems: list[str] = []
    ids = Counter(r["headers"]["webhook-id"] for r in received)
    duplicates = {i: n for i, n in ids.items() if n > 1}
    if duplicates:
        problems.append(f"{len(duplicates)} event(s) received more than once, e.g. "
                        f"{list(duplicates.items())[:5]}")  # fmt: skip
    missing = set(expected) - set(ids)
    if missing:
        problems.append(f"{len(missing)} event(s) never received, e.g. {sorted(missing)[:5]}")
    unknown = set(ids) - set(expected)
    if unknown:
        problems.append(f"{len(unknown)} unexpected event id(s), e.g. {sorted(unknown)[:5]}")
    # signatures: the body as received, the headers as sent; a timestamp within five minutes
    # of now is what the library checks, and the run is shorter than that per delivery
    wh = Webhook(secret)
    checked = received if sample <= 0 or sample >= len(received) else random.sample(
        received, sample
    )  # fmt: skip
    bad = 0
    for r in checked:
        try:
            wh.verify(r["body"], r["headers"])
        except WebhookVerificationError:
            bad += 1
    if bad:
        problems.append(f"{bad} of {len(checked)} signature(s) did not verify")
    # journal order per subject: arrival order of each subject's events is their id order
    last: dict[str, int] = {}
    out_of_order = 0
    for r in received:  # in arrival order
        subject, event = expected.get(r["headers"]["webhook-id"], ("?", 0))
        if event < last.get(subject, 0):
            out_of_order += 1
        last[subject] = max(last.get(subject, 0), event)
    if out_of_order:
        problems.append(f"{out_of_order} event(s) arrived before an earlier one of its subject")
    # the envelope names the same event
    for r in checked[:1000]:
        body = json.loads(r["body"])
        if body.get("id") != r["headers"]["webhook-id"]:
            problems.append(f"envelope id {body.get('id')} != webhook-id {r['headers']}")
            break
    return problems[:20] if problems else []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", "--n", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--verify", type=int, default=0, help="signatures to verify (0: all)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    import billing_run

    started = services.ensure()
    url = recreate_database(started.database_url, DB)
    queue = f"bench-webhooks-{os.getpid()}"
    out = ROOT / ".data" / f"bench-webhooks-{os.getpid()}.jsonl"
    (ROOT / ".data").mkdir(exist_ok=True)
    env = {
        **bench_env(url, started.redis_url),
        "CELERY_QUEUE": queue,
        "CELERY_PDF_QUEUE": f"{queue}-pdf",
        "DB_CONN_MAX_AGE": "600",
        "MEDIA_ROOT": str(ROOT / ".data" / "bench-media"),
        "WEBHOOK_ALLOW_HTTP": "true",
        "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
        # the whole run's backlog in one replay (the API caps a replay at 10,000 events)
        "WEBHOOK_REPLAY_MAX": str(max(100_000, 5 * args.customers)),
    }
    worker = receiver = None
    try:
        t0 = time.perf_counter()
        billing_run.seed(env, url, args.customers)
        worker = billing_run.start_worker(env, queue, args.concurrency)
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        billing_run.run_clock(url, queue, args.customers)
        events = wait_journal_quiet(url, started.redis_url, queue)
        billing_run.stop_worker(worker)
        worker = None
        with connect(url) as conn:
            problems = billing_run.check_every_invoice(conn, args.customers)
        if problems:
            raise SystemExit(f"the billing run is wrong: {problems[:5]}")
        print(f"billing run seeded and run in {time.perf_counter() - t0:.0f} s (not counted): "
              f"{args.customers:,} invoices, {events:,} journal events")  # fmt: skip

        from django.utils import timezone

        from core.audit import Actor
        from integrations.webhook_services import webhook_endpoint_create, webhook_replay

        receiver, port = start_receiver(out)
        who = Actor.system("bench")
        with connect(url) as conn:
            rows = conn.execute(
                "SELECT id, subject_type, subject_id, type FROM billing_journalevent "
                "WHERE occurred_at >= %s ORDER BY id",
                [M],
            ).fetchall()
        # every type of the run (not "*": the endpoint's own webhook_endpoint.created would be
        # delivered once by the handler and once more by the replay, rightly the same webhook-id)
        endpoint, secret = webhook_endpoint_create(
            url=f"http://127.0.0.1:{port}/hooks", description="bench",
            event_types=sorted({r[3] for r in rows}), as_of=timezone.now(), actor=who,
        )  # fmt: skip
        expected = {f"evt_{i}": (f"{st}:{sid}", i) for i, st, sid, _ in rows}
        requested = time.time()
        count = webhook_replay(endpoint_id=endpoint.pk, since=M, as_of=timezone.now(), actor=who)
        if count != len(expected):
            raise SystemExit(f"replay made {count} deliveries for {len(expected)} events")

        worker = billing_run.start_worker(env, queue, args.concurrency)
        deadline = time.time() + 3600
        with connect(url) as conn:
            while time.time() < deadline:
                pending = conn.execute(
                    "SELECT count(*) FROM integrations_webhookdelivery WHERE status = 'pending'"
                ).fetchone()[0]
                if pending == 0:
                    break
                time.sleep(0.2)
            else:
                raise SystemExit(f"{pending} deliveries still pending after an hour")
            statuses = dict(conn.execute(
                "SELECT status, count(*) FROM integrations_webhookdelivery GROUP BY status"
            ).fetchall())  # fmt: skip
            attempts, retried = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE NOT succeeded) "
                "FROM integrations_webhookattempt"
            ).fetchone()
            latencies = [
                float(v)
                for (v,) in conn.execute("SELECT latency_ms FROM integrations_webhookattempt")
            ]
        billing_run.stop_worker(worker)
        worker = None
        connections, received = stop_receiver(receiver, out)
        receiver = None

        arrivals = sorted(r["at"] for r in received)
        span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else float("nan")
        rate = (len(received) - 1) / span if span else float("nan")
        waited = [(at - requested) * 1000 for at in arrivals]
        problems = verify(received, expected, secret, args.verify)
        if statuses != {"succeeded": len(expected)}:
            problems.append(f"delivery statuses {statuses}, expected all succeeded")
        if attempts != len(expected):
            problems.append(f"{attempts} attempts ({retried} failed) for {len(expected)} events")
        checked = "all" if args.verify <= 0 else f"a sample of {args.verify}"
        print(
            f"webhooks: {len(expected):,} events of the billing run, {len(received):,} deliveries "
            f"received in {span:.1f} s from the first to the last = {rate:,.0f} deliveries/s "
            f"({args.concurrency} worker processes, {connections} connection(s) to the "
            f"receiver); {attempts:,} attempts ({retried} failed); sender's round trip p50 "
            f"{percentile(latencies, 50):.0f} ms, p95 {percentile(latencies, 95):.0f} ms; from "
            f"the replay's request to arrival p50 {statistics.median(waited) / 1000:.1f} s, "
            f"p95 {percentile(waited, 95) / 1000:.1f} s; signatures checked: {checked}"
        )
        if problems:
            print("\n".join(problems), file=sys.stderr)
            raise SystemExit("WRONG: not a figure")
        print("verified: every event once (by webhook-id), signatures valid, order per subject")
    finally:
        if worker is not None:
            billing_run.stop_worker(worker, kill=True)
        if receiver is not None:
            receiver.kill()
        out.unlink(missing_ok=True)
        Path(str(out) + ".ready").unlink(missing_ok=True)
        import redis

        redis.Redis.from_url(started.redis_url).delete(queue, f"{queue}-pdf")
        if not args.keep:
            recreate_database(started.database_url, DB, drop_only=True)
        services.release(started)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--receiver":
        receiver_main(int(sys.argv[2]), sys.argv[3])
    else:
        main()
