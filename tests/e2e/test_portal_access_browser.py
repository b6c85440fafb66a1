"""Getting into the portal in Chromium: an integrator's portal session link opens the overview
and sign-out goes back to the integrator; a portal user asks for a magic link on the sign-in
page, a real Celery worker e-mails it (the e-mail queue) to an SMTP server on loopback, the link
read from the e-mail signs in; opened again, it is refused. Screenshots:
.data/e2e-portal-access-*.png."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from portal.services import portal_session_create, portal_user_invite
from portal.services.access import link_path
from tests.billing.factories import CustomerFactory
from tests.conftest import CHROMIUM_ARGS, TEST_ACTOR, require_chromium
from tests.notifications.helpers import subject_of, text_of
from tests.notifications.smtp import Mailbox, smtp_server  # noqa: F401 (a fixture)
from tests.worker import celery_worker, wait_for

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / ".data"
pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"e2e-portal-access-{name}.png"), full_page=True)


def test_session_link_sign_out_and_magic_link_in_chromium(
    live_server: Any,
    smtp_server: Mailbox,  # noqa: F811 (the fixture)
    settings: Any,
) -> None:
    chromium = require_chromium()
    queue = f"test-portal-{uuid.uuid4().hex[:10]}"
    settings.CELERY_EMAIL_QUEUE = queue  # the e-mails the live server queues go to our worker
    acme = CustomerFactory(name="Acme Portal Test", locale="en-US")
    back = f"{live_server.url}/healthz"
    _, token = portal_session_create(
        customer_id=acme.pk, return_url=back, as_of=timezone.now(), actor=TEST_ACTOR
    )
    env = {"CELERY_QUEUE": queue, "CELERY_EMAIL_QUEUE": queue,
           "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}", "EMAIL_TIMEOUT": "5"}  # fmt: skip
    with celery_worker(concurrency=1, queue=queue, settings=env):
        portal_user_invite(
            customer_id=acme.pk, email="ada@acme.test", name="Ada", base_url=live_server.url,
            as_of=timezone.now(), actor=TEST_ACTOR,
        )  # fmt: skip
        assert wait_for(lambda: len(smtp_server.messages) == 1, timeout=60)
        assert subject_of(smtp_server.messages[0]).startswith("You are invited")
        smtp_server.clear()

        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page()
            # 1. the integrator's link: the overview, then sign out back to the integrator
            page.goto(live_server.url + link_path(token))
            page.wait_for_selector("text=Acme Portal Test")
            assert page.url == f"{live_server.url}/portal/"
            shot(page, "overview")
            page.click("text=Sign out")
            page.wait_for_url(back)
            page.goto(live_server.url + "/portal/")
            page.wait_for_selector("#session-ended")
            assert "/portal/login/" in page.url
            # the link again: refused
            refused = page.goto(live_server.url + link_path(token))
            assert refused is not None
            assert refused.status == 410
            assert "already used" in page.inner_text("#refusal")
            shot(page, "refused")

            # 2. the magic link: asked for on the sign-in page, read from the e-mail
            page.goto(live_server.url + "/portal/login/")
            shot(page, "login")
            page.get_by_label("E-mail address").fill("ada@acme.test")
            page.click("button[type=submit]")
            page.wait_for_selector("#login-sent")
            shot(page, "login-sent")
            assert wait_for(lambda: len(smtp_server.messages) == 1, timeout=60)
            mail = smtp_server.messages[0]
            assert (
                subject_of(mail) == "Your sign-in link for the billing portal of Acme Portal Test"
            )
            found = re.search(r"(http://\S+/portal/login/[A-Za-z0-9_\-]+/)", text_of(mail))
            assert found, text_of(mail)
            page.goto(found.group(1))
            page.wait_for_selector("#continue")
            shot(page, "continue")
            page.click("#continue")
            page.wait_for_selector("text=Acme Portal Test")
            assert page.url == f"{live_server.url}/portal/"
            shot(page, "signed-in")
            page.click("text=Sign out")
            page.wait_for_selector("#signed-out")
            again = page.goto(found.group(1))
            assert again is not None
            assert again.status == 410
            browser.close()
