"""Start Debian's PgBouncer (scripts/ensure-pgbouncer.sh installs it) in transaction mode in front
of the test database: its own directory, a free loopback port, `trust` authentication of the test
database's user (listed in its userlist). Root runs it as `nobody` (PgBouncer refuses root)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection


def pgbouncer_path() -> str | None:
    for path in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"):
        if os.access(path, os.X_OK):
            return path
    return shutil.which("pgbouncer")


def require_pgbouncer() -> str:
    path = pgbouncer_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's pgbouncer for these tests (make browser)")
        pytest.skip("pgbouncer is not installed (sudo apt-get install pgbouncer)")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Bouncer:
    url: str  # a DATABASE_URL of the test database through it
    log: Path

    def logins(self) -> int:
        """Its clients' logins so far."""
        return self.log.read_text().count("login attempt")


@contextmanager
def pgbouncer(pool_size: int = 4) -> Iterator[Bouncer]:
    """Yields a PgBouncer in transaction mode in front of the test database."""
    binary = require_pgbouncer()
    s = connection.settings_dict
    host = s["HOST"] or "127.0.0.1"
    port = _free_port()
    directory = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    directory.chmod(0o755)  # readable by `nobody`
    (directory / "userlist.txt").write_text(f'"{s["USER"]}" ""\n')
    server = f"host={host}" + (f" port={s['PORT']}" if s.get("PORT") else "")
    if s.get("PASSWORD"):
        server += f" password={s['PASSWORD']}"
    (directory / "pgbouncer.ini").write_text(
        f"""[databases]
{s["NAME"]} = {server} dbname={s["NAME"]} user={s["USER"]}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory / "userlist.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 200
ignore_startup_parameters = extra_float_digits
server_reset_query =
"""
    )
    for f in directory.iterdir():
        f.chmod(0o644)
    command = [binary] + (["-u", "nobody"] if os.getuid() == 0 else [])
    log = open(directory / "pgbouncer.log", "w+")  # noqa: SIM115
    proc = subprocess.Popen(
        [*command, str(directory / "pgbouncer.ini")],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            log.seek(0)
            if "listening on 127.0.0.1" in log.read():
                break
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError("pgbouncer exited:\n" + log.read())
            time.sleep(0.1)
        else:
            raise RuntimeError("pgbouncer did not start within 20 s")
        auth = quote(s["USER"], safe="")
        url = f"postgres://{auth}@127.0.0.1:{port}/{s['NAME']}"
        yield Bouncer(url, directory / "pgbouncer.log")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # its clients (the workers) are gone by now
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()
        shutil.rmtree(directory, ignore_errors=True)
