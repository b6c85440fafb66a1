"""Plumbing shared by the benchmarks: a scratch database beside DATABASE_URL's (or in the embedded
server), and gunicorn started with the product's config on a free port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent


def with_db(url: str, name: str) -> str:
    """The same server as `url`, another database."""
    return url.rpartition("/")[0] + "/" + name


def connect(url: str) -> Any:
    import environ
    import psycopg

    cfg = environ.Env.db_url_config(url)
    params = {
        "host": unquote(cfg["HOST"]) or "127.0.0.1",
        "user": cfg["USER"],
        "dbname": cfg["NAME"],
    }
    if cfg.get("PORT"):
        params["port"] = str(cfg["PORT"])
    if cfg.get("PASSWORD"):
        params["password"] = cfg["PASSWORD"]
    return psycopg.connect(**params, autocommit=True)


def recreate_database(base_url: str, name: str, *, drop_only: bool = False) -> str:
    if name == base_url.rpartition("/")[2].partition("?")[0]:  # BENCH_DB=billing: never that one
        raise SystemExit(f"the bench's database {name!r} is DATABASE_URL's: pick another BENCH_DB")
    with connect(with_db(base_url, "postgres")) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            admin.execute(f'CREATE DATABASE "{name}"')
    return with_db(base_url, name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_env(database_url: str, redis_url: str) -> dict[str, str]:
    import os

    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "false",
        "LOG_LEVEL": "WARNING",
    }


def py_spy(profile: Path) -> list[str]:
    """The command prefix that samples a process and its children (100 Hz, idle time left out)
    into collapsed stacks at `profile`, written when the process gets SIGINT."""
    return [str(Path(sys.executable).parent / "py-spy"), "record", "--subprocesses", "--rate",
            "100", "--format", "raw", "--output", str(profile), "--"]  # fmt: skip


def start_gunicorn(
    env: dict[str, str], *, workers: int, threads: int, profile: Path | None = None
) -> tuple[Any, int]:
    """gunicorn with config/gunicorn.conf.py on a free port, once /healthz answers; under py-spy
    when `profile` is given (stop it with SIGINT: py-spy writes its samples, then ends it)."""
    port = free_port()
    server = subprocess.Popen(
        [
            *(py_spy(profile) if profile is not None else []),
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "config/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return server, port


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )
    return result.stdout or ""


def statements_reset(url: str) -> bool:
    """pg_stat_statements emptied, when the server loads it (shared_preload_libraries)."""
    with connect(url) as conn:
        loaded = conn.execute(
            "SELECT 'pg_stat_statements' = ANY(string_to_array(current_setting("
            "'shared_preload_libraries'), ', '))"
        ).fetchone()[0]
        if loaded:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            conn.execute("SELECT pg_stat_statements_reset()")
        return bool(loaded)


def statements_report(url: str, out: Path, top: int = 40) -> None:
    """The server's side of the run: the statements by total execution time."""
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT round(total_exec_time::numeric, 1), calls, rows, "
            "round(mean_exec_time::numeric, 3), left(regexp_replace(query, '\\s+', ' ', 'g'), 300) "
            "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database "
            "WHERE datname = current_database()) ORDER BY total_exec_time DESC"
        ).fetchall()
    total = sum(float(r[0]) for r in rows)
    lines = [
        f"server: {total / 1000:.2f} s of statement execution in {len(rows)} statements, "
        f"{sum(r[1] for r in rows):,} calls",
        "total_ms\tcalls\trows\tmean_ms\tquery",
    ]
    lines += ["\t".join(str(x) for x in r) for r in rows[:top]]
    out.write_text("\n".join(lines) + "\n")
    print(f"pg_stat_statements: {total / 1000:.2f} s in {len(rows)} statements -> {out}")
