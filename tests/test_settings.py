"""Settings: safe production defaults, and `check --deploy` clean with production variables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k8Jd2-production-like-secret-9f8a7s6d5f4g3h2j1k0l-zxcvbnmqwertyuiop",
    "ALLOWED_HOSTS": "billing.example.com",
    "EMAIL_URL": "smtp+tls://billing:secret@smtp.example.com:587",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    ours = ("DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "STATIC_MANIFEST")
    base = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = manage("check", env={"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_only_postgresql_is_accepted() -> None:
    result = manage("check", env={**PRODUCTION, "DATABASE_URL": "sqlite:////tmp/x.db"})
    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr


def test_debug_off_is_the_default() -> None:
    from django.conf import settings

    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE
    assert settings.CSRF_COOKIE_SECURE
    assert settings.SECURE_HSTS_SECONDS >= 31536000


def test_a_company_time_zone_that_does_not_exist_is_refused() -> None:
    result = manage("check", env={**PRODUCTION, "COMPANY_TIME_ZONE": "Mars/Olympus"})
    assert result.returncode != 0
    assert "COMPANY_TIME_ZONE 'Mars/Olympus' is not an IANA time zone" in result.stderr
