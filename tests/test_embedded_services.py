"""The newcomer's path: no DATABASE_URL, no REDIS_URL. The embedded PostgreSQL and Redis start
from their wheels under a data folder, serve a command, and stop when it ends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import os, psycopg, redis, environ
from urllib.parse import unquote
cfg = environ.Env.db_url_config(os.environ["DATABASE_URL"])
with psycopg.connect(host=unquote(cfg["HOST"]), user=cfg["USER"], dbname=cfg["NAME"]) as conn:
    print("pg", conn.execute("SHOW server_version").fetchone()[0].split()[0])
print("redis", redis.Redis.from_url(os.environ["REDIS_URL"]).info()["redis_version"])
"""


@pytest.mark.e2e
def test_exec_starts_serves_and_stops_embedded_servers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["BILLING_DATA_DIR"] = str(data)
    result = subprocess.run(
        [sys.executable, "scripts/services.py", "exec", "--", sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.split("\n")
    assert any(line.startswith("pg 18.") for line in lines), result.stdout
    assert any(line.startswith("redis 6.") for line in lines), result.stdout
    assert "embedded PostgreSQL stopped" in result.stderr
    assert "embedded Redis stopped" in result.stderr
    assert (data / "postgres" / "PG_VERSION").exists()
    assert not (data / "postgres" / "postmaster.pid").exists()


@pytest.mark.e2e
def test_a_set_database_url_wins_and_nothing_is_started(tmp_path: Path) -> None:
    env = {**os.environ, "BILLING_DATA_DIR": str(tmp_path / "unused")}
    env["DATABASE_URL"] = "postgres://user@db.invalid/x"
    env["REDIS_URL"] = "redis://redis.invalid:6379/0"
    result = subprocess.run(
        [sys.executable, "scripts/services.py", "env"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "export DATABASE_URL='postgres://user@db.invalid/x'" in result.stdout
    assert not (tmp_path / "unused" / "postgres").exists()
