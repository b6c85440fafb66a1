"""The README's ten-line receiver, run as an integrator would run it (its own process, the code
taken from the README as written): it accepts a delivered event, and refuses a tampered body and a
correctly signed request whose timestamp is older than five minutes."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from integrations.models import WebhookAttempt, WebhookDelivery
from integrations.webhook_services import webhook_endpoint_create
from tests.integrations import webhook_helpers as h
from tests.integrations.webhook_helpers import STAFF, dispatch, events, send_all

loopback, only_webhooks = h.loopback, h.only_webhooks
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_webhooks", "loopback")]

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_receiver() -> str:
    text = README.read_text()
    section = text.split("**A receiver** that verifies the signature", 1)[1]
    lines = []
    for line in section.split("\n")[2:]:
        if line and not line.startswith("    "):
            break
        lines.append(line[4:])
    code = "\n".join(lines).strip() + "\n"
    assert "hook.verify(" in code
    assert "serve_forever()" in code
    return code


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def readme_server(tmp_path: Path) -> Any:
    code = readme_receiver()
    port = free_port()
    code = re.sub(r'HTTPServer\(\("", 8000\)', f'HTTPServer(("127.0.0.1", {port})', code)
    assert str(port) in code, "the README's receiver listens on port 8000"
    script = tmp_path / "receiver.py"
    script.write_text(code)
    return script, port


def start(script: Path, port: int, secret: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-u", str(script)],
        env={**os.environ, "WEBHOOK_SECRET": secret},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("the README's receiver did not start")


def test_the_readmes_receiver_verifies_deliveries_and_refuses_old_timestamps(
    readme_server: Any,
) -> None:
    script, port = readme_server
    url = f"http://127.0.0.1:{port}/hooks"
    endpoint, secret = webhook_endpoint_create(
        url=url, description="readme", event_types=["customer.updated"],
        as_of=timezone.now(), actor=STAFF,
    )  # fmt: skip
    proc = start(script, port, secret)
    try:
        [event] = events(("customer", "c1"), payload={"name": "Acme"})
        dispatch()
        send_all()
        [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
        assert delivery.status == "succeeded"
        [attempt] = WebhookAttempt.objects.filter(delivery=delivery)
        assert attempt.status_code == 204

        body = b'{"id": "evt_x", "type": "customer.updated", "data": {}}'
        signer = Webhook(secret)
        now = int(time.time())

        def post(timestamp: int, payload: bytes, signed: bytes | None = None) -> int:
            at = datetime.fromtimestamp(timestamp, tz=UTC)
            signature = signer.sign("evt_x", at, (signed or payload).decode())
            headers = {
                "webhook-id": "evt_x",
                "webhook-timestamp": str(timestamp),
                "webhook-signature": signature,
                "content-type": "application/json",
            }
            return httpx.post(url, content=payload, headers=headers, timeout=5).status_code

        assert post(now, body) == 204
        assert post(now - 6 * 60, body) == 400  # older than five minutes: refused
        assert post(now, body.replace(b"{}", b'{"x": 1}'), signed=body) == 400  # tampered
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    printed = out.split()
    assert f"evt_{event.pk}" in printed
    assert "customer.updated" in printed
