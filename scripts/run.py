"""`make run`: the whole product on one machine.

Starts (or reuses) PostgreSQL and Redis, migrates, loads the demo data set, then runs the web
server (gunicorn), a Celery worker and Celery beat, prints the URLs and the demo logins, and
waits. Ctrl-C (SIGINT) or SIGTERM stops the three processes and the embedded servers it started.

Environment: PORT (default 8000, the next free one if taken), HOST (default 127.0.0.1),
WEB_WORKERS (default 2), and everything config/settings.py reads.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import services

ROOT = services.ROOT
BIN = Path(sys.executable).parent
STOP = False


def _on_signal(signum: int, frame: object) -> None:
    global STOP
    STOP = True


def _port(host: str, preferred: int) -> int:
    for port in range(preferred, preferred + 50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port from {preferred}")


def _secret_key() -> str:
    path = services.DATA / "secret_key"
    if not path.exists():
        services.DATA.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def _wait_healthy(url: str, procs: list[subprocess.Popen[bytes]], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not STOP:
        if any(p.poll() is not None for p in procs):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own URL
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    started = services.ensure()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        host = os.environ.get("HOST", "127.0.0.1")
        port = _port(host, int(os.environ.get("PORT", "8000")))
        env = {
            **os.environ,
            "DATABASE_URL": started.database_url,
            "REDIS_URL": started.redis_url,
            "DEBUG": os.environ.get("DEBUG", "true"),
            "SECRET_KEY": os.environ.get("SECRET_KEY") or _secret_key(),
            "PYTHONUNBUFFERED": "1",
        }
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "collectstatic", "--noinput", "-v", "0")
        _manage(env, "seed_demo")
        beat_schedule = services.DATA / "celerybeat-schedule"
        procs = [
            subprocess.Popen(
                [
                    str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py",
                    "--bind", f"{host}:{port}",
                    "--workers", os.environ.get("WEB_WORKERS", "2"),
                ],
                cwd=ROOT, env=env,
            ),
            subprocess.Popen(
                [str(BIN / "celery"), "-A", "config", "worker", "--loglevel", "INFO",
                 "-Q", f"{os.environ.get('CELERY_QUEUE', 'billing')},"
                       f"{os.environ.get('CELERY_PDF_QUEUE', 'pdf')}",
                 "--concurrency", os.environ.get("WORKER_CONCURRENCY", "2")],
                cwd=ROOT, env=env,
            ),
            subprocess.Popen(
                [str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "INFO",
                 "--schedule", str(beat_schedule)],
                cwd=ROOT, env=env,
            ),
        ]  # fmt: skip
        base = f"http://{host}:{port}"
        if not _wait_healthy(f"{base}/healthz", procs):
            print("the product did not become healthy; stopping", file=sys.stderr, flush=True)
            return 1
        user, password = "admin", "admin"
        from_seed = "bk_000000000000_demo-key-for-local-use-only-never-in-production"
        print(
            "\n"
            "  Billing is running.\n"
            f"  Admin (back office)   {base}/admin/      login: {user} / {password}\n"
            f"  API docs (Swagger)    {base}/api/docs/\n"
            f"  OpenAPI schema        {base}/api/schema/\n"
            f"  REST API              {base}/api/v1/\n"
            f"  Demo API key          Authorization: Bearer {from_seed}\n"
            f"  Health                {base}/healthz\n"
            "  Celery worker and beat are running (billing clock tick every "
            f"{os.environ.get('CLOCK_TICK_SECONDS', '300')} s). Stop with Ctrl-C.\n",
            flush=True,
        )
        while not STOP:
            if any(p.poll() is not None for p in procs):
                print("a process stopped unexpectedly; stopping everything", file=sys.stderr)
                return 1
            time.sleep(0.5)
        print("stopping...", flush=True)
        return 0
    finally:
        _stop(procs)
        services.release(started)
        print("stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
