"""Start a real Celery worker against the test database, on a queue of its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import database_url_of_test_db

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Worker:
    queue: str
    proc: subprocess.Popen[bytes]
    log: Path | None = None  # its log file (what it received and ran, at INFO)

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, mid-task: a crash."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)


@contextmanager
def celery_worker(
    concurrency: int = 1,
    queue: str | None = None,
    settings: dict[str, str] | None = None,
    name: str | None = None,
) -> Iterator[Worker]:
    """Yields the worker (its queue name, its process); stops it (warm shutdown) at the end.
    `settings` are extra environment variables for it; `name` its node name (default: the
    queue's; two workers on one queue need their own), which also names its log
    (.data/worker-<name>.log)."""
    queue = queue or f"test-{uuid.uuid4().hex[:10]}"
    name = name or queue
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_db(),
        "DB_CONN_MAX_AGE": "0",
        **(settings or {}),
    }
    (ROOT / ".data").mkdir(exist_ok=True)
    log_path = ROOT / ".data" / f"worker-{name}.log"
    log = open(log_path, "w+")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            log.seek(0)
            if "ready." in log.read():
                break
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError("worker exited:\n" + log.read())
            time.sleep(0.2)
        else:
            raise RuntimeError("worker did not start within 60 s")
        yield Worker(queue, proc, log_path)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
