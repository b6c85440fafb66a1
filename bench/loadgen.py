"""A small open-loop HTTP/1.1 load generator: requests are sent on a fixed schedule (rate per
second), whatever the server's speed, and each latency is measured from the request's *scheduled*
time, so a slow server cannot hide its queueing (no coordinated omission). Keep-alive connections
are reused; a new one is opened when all are busy.

    python bench/loadgen.py --url http://127.0.0.1:8000/healthz --rate 500 --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    elapsed: float = 0.0
    connections: int = 0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")

    def summary(self) -> str:
        count = len(self.latencies_ms)
        return (
            f"requests {count} in {self.elapsed:.1f} s = {count / self.elapsed:.0f}/s, "
            f"statuses {self.statuses}, errors {self.errors}, connections {self.connections}\n"
            f"latency ms: p50 {self.percentile(0.5):.2f}  p90 {self.percentile(0.9):.2f}  "
            f"p99 {self.percentile(0.99):.2f}  max {max(self.latencies_ms, default=0):.2f}"
        )


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status, and whether the connection may be reused."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    keep = True
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "connection" and value.strip().lower() == "close":
            keep = False
    if length:
        await reader.readexactly(length)
    return status, keep


async def run(
    *,
    host: str,
    port: int,
    targets: Sequence[str],
    rate: float,
    seconds: float,
    headers: dict[str, str],
    method: str = "GET",
    body: bytes = b"",
) -> Result:
    result = Result()
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())

    async def one(path: str, scheduled: float, retry: bool = True) -> None:
        conn = idle.pop() if idle else None
        reused = conn is not None
        try:
            if conn is None:
                conn = await asyncio.open_connection(host, port)
                result.connections += 1
            reader, writer = conn
            request = (
                f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}"
                f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
            ).encode() + body
            writer.write(request)
            status, keep = await _read_response(reader)
            result.latencies_ms.append((time.perf_counter() - scheduled) * 1000)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if keep:
                idle.append(conn)
            else:
                writer.close()
        except (OSError, asyncio.IncompleteReadError, ValueError):
            if conn is not None:
                conn[1].close()
            if reused and retry:  # the server closed an idle keep-alive connection: as clients do,
                await one(path, scheduled, retry=False)  # send again on a new one
            else:
                result.errors += 1

    total = int(rate * seconds)
    start = time.perf_counter()
    tasks = []
    for i in range(total):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(targets[i % len(targets)], scheduled)))
    await asyncio.gather(*tasks)
    result.elapsed = time.perf_counter() - start
    for _, writer in idle:
        writer.close()
    return result


def load(
    url_base: str,
    paths: Sequence[str],
    *,
    rate: float,
    seconds: float,
    headers: dict[str, str] | None = None,
) -> Result:
    parts = urlsplit(url_base)
    return asyncio.run(
        run(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 80,
            targets=paths,
            rate=rate,
            seconds=seconds,
            headers=headers or {},
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    parts = urlsplit(args.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = dict(h.split(": ", 1) for h in args.header)
    print(load(args.url, [path], rate=args.rate, seconds=args.seconds, headers=headers).summary())


if __name__ == "__main__":
    main()
