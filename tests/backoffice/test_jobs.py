"""Progress of long work (core/jobs.py): counts written by several advancers add up, a failure
is recorded and raised again, the billing run, the usage backfill and re-rating leave their jobs
with the right counts, the commands print plain progress lines when not on a terminal, the
admin's page of jobs (progress bars, refresh while running, permission) and the REST API."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from billing.services import api_key_create
from core.audit import CLOCK
from core.jobs import job_attach, job_create, job_start_shared, jobs_fail_stalled, tracked
from core.models import Job, JobStatus
from invoicing.models import Invoice
from invoicing.services import subscriptions_bill_chunk
from invoicing.tasks import subscriptions_bill_task
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import metric
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_invoices import FEB, workload_customer, workload_plan

BILL_AT = "2026-02-01T00:05:00Z"


def job_of(kind: str) -> Job:
    return Job.objects.get(kind=kind)


# ------------------------------------------------------------------------------- the counting


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_advancers_add_up() -> None:
    job = job_start_shared(kind="test", label="two workers", actor="tests", total=1000)
    barrier = threading.Barrier(2)
    problems: list[BaseException] = []

    def worker(failures_every: int) -> None:
        try:
            progress = job_attach(job.pk)
            barrier.wait()
            for i in range(500):
                failed = 1 if i % failures_every == 0 else 0
                progress.advance(
                    1, failed=failed, error=f"w{failures_every} item {i}" if failed else None
                )
                progress.flush()  # a statement each time: the two sessions' updates interleave
        except BaseException as exc:
            problems.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in (10, 25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    job.refresh_from_db()
    # 500 + 500 items; failures: 50 (every 10th of 500) + 20 (every 25th of 500)
    assert (job.done, job.failed, job.total) == (1000, 70, 1000)
    assert len(job.errors) == 50  # the first 50 kept, whoever wrote them
    # the write that brought done to the total finished the job, once
    assert job.status == JobStatus.SUCCEEDED
    assert job.finished_at is not None


@pytest.mark.django_db
def test_tracked_marks_the_job_failed_with_the_error_and_raises_it_again() -> None:
    handles: list[Any] = []

    def work() -> None:
        with tracked(kind="test", label="doomed", actor="tests", total=10) as progress:
            handles.append(progress)
            progress.advance(2)
            progress.advance(1, failed=1, error="item 3: bad row")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        work()
    progress = handles[0]
    job = Job.objects.get(pk=progress.job_id)
    assert job.status == JobStatus.FAILED
    assert (job.done, job.failed, job.total) == (3, 1, 10)
    assert job.errors == ["item 3: bad row", "RuntimeError: disk full"]
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.actor == "tests"


@pytest.mark.django_db
def test_tracked_finishes_keeps_the_first_50_errors_and_resumes_a_queued_job() -> None:
    queued = job_create(
        kind="test", label="queued work", actor="tests", params={"a": 1}, as_of=timezone.now()
    )
    assert (queued.status, queued.started_at) == (JobStatus.QUEUED, None)
    with tracked(kind="test", label="ignored", actor="x", job_id=queued.pk, total=60) as progress:
        for i in range(60):
            progress.advance(1, failed=1, error=f"error {i}")
    job = Job.objects.get(pk=queued.pk)
    assert (job.status, job.label, job.done, job.failed) == (
        JobStatus.SUCCEEDED,
        "queued work",
        60,
        60,
    )
    assert job.errors == [f"error {i}" for i in range(50)]
    assert job.params == {"a": 1}


@pytest.mark.django_db
def test_advance_writes_at_most_every_half_second_or_at_the_total(
    django_assert_num_queries: Any,
) -> None:
    with (
        time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False) as clock,
        tracked(kind="test", label="throttled", actor="tests", total=5000) as progress,
    ):
        with django_assert_num_queries(0):
            for _ in range(2000):  # the clock stands still: nothing written yet
                progress.advance(1)
        clock.shift(timedelta(seconds=0.6))
        with django_assert_num_queries(1):  # half a second on: one UPDATE, then none again
            for _ in range(1000):
                progress.advance(1, failed=1, error="e")
        # written at the first advance half a second on: the 2000 before and that one
        assert Job.objects.get(pk=progress.job_id).done == 2001
        with django_assert_num_queries(1):  # the total reached: written at once
            progress.advance(2000)
        assert Job.objects.get(pk=progress.job_id).done == 5000
        with django_assert_num_queries(1):  # finish: its status (nothing pending)
            progress.finish(result={"ok": True})
    job = Job.objects.get(pk=progress.job_id)
    assert (job.status, job.done, job.failed, job.result) == (
        JobStatus.SUCCEEDED,
        5000,
        1000,
        {"ok": True},
    )
    assert len(job.errors) == 50


STALLED_AFTER = {"running": {"default": 3600, "billing_run": 900}, "queued": {"default": 86400}}
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _status(*jobs: Job) -> list[str]:
    return [Job.objects.get(pk=job.pk).status for job in jobs]


@pytest.mark.django_db
def test_jobs_of_every_kind_that_stop_moving_are_marked_failed_after_their_kind_s_timeout(
    settings: Any, staff_client: Any
) -> None:
    """A billing run without progress for 900 s, any other running job for an hour, a queued one
    for a day (JOB_STALLED_AFTER_SECONDS): their work was lost (a worker killed, a hard time
    limit, a task lost by the broker). The pages stop reloading once none is left running."""
    settings.JOB_STALLED_AFTER_SECONDS = STALLED_AFTER
    with time_machine.travel(T0, tick=False) as clock:
        run = job_start_shared(kind="billing_run", label="run", actor="system:clock", total=5)
        job_attach(run.pk).advance(2)  # not flushed: the worker died
        reconcile = job_start_shared(kind="reconcile", label="rec", actor="cmd", total=10)
        rerate = job_start_shared(kind="rerate", label="rerate", actor="staff", total=4)
        export = job_create(kind="export", label="export", actor="staff", as_of=timezone.now())
        done = job_start_shared(kind="export", label="done", actor="staff", total=0)
        assert done.status == JobStatus.SUCCEEDED

        clock.move_to(T0 + timedelta(seconds=900))  # not yet more than 900 s
        assert jobs_fail_stalled() == 0
        clock.move_to(T0 + timedelta(minutes=50))
        moving = job_attach(rerate.pk, finish_at_total=False)
        moving.advance(1)
        moving.flush()  # the re-rating moves: its hour starts again
        assert jobs_fail_stalled() == 1
        assert _status(run, reconcile, rerate, export) == ["failed", "running", "running", "queued"]

        clock.move_to(T0 + timedelta(minutes=61))
        assert jobs_fail_stalled() == 1
        assert _status(reconcile, rerate, export) == ["failed", "running", "queued"]
        page = staff_client.get("/admin/core/job/").content.decode()
        assert '<meta http-equiv="refresh" content="5">' in page  # still running: reloads
        clock.move_to(T0 + timedelta(minutes=111))
        assert jobs_fail_stalled() == 1
        assert _status(rerate, export) == ["failed", "queued"]

        clock.move_to(T0 + timedelta(days=1, seconds=1))
        assert jobs_fail_stalled() == 1
        assert jobs_fail_stalled() == 0  # once
        assert _status(run, reconcile, rerate, export, done) == [
            "failed",
            "failed",
            "failed",
            "failed",
            "succeeded",
        ]
        failed = {job.kind: job for job in Job.objects.filter(status=JobStatus.FAILED)}
        assert failed["billing_run"].finished_at == T0 + timedelta(minutes=50)
        assert failed["billing_run"].done == 0  # what was never written stays unwritten
        assert failed["billing_run"].errors == [
            "no progress for 900 s: its work was lost (a worker killed or stopped by a time "
            "limit, or its task lost by the broker)"
        ]
        assert failed["rerate"].errors == [
            "no progress for 3600 s: its work was lost (a worker killed or stopped by a time "
            "limit, or its task lost by the broker)"
        ]
        assert failed["rerate"].done == 1
        assert failed["export"].errors == [
            "not started for 86400 s: its task was lost (by the broker, or with a worker)"
        ]
        assert failed["export"].finished_at == T0 + timedelta(days=1, seconds=1)
        # none runs any more: the pages stop reloading
        page = staff_client.get("/admin/core/job/").content.decode()
        assert "http-equiv" not in page
        detail = staff_client.get(f"/admin/core/job/{export.pk}/change/").content.decode()
        assert "http-equiv" not in detail
        assert "not started for 86400 s" in detail


@pytest.mark.django_db
def test_the_clock_s_tick_sweeps_stalled_jobs_of_every_kind(settings: Any) -> None:
    from invoicing.tasks import clock_tick_task

    settings.JOB_STALLED_AFTER_SECONDS = STALLED_AFTER
    with time_machine.travel(T0, tick=False) as clock:
        reconcile = job_start_shared(kind="reconcile", label="rec", actor="cmd", total=10)
        export = job_create(kind="export", label="export", actor="staff", as_of=timezone.now())
        clock.move_to(T0 + timedelta(hours=2))
        clock_tick_task.apply(kwargs={"as_of": (T0 + timedelta(hours=2)).isoformat()}).get()
        assert _status(reconcile, export) == ["failed", "queued"]


def test_the_default_timeouts_cover_every_kind() -> None:
    from django.conf import settings

    after = settings.JOB_STALLED_AFTER_SECONDS
    assert after["running"]["default"] == 3600
    assert after["running"]["billing_run"] == settings.BILLING_LEASE_SECONDS
    assert after["queued"]["default"] == 86400


# ------------------------------------------------------------------------- the billing run


@pytest.mark.django_db
def test_the_bill_command_leaves_a_succeeded_job_with_every_subscription_done() -> None:
    plan = workload_plan()
    for i in (1, 2, 3):
        workload_customer(i, plan)
    out, err = StringIO(), StringIO()
    call_command("bill", "--as-of", BILL_AT, stdout=out, stderr=err)
    assert Invoice.objects.filter(status="open").count() == 3  # billed for real
    job = job_of("billing_run")
    assert (job.status, job.total, job.done, job.failed) == (JobStatus.SUCCEEDED, 3, 3, 0)
    assert job.actor == "system:manage.py bill"
    assert job.result["subscriptions_due"] == 3
    assert job.result["finalized"] == 3
    assert f'"job": {job.pk}' in out.getvalue()  # stdout: the JSON summary, still one line
    # stderr is not a terminal: plain lines, the last one saying how it ended
    last = err.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(
        r"billing run as of 2026-02-01T00:05:00\+00:00 \(manage.py bill\): 3/3 \(100%\) "
        r"[0-9.]+ s, succeeded",
        last,
    ), last
    # a second run at the same instant finds nothing due: its job has nothing to do
    call_command("bill", "--as-of", BILL_AT, stdout=StringIO(), stderr=StringIO())
    again = Job.objects.filter(kind="billing_run").latest("id")
    assert (again.status, again.total, again.done) == (JobStatus.SUCCEEDED, 0, 0)


@pytest.mark.django_db
def test_a_chunk_task_advances_its_run_by_one_statement_after_the_chunk() -> None:
    plan = workload_plan()
    subs = [workload_customer(i, plan).subscriptions.get().pk for i in range(1, 13)]
    subscriptions_bill_chunk(subscription_ids=subs[:3], as_of=FEB, actor=CLOCK)  # warm caches
    with CaptureQueriesContext(connection) as plain:
        subscriptions_bill_chunk(subscription_ids=subs[3:6], as_of=FEB, actor=CLOCK)
    with CaptureQueriesContext(connection) as plain_again:  # billed already: 0 steps
        subscriptions_bill_chunk(subscription_ids=subs[3:6], as_of=FEB, actor=CLOCK)
    job = job_start_shared(kind="billing_run", label="run", actor=CLOCK.label, total=6)
    with CaptureQueriesContext(connection) as tracked_chunk:
        subscriptions_bill_task(subs[6:9], FEB.isoformat(), "", job.pk)
    # the same chunk, plus one UPDATE of the job (done = done + 3), after the chunk's COMMIT
    assert len(tracked_chunk.captured_queries) == len(plain.captured_queries) + 1
    assert tracked_chunk.captured_queries[-1]["sql"].lstrip().startswith("UPDATE core_job")
    job.refresh_from_db()
    assert (job.status, job.done) == (JobStatus.RUNNING, 3)
    # the same chunk delivered again (late acks, a worker lost, the broker's visibility
    # timeout): billed already, and not counted again (still one statement of the job's)
    with CaptureQueriesContext(connection) as redelivered:
        subscriptions_bill_task(subs[6:9], FEB.isoformat(), "", job.pk)
    assert len(redelivered.captured_queries) == len(plain_again.captured_queries) + 1
    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == (JobStatus.RUNNING, 3, 0)
    with CaptureQueriesContext(connection) as last_chunk:
        subscriptions_bill_task(subs[9:12], FEB.isoformat(), "", job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == (JobStatus.SUCCEEDED, 6, 0)
    # the last chunk's: its counts, then the job succeeded
    assert [q["sql"].split()[0] for q in last_chunk.captured_queries[-2:]] == ["UPDATE", "UPDATE"]
    assert Invoice.objects.filter(customer__subscriptions__in=subs[6:12]).count() == 6


@pytest.mark.django_db
def test_a_chunk_delivered_twice_counts_once_and_does_not_end_the_run_early() -> None:
    plan = workload_plan()
    subs = [workload_customer(i, plan).subscriptions.get().pk for i in range(1, 7)]
    job = job_start_shared(kind="billing_run", label="run", actor=CLOCK.label, total=6)
    subscriptions_bill_task(subs[:3], FEB.isoformat(), "", job.pk)
    subscriptions_bill_task(list(reversed(subs[:3])), FEB.isoformat(), "", job.pk)  # again
    job.refresh_from_db()
    assert (job.status, job.done, job.finished_at) == (JobStatus.RUNNING, 3, None)
    assert not Invoice.objects.filter(customer__subscriptions__in=subs[3:]).exists()
    subscriptions_bill_task(subs[3:], FEB.isoformat(), "", job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == (JobStatus.SUCCEEDED, 6, 0)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_clock_s_tick_runs_one_job_advanced_by_every_chunk_on_real_workers() -> None:
    from invoicing.tasks import clock_tick_task
    from tests.worker import celery_worker, wait_for

    plan = workload_plan()
    for i in range(1, 6):
        workload_customer(i, plan)
    with celery_worker(concurrency=2, settings={"BILLING_CHUNK_SIZE": "2"}) as worker:
        clock_tick_task.apply_async(kwargs={"as_of": BILL_AT}, queue=worker.queue)
        assert wait_for(
            lambda: Job.objects.filter(kind="billing_run", status=JobStatus.SUCCEEDED).exists()
        )
    job = job_of("billing_run")
    # 5 subscriptions in 3 chunks (2, 2, 1) on two worker processes: their counts add up
    assert (job.total, job.done, job.failed, job.actor) == (5, 5, 0, "system:clock")
    assert Invoice.objects.filter(status="open").count() == 5


# ------------------------------------------------------------------------ backfill, re-rating


@pytest.mark.django_db
def test_usage_backfill_prints_plain_progress_lines_and_its_job_counts_the_outcomes(
    tmp_path: Path,
) -> None:
    CustomerFactory(external_id="acme")
    metric("api_calls", aggregation="sum", field_name="calls")
    rows = ["event_id,customer,metric,event_time,calls"]
    for i in range(1, 21):
        customer = "ghost" if i % 5 == 0 else "acme"  # 4 unknown customers: rejected
        rows.append(f"b{i},{customer},api_calls,2026-03-{i:02d}T00:00:00Z,{i}")
    rows.append("b1,acme,api_calls,2026-03-01T00:00:00Z,1")  # a duplicate
    path = tmp_path / "events.csv"
    path.write_text("\n".join(rows) + "\n")
    out, err = StringIO(), StringIO()
    call_command("usage_backfill", str(path), "--batch", "3", stdout=out, stderr=err)
    assert out.getvalue().strip() == "accepted 16, duplicate 1, rejected 4"
    job = job_of("usage_backfill")
    assert (job.status, job.total, job.done, job.failed) == (JobStatus.SUCCEEDED, 21, 21, 4)
    assert job.result == {"accepted": 16, "duplicate": 1, "rejected": 4}
    assert job.errors[0].startswith("line 6: customer")  # line 6 of the file: b5 (ghost)
    lines = [
        line for line in err.getvalue().splitlines() if line.startswith("usage backfill events.csv")
    ]
    assert "\r" not in err.getvalue()  # not a terminal: no bar redrawn in place
    pattern = re.compile(r"usage backfill events.csv: (\d+)/21 \((\d+)%\)( \d+ failed,)? [0-9.]+ s")
    percents = [int(pattern.match(line).group(2)) for line in lines]  # type: ignore[union-attr]
    # batches of 3 lines: a line each time another 10% is done, then the final line
    assert len(lines) >= 6
    assert percents == sorted(percents)
    assert percents[-1] == 100
    assert len(set(percents)) == len(percents)
    assert lines[-1].endswith(", succeeded")
    assert "21/21 (100%) 4 failed," in lines[-1]


@pytest.mark.django_db
def test_a_terminal_gets_a_progress_bar() -> None:
    class Terminal(StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    with tracked(kind="test", label="on a terminal", actor="tests", total=4, echo=screen) as p:
        p.advance(4)
    assert "on a terminal: 100%" in screen.getvalue()
    assert "4/4" in screen.getvalue()
    assert "\r" in screen.getvalue()  # tqdm redraws its line


@pytest.mark.django_db
def test_re_rating_customers_over_the_api_is_a_job_counting_customers(api: APIClient) -> None:
    CustomerFactory(external_id="r1")
    CustomerFactory(external_id="r2")
    body = {
        "customers": ["r1", "r2"],
        "start": "2026-01-01T00:00:00Z",
        "end": "2026-02-01T00:00:00Z",
    }
    response = api.post("/api/v1/corrections/rerate/", body, format="json")
    assert response.status_code == 200, response.content
    job = job_of("rerate")
    assert (job.status, job.total, job.done, job.failed) == (JobStatus.SUCCEEDED, 2, 2, 0)
    assert job.result == {"corrections": 0}
    assert job.params["customers"] == ["r1", "r2"]
    # a refused request records no job
    bad = api.post("/api/v1/corrections/rerate/", {**body, "end": body["start"]}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "end"
    assert Job.objects.filter(kind="rerate").count() == 1


@pytest.mark.django_db
def test_the_reconcile_command_is_a_job() -> None:
    call_command(
        "reconcile",
        "--start",
        "2026-01-01",
        "--end",
        "2026-02-02",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    job = job_of("reconcile")
    assert (job.status, job.total, job.done) == (JobStatus.SUCCEEDED, 0, 0)
    assert job.result["mismatches"] == 0


# ---------------------------------------------------------------------------------- the admin


def running_job() -> Job:
    job = job_start_shared(
        kind="billing_run", label="billing run as of noon", actor="system:clock", total=200
    )
    progress = job_attach(job.pk)
    progress.advance(50, failed=2, error="subscription #7: ValueError: no price")
    progress.flush()
    return job


@pytest.mark.django_db
def test_the_admin_page_of_jobs_shows_a_progress_bar_and_reloads_while_one_runs(
    staff_client: Any,
) -> None:
    job = running_job()
    page = staff_client.get("/admin/core/job/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<progress class="job-progress job-running" value="50" max="200" title="25%">' in html
    assert '50 / 200 (25%), <span class="job-failed">2 failed</span>' in html
    assert '<meta http-equiv="refresh" content="5">' in html
    assert "backoffice/jobs.css" in html  # the bar's CSS from a static file (the CSP)
    assert "system:clock" in html
    assert "/admin/core/job/add/" not in html  # read only
    detail = staff_client.get(f"/admin/core/job/{job.pk}/change/").content.decode()
    assert "subscription #7: ValueError: no price" in detail
    assert '<meta http-equiv="refresh"' in detail
    # filters by kind and status
    assert staff_client.get("/admin/core/job/?status__exact=running").status_code == 200
    assert (
        "billing run as of noon"
        not in staff_client.get("/admin/core/job/?kind=usage_backfill").content.decode()
    )
    # once none runs, the page stops reloading
    last = job_attach(job.pk)
    last.advance(150)
    last.flush()
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    html = staff_client.get("/admin/core/job/").content.decode()
    assert "http-equiv" not in html
    assert '<progress class="job-progress job-succeeded" value="200" max="200"' in html


@pytest.mark.django_db
def test_staff_without_view_job_get_403_and_with_it_read_only(
    client: Any, django_user_model: Any
) -> None:
    running_job()
    user = django_user_model.objects.create_user(
        "clerk", "clerk@example.com", "pw-12345", is_staff=True
    )
    client.force_login(user)
    assert client.get("/admin/core/job/").status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_job"))
    client.force_login(django_user_model.objects.get(pk=user.pk))
    assert client.get("/admin/core/job/").status_code == 200
    job = Job.objects.get()
    assert client.post(f"/admin/core/job/{job.pk}/delete/").status_code == 403


# ------------------------------------------------------------------------------------ the API


@pytest.mark.django_db
def test_the_jobs_api_lists_filters_and_shows_a_job(api: APIClient) -> None:
    job = running_job()
    with tracked(
        kind="usage_backfill", label="backfill", actor="system:usage_backfill", total=4
    ) as p:
        p.advance(4, failed=1, error="line 3: customer: unknown")
    listed = api.get("/api/v1/jobs/")
    assert listed.status_code == 200
    assert [row["kind"] for row in listed.json()["results"]] == ["usage_backfill", "billing_run"]
    running = api.get("/api/v1/jobs/", {"status": "running"}).json()["results"]
    assert [row["id"] for row in running] == [job.pk]
    assert running[0]["percent"] == 25
    assert running[0]["done"] == 50
    assert running[0]["failed"] == 2
    by_kind = api.get("/api/v1/jobs/", {"kind": "usage_backfill"}).json()["results"]
    assert [row["id"] for row in by_kind] == [p.job_id]
    started = datetime(2026, 2, 1, 9, tzinfo=UTC)  # the run's instants, set: its duration exact
    Job.objects.filter(pk=p.job_id).update(
        started_at=started, finished_at=started + timedelta(seconds=90, milliseconds=500)
    )
    detail = api.get(f"/api/v1/jobs/{p.job_id}/").json()
    assert detail["status"] == "succeeded"
    assert (detail["total"], detail["done"], detail["failed"], detail["percent"]) == (4, 4, 1, 100)
    assert detail["errors"] == ["line 3: customer: unknown"]
    assert detail["duration_seconds"] == 90.5
    assert api.get("/api/v1/jobs/999999/").status_code == 404
    assert api.get("/api/v1/jobs/", {"status": "bogus"}).status_code == 400


@pytest.mark.django_db
def test_the_jobs_api_takes_reports_read_keys_and_refuses_others() -> None:
    running_job()
    _, reports = api_key_create(
        name="r", actor=TEST_ACTOR, as_of=timezone.now(), scopes=["reports:read"]
    )
    _, other = api_key_create(
        name="c", actor=TEST_ACTOR, as_of=timezone.now(), scopes=["customers:read"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {reports}")
    assert client.get("/api/v1/jobs/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {other}")
    assert client.get("/api/v1/jobs/").status_code == 403
