"""Accounting exports and general ledger codes over the REST API and in the admin: validation
(400 on the field), permissions (staff model permissions, API key scopes), the download streamed,
the admin's add form, list, download and the GL codes' pages."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.http import FileResponse
from django.utils import timezone
from rest_framework.test import APIClient

from backoffice.models import Export, GlAccountCode
from backoffice.services.exports import export_run
from billing.models import JournalEvent
from billing.services import api_key_create
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import a_customer, open_invoice

NOW = datetime(2026, 4, 2, 9, tzinfo=UTC)
BODY = {"kind": "invoices", "format": "csv", "period_start": "2026-03-01",
        "period_end": "2026-03-31"}  # fmt: skip


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def key_client(*scopes: str) -> APIClient:
    _, secret = api_key_create(name="k", scopes=scopes, actor=ACTOR, as_of=timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def staff_with(django_user_model: Any, *codenames: str) -> Any:
    name = f"clerk{django_user_model.objects.count()}"
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = APIClient()
    client.force_login(user)
    return client


def errors(response: Any) -> list[tuple[str | None, str]]:
    return [(e.get("field"), e["code"]) for e in response.json()["errors"]]


@pytest.fixture
def invoices(db: None) -> None:
    acme = a_customer(name="Acme", external_id="acme")
    open_invoice(acme, "100.00", datetime(2026, 3, 2, tzinfo=UTC))
    open_invoice(acme, "0.50", datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC))


def test_create_follow_and_download_an_export(api: APIClient, invoices: None) -> None:
    created = api.post("/api/v1/exports/", {**BODY, "currency": "usd"}, format="json")
    assert created.status_code == 202, created.json()
    body = created.json()
    assert (body["kind"], body["currency"], body["status"], body["download_url"]) == (
        "invoices", "USD", "queued", None,
    )  # fmt: skip
    waiting = api.get(f"/api/v1/exports/{body['id']}/download/")
    assert (waiting.status_code, waiting["Retry-After"]) == (409, "5")
    assert errors(waiting) == [(None, "export_not_ready")]

    export_run(export_id=body["id"], clock=lambda: NOW, actor=ACTOR)
    done = api.get(f"/api/v1/exports/{body['id']}/").json()
    assert (done["status"], done["rows"], done["job"]["done"], done["job"]["total"]) == (
        "succeeded", 2, 2, 2,
    )  # fmt: skip
    assert done["totals"] == {
        "USD": {"Net": "100.50", "Tax": "0.00", "Total": "100.50", "Credit applied": "0.00",
                "Amount due (at export)": "100.50"}
    }  # fmt: skip
    download = api.get(done["download_url"])
    assert download.status_code == 200
    assert isinstance(download, FileResponse)
    assert download.streaming
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert "invoices-2026-03-01-2026-03-31-USD.csv" in download["Content-Disposition"]
    text = b"".join(download.streaming_content).decode()  # type: ignore[arg-type]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Total"] for r in rows] == ["100.00", "0.50"]
    listed = api.get("/api/v1/exports/?kind=invoices&file_format=csv").json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]
    assert api.get("/api/v1/exports/?kind=ledger").json()["results"] == []


@pytest.mark.django_db
def test_bad_requests_are_400_on_their_field(api: APIClient) -> None:
    for change, field in [
        ({"period_end": "2026-02-28"}, "period_end"),  # to before from
        ({"kind": "journal"}, "kind"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "US"}, "currency"),
        ({"format": "pdf"}, "format"),
        ({"period_start": "2026-02-30"}, "period_start"),
    ]:
        response = api.post("/api/v1/exports/", {**BODY, **change}, format="json")
        assert response.status_code == 400, (change, response.json())
        assert [f for f, _ in errors(response)] == [field], response.json()
    unknown = api.post("/api/v1/exports/", {**BODY, "bogus": 1}, format="json")
    assert errors(unknown) == [("bogus", "unknown_field")]
    assert not Export.objects.exists()
    assert api.get("/api/v1/exports/12345/").status_code == 404


@pytest.mark.django_db
def test_scopes_of_api_keys() -> None:
    reader = key_client("reports:read")
    assert reader.get("/api/v1/exports/").status_code == 200
    assert reader.get("/api/v1/gl-account-codes/").status_code == 200
    refused = reader.post("/api/v1/exports/", BODY, format="json")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["required_scope"] == "reports:write"
    assert (
        key_client("reports:write").post("/api/v1/exports/", BODY, format="json").status_code == 202
    )
    other = key_client("invoices:read")
    assert other.get("/api/v1/exports/").status_code == 403
    assert other.get("/api/v1/exports/1/download/").status_code == 403


def test_staff_need_the_export_permissions(django_user_model: Any, invoices: None) -> None:
    nobody = staff_with(django_user_model)
    assert nobody.get("/api/v1/exports/").status_code == 403
    viewer = staff_with(django_user_model, "view_export")
    assert viewer.post("/api/v1/exports/", BODY, format="json").status_code == 403
    maker = key_client("full")
    export_id = maker.post("/api/v1/exports/", BODY, format="json").json()["id"]
    export_run(export_id=export_id, clock=lambda: NOW, actor=ACTOR)
    download = viewer.get(f"/api/v1/exports/{export_id}/download/")
    assert (download.status_code, download.streaming) == (200, True)
    # the same user through the admin: the list and the file, but no add form
    admin_viewer = django_user_model.objects.get(username="clerk1")
    from django.test import Client

    browser = Client()
    browser.force_login(admin_viewer)
    assert browser.get("/admin/backoffice/export/").status_code == 200
    assert browser.get("/admin/backoffice/export/add/").status_code == 403
    file = browser.get(f"/admin/backoffice/export/{export_id}/download/")
    assert (file.status_code, file.streaming) == (200, True)
    admin_viewer.user_permissions.clear()
    assert browser.get(f"/admin/backoffice/export/{export_id}/download/").status_code == 403


@pytest.mark.django_db
def test_gl_codes_over_the_api(api: APIClient) -> None:
    created = api.post(
        "/api/v1/gl-account-codes/", {"account": "revenue", "code": "4000", "name": "Sales"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["account_label"] == "Revenue"
    again = api.post(
        "/api/v1/gl-account-codes/", {"account": "revenue", "code": "1"}, format="json"
    )
    assert (again.status_code, errors(again)) == (409, [("account", "already_mapped")])
    bad = api.post("/api/v1/gl-account-codes/", {"account": "sales", "code": "1"}, format="json")
    assert (bad.status_code, [f for f, _ in errors(bad)]) == (400, ["account"])
    blank = api.patch(f"/api/v1/gl-account-codes/{pk}/", {"code": " "}, format="json")
    assert (blank.status_code, [f for f, _ in errors(blank)]) == (400, ["code"])
    changed = api.patch(f"/api/v1/gl-account-codes/{pk}/", {"name": "Revenue"}, format="json")
    assert (changed.json()["code"], changed.json()["name"]) == ("4000", "Revenue")
    assert [m["code"] for m in api.get("/api/v1/gl-account-codes/").json()["results"]] == ["4000"]
    assert api.delete(f"/api/v1/gl-account-codes/{pk}/").status_code == 204
    assert api.delete(f"/api/v1/gl-account-codes/{pk}/").status_code == 404
    assert list(
        JournalEvent.objects.filter(subject_type="gl_account_code").values_list("type", flat=True)
    ) == ["gl_account_code.created", "gl_account_code.updated", "gl_account_code.deleted"]


def test_admin_add_form_list_and_download(staff_client: Any, invoices: None) -> None:
    form = staff_client.get("/admin/backoffice/export/add/")
    assert form.status_code == 200
    assert b'name="period_start"' in form.content
    bad = staff_client.post("/admin/backoffice/export/add/", {
        "kind": "invoices", "format": "csv", "period_start": "2026-03-31",
        "period_end": "2026-03-01", "currency": "",
    })  # fmt: skip
    assert bad.status_code == 200
    assert bad.context["adminform"].form.errors == {
        "period_end": ["The period ends (2026-03-01) before it starts (2026-03-31)."]
    }
    bad_currency = staff_client.post("/admin/backoffice/export/add/", {
        "kind": "invoices", "format": "csv", "period_start": "2026-03-01",
        "period_end": "2026-03-31", "currency": "XYZ",
    })  # fmt: skip
    assert list(bad_currency.context["adminform"].form.errors) == ["currency"]
    assert not Export.objects.exists()
    added = staff_client.post("/admin/backoffice/export/add/", {
        "kind": "invoices", "format": "xlsx", "period_start": "2026-03-01",
        "period_end": "2026-03-31", "currency": "",
    })  # fmt: skip
    assert added.status_code == 302
    export = Export.objects.get()
    listing = staff_client.get("/admin/backoffice/export/")
    assert b'http-equiv="refresh"' in listing.content  # queued: the list refreshes itself
    export_run(export_id=export.pk, clock=lambda: NOW, actor=ACTOR)
    listing = staff_client.get("/admin/backoffice/export/")
    html = listing.content.decode()
    assert 'http-equiv="refresh"' not in html
    assert '<progress value="2" max="2">' in html
    assert "invoices-2026-03-01-2026-03-31.xlsx" in html
    assert staff_client.get(f"/admin/backoffice/export/{export.pk}/change/").status_code == 200
    file = staff_client.get(f"/admin/backoffice/export/{export.pk}/download/")
    assert file.streaming
    assert file["Content-Type"].startswith("application/vnd.openxmlformats")


def test_admin_gl_codes_map_change_and_remove(staff_client: Any, db: None) -> None:
    listing = staff_client.get("/admin/backoffice/glaccountcode/")
    assert "Not mapped yet" in listing.content.decode()
    added = staff_client.post("/admin/backoffice/glaccountcode/add/",
                              {"account": "cash", "code": "1000", "name": "Bank"})  # fmt: skip
    assert added.status_code == 302
    mapping = GlAccountCode.objects.get()
    twice = staff_client.post("/admin/backoffice/glaccountcode/add/",
                              {"account": "cash", "code": "1001"})  # fmt: skip
    assert twice.status_code == 200
    assert "account" in str(twice.context["adminform"].form.errors)
    changed = staff_client.post(f"/admin/backoffice/glaccountcode/{mapping.pk}/change/",
                                {"code": "1010", "name": "Bank"})  # fmt: skip
    assert changed.status_code == 302
    mapping.refresh_from_db()
    assert mapping.code == "1010"
    removed = staff_client.post("/admin/backoffice/glaccountcode/", {
        "action": "remove_mappings", "_selected_action": [mapping.pk],
    })  # fmt: skip
    assert removed.status_code == 302
    assert not GlAccountCode.objects.exists()


def test_the_list_filters_by_file_format_and_format_is_a_clear_400(
    api: APIClient, invoices: None
) -> None:
    """`?format=` is DRF's renderer override (URL_FORMAT_OVERRIDE): the filter is `file_format`.
    `?format=xlsx` or `?format=csv` is answered 400 naming `format` and pointing to
    `file_format`, not a 404 from the content negotiation."""
    ids = {
        fmt: api.post("/api/v1/exports/", {**BODY, "format": fmt}, format="json").json()["id"]
        for fmt in ("csv", "xlsx")
    }
    xlsx = api.get("/api/v1/exports/?file_format=xlsx")
    assert xlsx.status_code == 200, xlsx.json()
    assert [e["id"] for e in xlsx.json()["results"]] == [ids["xlsx"]]
    both = api.get("/api/v1/exports/?kind=invoices&file_format=csv").json()["results"]
    assert [e["id"] for e in both] == [ids["csv"]]
    bad = api.get("/api/v1/exports/?file_format=pdf")
    assert (bad.status_code, [f for f, _ in errors(bad)]) == (400, ["file_format"])
    for value in ("xlsx", "csv"):
        misused = api.get(f"/api/v1/exports/?format={value}")
        assert misused.status_code == 400, misused.content
        assert [f for f, _ in errors(misused)] == ["format"]
        assert "file_format" in misused.json()["errors"][0]["message"]
    # the renderer's own value is not a documented parameter either (as everywhere in the API)
    as_json = api.get("/api/v1/exports/?format=json")
    assert (as_json.status_code, errors(as_json)) == (400, [("format", "unknown_parameter")])


def test_a_failed_export_answers_409_export_failed(
    api: APIClient, invoices: None, settings: Any, tmp_path: Path
) -> None:
    """Writing failed (MEDIA_ROOT under a file): the export says `failed`, with the error in
    the job's messages, no download_url, and the download is a 409 `export_failed`."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file")
    settings.MEDIA_ROOT = blocker / "media"
    export_id = api.post("/api/v1/exports/", BODY, format="json").json()["id"]
    with pytest.raises(OSError, match="Not a directory"):
        export_run(export_id=export_id, clock=lambda: NOW, actor=ACTOR)
    body = api.get(f"/api/v1/exports/{export_id}/").json()
    assert (body["status"], body["download_url"], body["rows"]) == ("failed", None, None)
    assert "Not a directory" in " ".join(body["job"]["messages"])
    download = api.get(f"/api/v1/exports/{export_id}/download/")
    assert (download.status_code, errors(download)) == (409, [(None, "export_failed")])


def test_the_schema_of_exports_and_gl_codes() -> None:
    """`status` is an enum of the job's statuses; the list's filter is `file_format`; the
    mappings' PATCH does not promise an Idempotency-Key it would ignore (POST honours it)."""
    from drf_spectacular.generators import SchemaGenerator

    spec: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
    export_out = spec["components"]["schemas"]["ExportOut"]["properties"]["status"]
    status_ref = export_out.get("$ref") or export_out.get("allOf", [{}])[0].get("$ref", "")
    enum = (
        spec["components"]["schemas"][status_ref.rsplit("/", 1)[-1]]["enum"]
        if status_ref
        else export_out["enum"]
    )
    assert set(enum) == {"queued", "running", "succeeded", "failed"}
    listing = spec["paths"]["/api/v1/exports/"]["get"]["parameters"]
    assert {"file_format", "kind"} <= {p["name"] for p in listing}
    assert "format" not in {p["name"] for p in listing}
    patch = spec["paths"]["/api/v1/gl-account-codes/{id}/"]["patch"]
    assert "Idempotency-Key" not in {p["name"] for p in patch.get("parameters", [])}
    post = spec["paths"]["/api/v1/gl-account-codes/"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in post.get("parameters", [])}
