"""`make run`: the whole product on one machine.

Starts (or reuses) PostgreSQL and Redis, migrates, loads the demo data set, then runs the web
server (gunicorn), a Celery worker and Celery beat, each writing to its log under .data/logs/;
once the web server answers, the worker is ready and beat has started, it prints the URLs and the
demo logins last, and waits. Ctrl-C (SIGINT) or SIGTERM stops the three processes and the
embedded servers it started. A missing database or a server that is down is one line (manage.py
explains it), not a traceback.

Environment: PORT (default 8000, the next free one if taken), HOST (default 127.0.0.1),
WEB_WORKERS (default 2), and everything config/settings.py reads.
"""

from __future__ import annotations

import os
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


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


class Proc:
    """A process of the product and the log file its output goes to."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.log = logs / f"{name}.log"
        with self.log.open("wb") as out:  # the child keeps its own descriptor
            self.popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=out)

    def stopped(self) -> bool:
        return self.popen.poll() is not None

    def logged(self, text: str) -> bool:
        try:
            return text in self.log.read_text(errors="replace")
        except OSError:
            return False

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own URL
            return bool(response.status == 200)
    except OSError:
        return False


def _wait_ready(url: str, procs: list[Proc], seconds: float = 120) -> Proc | None:
    """Wait until the web server answers, the worker is ready and beat has started.

    Returns None when all three are up, else the process that stopped or is not up in time.
    """
    signs = {"worker": " ready.", "beat": "beat: Starting..."}
    deadline = time.monotonic() + seconds
    while not STOP:
        for proc in procs:
            if proc.stopped():
                return proc
        waiting = [p for p in procs if p.name in signs and not p.logged(signs[p.name])]
        web_up = _healthy(url)
        if web_up and not waiting:
            return None
        if time.monotonic() > deadline:
            return waiting[0] if waiting else procs[0]
        time.sleep(0.5)
    return None


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _report(proc: Proc, what: str) -> None:
    print(
        f"the {proc.name} {what}; the end of {_relative(proc.log)}:\n{proc.tail()}",
        file=sys.stderr,
        flush=True,
    )


def _stop(procs: list[Proc]) -> None:
    for proc in procs:
        if proc.popen.poll() is None:
            proc.popen.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for proc in procs:
        try:
            proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.popen.kill()
            proc.popen.wait()


def main() -> int:
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        started = services.ensure()
    except services.ServiceError as exc:
        print(exc, file=sys.stderr, flush=True)
        return 1
    procs: list[Proc] = []
    try:
        host = os.environ.get("HOST", "127.0.0.1")
        port = _port(host, int(os.environ.get("PORT", "8000")))
        env = {
            **os.environ,
            "DATABASE_URL": started.database_url,
            "REDIS_URL": started.redis_url,
            "DEBUG": os.environ.get("DEBUG", "true"),
            "SECRET_KEY": os.environ.get("SECRET_KEY") or services.dev_secret_key(),
            "PYTHONUNBUFFERED": "1",
        }
        try:
            _manage(env, "migrate", "--noinput", "-v", "0")
            _manage(env, "collectstatic", "--noinput", "-v", "0")
            _manage(env, "seed_demo")
        except subprocess.CalledProcessError as exc:
            return exc.returncode or 1  # manage.py has said why, in one line
        logs = services.DATA / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        beat_schedule = services.DATA / "celerybeat-schedule"
        procs = [
            Proc("web", [
                str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py",
                "--bind", f"{host}:{port}",
                "--workers", os.environ.get("WEB_WORKERS", "2"),
            ], env, logs),
            Proc("worker", [
                str(BIN / "celery"), "-A", "config", "worker", "--loglevel", "INFO",
                "-Q", f"{os.environ.get('CELERY_QUEUE', 'billing')},"
                      f"{os.environ.get('CELERY_PDF_QUEUE', 'pdf')},"
                      f"{os.environ.get('CELERY_EMAIL_QUEUE', 'email')}",
                "--concurrency", os.environ.get("WORKER_CONCURRENCY", "2"),
            ], env, logs),
            Proc("beat", [
                str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "INFO",
                "--schedule", str(beat_schedule),
            ], env, logs),
        ]  # fmt: skip
        print("starting the web server, the Celery worker and beat...", flush=True)
        base = f"http://{host}:{port}"
        late = _wait_ready(f"{base}/healthz", procs)
        if STOP:
            print("stopping...", flush=True)
            return 0
        if late is not None:
            _report(late, "stopped during start-up" if late.stopped() else "did not start in time")
            return 1
        user, password = "admin", "admin"
        from_seed = "bk_000000000000_demo-key-for-local-use-only-never-in-production"
        log_names = ", ".join(p.log.name for p in procs)
        # The banner comes last: every process's start-up output is in its log file, not here.
        print(
            "\n"
            "  Billing is running.\n"
            f"  Admin (back office)   {base}/admin/      login: {user} / {password}\n"
            "                        roles: manager / manager (finance manager), viewer / viewer "
            "(finance viewer), support / support\n"
            f"  API docs (Swagger)    {base}/api/docs/\n"
            f"  OpenAPI schema        {base}/api/schema/\n"
            f"  REST API              {base}/api/v1/\n"
            f"  Demo API key          Authorization: Bearer {from_seed}\n"
            f"  Customer portal       {base}/portal/login/   ada@acme.example (the link is in "
            f"worker.log), or: .venv/bin/python manage.py portal_link acme\n"
            f"  Health                {base}/healthz\n"
            f"  Logs                  {_relative(logs)}/ ({log_names}): "
            f"tail -f {_relative(logs)}/*.log\n"
            "  Celery worker and beat are running (billing clock tick every "
            f"{os.environ.get('CLOCK_TICK_SECONDS', '300')} s). Stop with Ctrl-C.\n",
            flush=True,
        )
        while not STOP:
            for proc in procs:
                if proc.stopped():
                    _report(proc, "stopped unexpectedly; stopping everything")
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
