"""Finance staff watch long work in Chromium: the page of jobs shows a running billing run's
progress bar (50 of 200, 25%), a finished backfill's and a failed reconciliation's, and reloads
itself while the run goes on; the page passes the CSP (its CSS is a static file) and fits a
1440-px screen."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from core.jobs import job_attach, job_start_shared, tracked
from core.models import Job
from tests.conftest import CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[2]
RECONCILE = "reconciliation 2026-01-01..2026-02-01"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def finish_run(job_id: int) -> None:
    try:
        more = job_attach(job_id)
        more.advance(150)
        more.flush()
    finally:
        connection.close()


def test_the_page_of_jobs_shows_progress_and_follows_a_running_job(
    live_server: Any, django_user_model: Any
) -> None:
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-9")
    with tracked(
        kind="usage_backfill",
        label="usage backfill march.csv",
        actor="system:usage_backfill",
        total=1000,
    ) as p:
        p.advance(1000, failed=3, error="line 17: customer: no customer 'ghost'")

    def reconcile_that_fails() -> None:
        with tracked(kind="reconcile", label=RECONCILE, actor="system:clock") as failing:
            failing.advance(40)
            raise RuntimeError("database connection lost")

    with pytest.raises(RuntimeError):
        reconcile_that_fails()
    run = job_start_shared(
        kind="billing_run", label="billing run as of 2026-02-01T00:05:00+00:00",
        actor="system:clock", total=200,
    )  # fmt: skip
    chunk = job_attach(run.pk)
    chunk.advance(50, failed=1, error="subscription #7: ValueError: no price in force")
    chunk.flush()

    from playwright.sync_api import sync_playwright

    violations: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.on(
            "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
        )
        page.goto(f"{live_server.url}/admin/login/?next=/admin/core/job/")
        page.fill("#id_username", "finance")
        page.fill("#id_password", "pw-for-e2e-9")
        page.click("input[type=submit]")
        page.wait_for_selector("progress.job-progress")
        bars = page.eval_on_selector_all(
            "progress.job-progress", "els => els.map(e => [e.value, e.max, e.className])"
        )
        refresh = page.eval_on_selector_all("meta[http-equiv=refresh]", "els => els.length")
        bar_width = page.eval_on_selector(
            "progress.job-progress", "e => e.getBoundingClientRect().width"
        )
        width = page.evaluate("document.documentElement.scrollWidth")
        # the table itself fits too (Django's results box would scroll it sideways)
        overflow = page.evaluate(
            "(() => { const r = document.querySelector('#changelist .results');"
            " return r.scrollWidth - r.clientWidth; })()"
        )
        page.screenshot(path=str(ROOT / ".data" / "e2e-jobs.png"), full_page=True)
        # the run moves on (a worker: another thread, its own connection): the page shows it
        # after its own reload, without a click
        worker = threading.Thread(target=finish_run, args=(run.pk,))
        worker.start()
        worker.join()
        page.wait_for_selector("progress.job-succeeded[value='200']", timeout=20_000)
        after = page.eval_on_selector_all("meta[http-equiv=refresh]", "els => els.length")
        page.click(f"text={RECONCILE}")
        detail = page.inner_text("#content")
        browser.close()

    assert Job.objects.get(pk=run.pk).done == 200
    # running first, then the most recent
    assert bars[0] == [50, 200, "job-progress job-running"]
    assert [1000, 1000, "job-progress job-succeeded"] in bars
    assert refresh == 1
    assert after == 0  # nothing runs any more: it stops reloading
    assert bar_width > 100  # the static CSS applied (10em), not a browser default blocked
    assert width <= 1440
    assert overflow <= 0
    assert violations == []
    assert "RuntimeError: database connection lost" in detail
