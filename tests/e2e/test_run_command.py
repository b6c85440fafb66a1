"""The README's run command, as a newcomer uses it: start it, wait for /healthz, log into the admin
in Chromium with the demo login, edit a customer and read its history, open the API docs, see the
billing clock tick through beat and the worker, find the banner of URLs and logins still the last
thing printed (the worker's and beat's output is in their log files), then stop it cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.conftest import CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("run-command")]


def readme_command(word: str) -> str:
    block = re.search(r"```[a-z]*\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block, "the README opens with a command block"
    lines = [ln for ln in block.group(1).splitlines() if ln.strip() and not ln.startswith("#")]
    return next(ln for ln in lines if word in ln)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_params(dbname: str) -> dict[str, str]:
    db = settings.DATABASES["default"]
    params = {"host": db["HOST"] or "127.0.0.1", "user": db["USER"], "dbname": dbname}
    if db.get("PORT"):
        params["port"] = str(db["PORT"])
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    return params


@pytest.fixture
def fresh_database() -> Iterator[str]:
    name = f"billing_e2e_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**pg_params("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(**pg_params("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(name: str) -> str:
    from urllib.parse import quote

    p = pg_params(name)
    host = quote(p["host"], safe="") if p["host"].startswith("/") else p["host"]
    port = f":{p['port']}" if "port" in p else ""
    auth = p["user"] + (f":{p['password']}" if "password" in p else "")
    return f"postgres://{auth}@{host}{port}/{name}"


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(1)
    return False


def test_run_command_serves_the_product_and_stops_cleanly(
    fresh_database: str, tmp_path: Path
) -> None:
    chromium = require_chromium()
    port = free_port()
    redis_url = re.sub(r"/\d+$", "", settings.REDIS_URL.rstrip("/")) + "/13"
    data = tmp_path / "data"  # its logs, beat's schedule and the secret, off the developer's .data/
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")},
        "DATABASE_URL": database_url(fresh_database),
        "REDIS_URL": redis_url,
        "BILLING_DATA_DIR": str(data),
        "PORT": str(port),
        "CLOCK_TICK_SECONDS": "2",
        "WEB_WORKERS": "1",
        "WORKER_CONCURRENCY": "1",
    }
    log_path = ROOT / ".data" / f"e2e-run-{port}.log"
    log_path.parent.mkdir(exist_ok=True)
    log = log_path.open("w+")
    command = readme_command("run")
    proc = subprocess.Popen(
        ["bash", "-c", command],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_healthy(f"{base}/healthz", proc, timeout=240), log_path.read_text()[-4000:]
        deadline = time.monotonic() + 20
        while "login: admin / admin" not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        printed = log_path.read_text()
        for expected in (f"{base}/admin/", f"{base}/api/docs/", f"{base}/healthz", "admin / admin"):
            assert expected in printed, expected

        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"{base}/admin/")
            page.fill("#id_username", "admin")
            page.fill("#id_password", "admin")
            page.click("input[type=submit]")
            page.wait_for_selector("text=Finance")
            assert "Customers" in page.content()

            page.goto(f"{base}/admin/billing/customer/?q=acme")
            page.click("text=acme")
            page.fill("#id_name", "Acme Corporation (renamed in e2e)")
            page.click("input[name=_save]")
            page.wait_for_selector("text=was changed successfully")
            page.goto(f"{base}/admin/billing/customer/?q=acme")
            page.click("text=acme")
            page.click("a.historylink")
            page.wait_for_selector("#audit-history")
            history = page.inner_text("#audit-history")
            assert "admin" in history
            assert "Acme Corporation (renamed in e2e)" in history
            page.screenshot(path=str(ROOT / ".data" / "e2e-customer-history.png"), full_page=True)

            page.goto(f"{base}/api/docs/")
            page.wait_for_selector(".swagger-ui .opblock", timeout=30000)
            assert "/api/v1/customers/" in page.inner_text(".swagger-ui")
            page.screenshot(path=str(ROOT / ".data" / "e2e-api-docs.png"))
            browser.close()

        with psycopg.connect(**pg_params(fresh_database)) as conn:
            deadline = time.monotonic() + 30
            ticks = 0
            while ticks == 0 and time.monotonic() < deadline:
                row = conn.execute(
                    "SELECT count(*) FROM invoicing_clocktick WHERE finished_at IS NOT NULL"
                ).fetchone()
                ticks = row[0] if row else 0
                conn.commit()
                time.sleep(1)
        assert ticks >= 1, "beat and the worker ran the billing clock tick"

        # The banner is the last thing printed: the worker's and beat's start-up, and their work
        # since (the clock has ticked), went to the log files the banner points at.
        printed = log_path.read_text()
        end = "Stop with Ctrl-C."
        banner = printed.index("Billing is running.")
        after = printed[printed.index(end, banner) + len(end) :]
        assert after.strip() == "", f"printed after the banner: {after[:2000]}"
        assert "demo data set ready" in printed[:banner]
        for startup_noise in ("celery@", "[tasks]", "beat: Starting", "Booting worker", "Task "):
            assert startup_noise not in printed, startup_noise
        logs = data / "logs"
        assert f"tail -f {logs}/*.log" in printed[banner:]
        assert " ready." in (logs / "worker.log").read_text()
        assert "beat: Starting..." in (logs / "beat.log").read_text()
        assert "Task invoicing.clock_tick" in (logs / "worker.log").read_text()
        assert "Listening at" in (logs / "web.log").read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        log.close()
    # Like Ctrl-C, SIGTERM reached the whole process group; make reports the signal in its exit
    # code, while the run script stops the web server, worker, beat and what it started.
    assert code in (0, 2, 130, 143, -15), log_path.read_text()[-3000:]
    assert "stopped." in log_path.read_text(), log_path.read_text()[-3000:]
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # nothing of the product is left running
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 - localhost
