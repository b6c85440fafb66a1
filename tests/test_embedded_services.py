"""The newcomer's path: no DATABASE_URL, no REDIS_URL. The embedded PostgreSQL and Redis start
from their wheels under a data folder, serve a command, and stop when it ends; `manage.py` finds
them the way `make run` does, and stops what it started only when nobody else still uses it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The embedded Redis takes the first free port from 6380: one of these tests at a time.
pytestmark = pytest.mark.xdist_group("embedded-servers")
DEV_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG")

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


def newcomer_env(data: Path) -> dict[str, str]:
    """A terminal with nothing set, its data folder moved off the developer's .data/."""
    env = {k: v for k, v in os.environ.items() if k not in DEV_VARIABLES}
    env["BILLING_DATA_DIR"] = str(data)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def holder(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """A long command that uses the embedded servers until a line arrives on its stdin."""
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_session(data: Path, proc: subprocess.Popen[str]) -> None:
    """The command says `ready` once it runs (its servers up, its session registered)."""
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:  # the shell may say other things first; EOF: the command ended
        seen.append(line)
        if line.strip() == "ready":
            break
    assert [line.strip() for line in seen[-1:]] == ["ready"], (seen, proc.poll())
    assert (data / "sessions" / f"{proc.pid}.pid").exists()


def finish(proc: subprocess.Popen[str]) -> tuple[str, str]:
    out, err = proc.communicate("\n", timeout=120)
    assert proc.returncode == 0, out + err
    return out, err


def pg_up(data: Path) -> bool:
    return (data / "postgres" / "postmaster.pid").exists()


SHOW_SETTINGS = (
    "from django.conf import settings; from django.db import connection; "
    "print('debug', settings.DEBUG); print('secret', settings.SECRET_KEY); "
    "print('host', settings.DATABASES['default']['HOST']); print('redis', settings.REDIS_URL); "
    "cursor = connection.cursor(); cursor.execute('SELECT count(*) FROM django_migrations'); "
    "print('migrations', cursor.fetchone()[0])"
)


@pytest.mark.e2e
def test_manage_py_outside_make_run_starts_the_servers_for_its_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = newcomer_env(data)

    migrated = manage("migrate", "--noinput", "-v", "0", env=env)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "embedded PostgreSQL 18 started" in migrated.stderr
    assert "embedded PostgreSQL stopped" in migrated.stderr
    assert "embedded Redis stopped" in migrated.stderr
    assert not pg_up(data), "the command stopped what it started"
    assert not list((data / "sessions").glob("*.pid"))

    shown = manage("shell", "-c", SHOW_SETTINGS, env=env)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    printed = dict(line.split(" ", 1) for line in shown.stdout.splitlines() if " " in line)
    assert printed["debug"] == "True", "a development machine, as under make run"
    assert printed["secret"] == (data / "secret_key").read_text().strip()
    assert printed["host"] == str(data / "postgres")
    assert printed["redis"].startswith("redis://127.0.0.1:")
    assert int(printed["migrations"]) > 10, "the same database the migrate filled"
    assert not pg_up(data)


@pytest.mark.e2e
def test_manage_py_reuses_running_servers_and_the_last_user_stops_them(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = newcomer_env(data)
    wait_for_line = "import sys; print('ready', flush=True); sys.stdin.readline()"
    # A long manage.py command (a shell) starts the servers...
    shell = holder(["manage.py", "shell", "-c", wait_for_line], env)
    run = None
    try:
        wait_for_session(data, shell)
        assert pg_up(data)
        # ...another command reuses them and leaves them running...
        probe = (
            "from django.db import connection; connection.cursor().execute('SELECT 1'); "
            "print('host', connection.settings_dict['HOST'])"
        )
        quick = manage("shell", "-c", probe, env=env)
        assert quick.returncode == 0, quick.stdout + quick.stderr
        assert "started" not in quick.stderr
        assert "stopped" not in quick.stderr
        assert f"host {data / 'postgres'}" in quick.stdout
        assert pg_up(data)
        # ...`make run`'s way in (exec) joins; the shell that started them ends first...
        run = holder(
            ["scripts/services.py", "exec", "--", sys.executable, "-c", wait_for_line], env
        )
        wait_for_session(data, run)
        _, shell_err = finish(shell)
        assert f"embedded postgres left running: still used by pid {run.pid}" in shell_err
        assert "embedded PostgreSQL stopped" not in shell_err
        assert pg_up(data)
        # ...and the last one out stops them, though it did not start them.
        _, run_err = finish(run)
        assert "embedded PostgreSQL stopped" in run_err
        assert "embedded Redis stopped" in run_err
        assert not pg_up(data)
    finally:
        for proc in (shell, run):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        subprocess.run(
            [sys.executable, "scripts/services.py", "stop"], cwd=ROOT, env=env, check=False
        )
