"""DATABASE_POOLER=pgbouncer: what a PgBouncer in transaction mode needs of the settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps({a: [d.get('DISABLE_SERVER_SIDE_CURSORS', False), "
    "d['OPTIONS'].get('prepare_threshold', 'unset'), d['HOST'], d.get('TEST', {}).get('MIRROR')] "
    "for a, d in settings.DATABASES.items()}))"
)


def databases(**env: str) -> subprocess.CompletedProcess[str]:
    ours = (
        "DATABASE_POOLER",
        "DATABASE_DIRECT_URL",
        "DATABASE_DIRECT_POOLER",
        "DATABASE_REPLICA_URL",
    )
    base = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_a_pooler_nothing_changes() -> None:
    result = databases()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["default"][:2] == [False, "unset"]
    assert set(json.loads(result.stdout)) == {"default"}


def test_behind_pgbouncer_no_server_side_cursors_nor_prepared_statements() -> None:
    result = databases(
        DATABASE_URL="postgres://app@pgbouncer.internal:6432/billing",
        DATABASE_POOLER="pgbouncer",
        DATABASE_DIRECT_URL="postgres://app@db.internal:5432/billing",
        DATABASE_REPLICA_URL="postgres://app@replica.internal:5432/billing",
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["default"][:3] == [True, None, "pgbouncer.internal"]
    # the locks' and the replica's connections are direct: cursors and prepares as usual
    assert found["direct"] == [False, "unset", "db.internal", "default"]
    assert found["replica"] == [False, "unset", "replica.internal", "default"]


def test_pgbouncer_without_a_direct_url_is_refused() -> None:
    result = databases(DATABASE_POOLER="pgbouncer")
    assert result.returncode != 0
    assert "DATABASE_DIRECT_URL" in result.stderr


def test_an_unknown_pooler_is_refused() -> None:
    result = databases(DATABASE_POOLER="pgpool")
    assert result.returncode != 0
    assert "DATABASE_POOLER='pgpool'" in result.stderr


def test_a_pooler_on_the_direct_connection_is_refused() -> None:
    # the session advisory locks need one server session: no transaction pooler there
    result = databases(
        DATABASE_URL="postgres://app@pgbouncer.internal:6432/billing",
        DATABASE_POOLER="pgbouncer",
        DATABASE_DIRECT_URL="postgres://app@pgbouncer.internal:6432/billing",
        DATABASE_DIRECT_POOLER="pgbouncer",
    )
    assert result.returncode != 0
    assert "DATABASE_DIRECT_POOLER" in result.stderr
