"""The demo data set of `make run`. Idempotent: running it again changes nothing."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from backoffice.roles import FINANCE_MANAGER, FINANCE_VIEWER, SUPPORT
from billing.models import ApiKey, Customer
from billing.services import (
    api_key_create,
    customer_create,
    subscription_create,
    usage_ingest,
)
from billing.services.apikeys import DEMO_API_KEY
from catalog import services as catalog
from catalog.models import AddOn, BillableMetric, Coupon, Feature, Plan, Product, TaxRate
from core.audit import Actor

DEMO_ADMIN = ("admin", "admin")
# staff in one role each (backoffice/roles.py), password = username: the demo only, as admin/admin
DEMO_STAFF = (("manager", FINANCE_MANAGER), ("viewer", FINANCE_VIEWER), ("support", SUPPORT))
DEMO_PORTAL_USER = "ada@acme.example"  # Acme's portal user (magic link at /portal/login/)
DEMO_CUSTOMERS: list[dict[str, Any]] = [
    {
        "external_id": "acme",
        "name": "Acme Corporation",
        "email": "ap@acme.example",
        "currency": "USD",
        "timezone": "America/New_York",
        "locale": "en-US",
        "address_line1": "1 Acme Way",
        "city": "New York",
        "postal_code": "10001",
        "state": "NY",
        "country": "US",
        "payment_terms_days": 30,
    },
    {
        "external_id": "globex",
        "name": "Globex GmbH",
        "email": "rechnungen@globex.example",
        "currency": "EUR",
        "timezone": "Europe/Berlin",
        "locale": "de-DE",
        "address_line1": "Hauptstraße 5",
        "city": "Berlin",
        "postal_code": "10115",
        "country": "DE",
        "payment_terms_days": 14,
        "invoice_grace_period_days": 3,
        "auto_collection": False,  # pays by bank transfer: finance records its payments
    },
    {
        "external_id": "initech",
        "name": "Initech KK",
        "email": "billing@initech.example",
        "currency": "JPY",
        "timezone": "Asia/Tokyo",
        "locale": "ja-JP",
        "city": "Tokyo",
        "country": "JP",
    },
    {
        "external_id": "umbrella",
        "name": "Umbrella Trading WLL",
        "email": "finance@umbrella.example",
        "currency": "KWD",
        "timezone": "Asia/Kuwait",
        "locale": "ar-KW",
        "city": "Kuwait City",
        "country": "KW",
    },
    {
        "external_id": "hooli",
        "name": "Hooli Pty Ltd",
        "email": "accounts@hooli.example",
        "currency": "AUD",
        "timezone": "Australia/Sydney",
        "locale": "en-AU",
        "city": "Sydney",
        "country": "AU",
        "metadata": {"segment": "enterprise"},
    },
]


class Command(BaseCommand):
    help = (
        "Load the demo data set (admin login, an API key, customers). Safe to run again. "
        "Development only: refused unless DEBUG is on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="run with DEBUG off (a staging or test machine): it creates admin/admin",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["not_production"]:
            raise CommandError(
                "seed_demo creates the login admin/admin and a published API key: it runs only "
                "with DEBUG on (make run). On a machine that is not production, pass "
                "--i-know-this-is-not-production."
            )
        actor = Actor.system("seed_demo")
        now = timezone.now()
        user_model = get_user_model()
        username, password = DEMO_ADMIN
        if not user_model.objects.filter(username=username).exists():
            user_model.objects.create_superuser(username, "admin@example.com", password)
            self.stdout.write(f"created superuser {username}")
        self._staff()
        if not ApiKey.objects.filter(prefix=DEMO_API_KEY.split("_")[1]).exists():
            api_key_create(name="demo", actor=actor, as_of=now, raw_key=DEMO_API_KEY)
            self.stdout.write("created the demo API key")
        created = 0
        for data in DEMO_CUSTOMERS:
            if not Customer.objects.filter(external_id=data["external_id"]).exists():
                customer_create(actor=actor, as_of=now, data=data, reason="demo data set")
                created += 1
        self._catalog(actor, now)
        self._extras(actor, now)
        self._subscriptions(actor, now)
        self._payment_methods(actor, now)
        self._overdue(actor, now)
        self._payouts(actor, now)
        self._portal_user(actor, now)
        self.stdout.write(f"demo data set ready ({created} customers created)")

    def _staff(self) -> None:
        """manager, viewer and support: staff users in the roles' groups (created by the
        migrations), password = username."""
        from django.contrib.auth.models import Group

        user_model = get_user_model()
        for username, role in DEMO_STAFF:
            if user_model.objects.filter(username=username).exists():
                continue
            user = user_model.objects.create_user(
                username, f"{username}@example.com", username, is_staff=True
            )
            user.groups.add(Group.objects.get(name=role.name))
            self.stdout.write(f"created staff user {username} ({role.name})")

    def _portal_user(self, actor: Actor, now: Any) -> None:
        """Acme's portal user: sign in at /portal/login/ with this address (the e-mail goes to
        the console under make run), or print a session link: manage.py portal_link acme."""
        from portal.models import PortalUser
        from portal.services import portal_user_invite

        acme = Customer.objects.get(external_id="acme")
        if not PortalUser.objects.filter(customer=acme, email__iexact=DEMO_PORTAL_USER).exists():
            portal_user_invite(
                customer_id=acme.pk, email=DEMO_PORTAL_USER, name="Ada Acme",
                base_url=settings.PORTAL_BASE_URL or "http://127.0.0.1:8000", as_of=now,
                actor=actor,
            )  # fmt: skip

    def _extras(self, actor: Actor, now: Any) -> None:
        """A coupon and an add-on to try on invoices."""
        if not Coupon.objects.filter(code="welcome10").exists():
            catalog.coupon_create(
                actor=actor,
                as_of=now,
                data={"code": "welcome10", "name": "Welcome 10%", "kind": "percent",
                      "percent_off": Decimal(10), "duration": "repeating", "duration_periods": 3},
            )  # fmt: skip
        if not AddOn.objects.filter(code="onboarding").exists():
            catalog.addon_create(
                actor=actor,
                as_of=now,
                data={"code": "onboarding", "name": "Onboarding session", "currency": "USD",
                      "amount": Decimal("150")},
            )  # fmt: skip

    def _payment_methods(self, actor: Actor, now: Any) -> None:
        """Acme pays by a sandbox card that always succeeds: its invoices are collected
        automatically when finalized (Globex pays by bank transfer)."""
        from payments.models import PaymentMethod
        from payments.services import payment_method_add

        acme = Customer.objects.get(external_id="acme")
        if PaymentMethod.objects.filter(customer=acme).exists():
            return
        payment_method_add(
            customer_id=acme.pk, actor=actor, as_of=now,
            data={"gateway": "sandbox", "token": "tok_ok+acme", "kind": "card", "brand": "visa",
                  "last4": "4242", "exp_month": 12, "exp_year": now.year + 3,
                  "holder_name": "Acme Corporation"},
        )  # fmt: skip

    def _overdue(self, actor: Actor, now: Any) -> None:
        """Globex (bank transfers, 14 days' terms) owes an invoice finalized 25 days ago: 11 days
        past due, so the clock's first tick puts it in the default policy's Warning state (its
        e-mail printed to the console)."""
        from invoicing.models import Invoice
        from invoicing.services import invoice_draft_create, invoice_finalize, invoice_line_add

        globex = Customer.objects.get(external_id="globex")
        if Invoice.objects.filter(customer=globex).exists():
            return
        issued = now - timedelta(days=25)
        draft = invoice_draft_create(customer_id=globex.pk, as_of=issued, actor=actor)
        invoice_line_add(
            invoice_id=draft.pk, description="Implementation workshop", amount=Decimal("1200"),
            quantity=Decimal(1), as_of=issued, actor=actor,
        )  # fmt: skip
        invoice_finalize(invoice_id=draft.pk, as_of=issued, actor=actor)

    def _payouts(self, actor: Actor, now: Any) -> None:
        """A marketplace seller, Northwind, paid every week 10% of what Acme pays, to a sandbox
        account that always pays."""
        from payments.models.payouts import Payee
        from payments.services.payouts import (
            payee_create,
            payee_customer_add,
            payout_method_add,
            payout_schedule_create,
        )

        if Payee.objects.filter(external_id="northwind").exists():
            return
        payee = payee_create(
            data={"external_id": "northwind", "name": "Northwind Sellers",
                  "email": "payouts@northwind.example", "currency": "USD",
                  "timezone": "America/New_York"},
            actor=actor, as_of=now, reason="demo data set",
        )  # fmt: skip
        payout_method_add(
            payee_id=payee.pk, gateway="sandbox", token="tok_ok+northwind",  # noqa: S106
            label="Checking",
            actor=actor, as_of=now,
        )  # fmt: skip
        acme = Customer.objects.get(external_id="acme")
        payee_customer_add(payee_id=payee.pk, customer_id=acme.pk, actor=actor, as_of=now)
        local = timezone.localtime(now, ZoneInfo("America/New_York")).date()
        payout_schedule_create(
            payee_id=payee.pk, interval_unit="week", interval_count=1,
            anchor=local - timedelta(days=local.weekday()), amount_kind="percentage",
            percentage=Decimal(10), actor=actor, as_of=now,
        )  # fmt: skip

    def _subscriptions(self, actor: Actor, now: Any) -> None:
        """Acme on Pro since the start of this month (so the clock has periods to roll)."""
        acme = Customer.objects.get(external_id="acme")
        if acme.subscriptions.exists():
            return
        start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        subscription_create(
            customer_id=acme.pk,
            plan_id=Plan.objects.get(code="pro").pk,
            actor=actor,
            as_of=now,
            start_at=start,
            reason="demo data set",
        )
        # some usage so far this month (event ids are fixed: running again adds nothing)
        events = [
            {
                "event_id": f"demo-{start:%Y%m}-{i}",
                "customer": "acme",
                "metric": "api_calls",
                "event_time": (start + (now - start) * i / 40).isoformat(),
                "properties": {"calls": 400 + 37 * i},
            }
            for i in range(40)
        ] + [
            {
                "event_id": f"demo-{start:%Y%m}-gb",
                "customer": "acme",
                "metric": "storage_gb",
                "event_time": start.isoformat(),
                "properties": {"gb": "12.5"},
            }
        ]
        usage_ingest(events=events, actor=actor, as_of=now)

    def _catalog(self, actor: Actor, now: Any) -> None:
        """The "Pro" plan of the standard workload (shared/WORKLOAD.md), and a few neighbours."""
        if Plan.objects.filter(code="pro").exists():
            return
        product = catalog.product_create(
            actor=actor, as_of=now, data={"code": "platform", "name": "Platform"}
        )
        calls = BillableMetric.objects.filter(code="api_calls").first() or catalog.metric_create(
            actor=actor,
            as_of=now,
            data={
                "code": "api_calls",
                "name": "API calls",
                "aggregation": "sum",
                "field_name": "calls",
            },
        )
        storage = BillableMetric.objects.filter(code="storage_gb").first() or catalog.metric_create(
            actor=actor,
            as_of=now,
            data={
                "code": "storage_gb",
                "name": "Storage (GB)",
                "aggregation": "sum",
                "field_name": "gb",
            },
        )
        seats = Feature.objects.filter(code="seats").first() or catalog.feature_create(
            actor=actor, as_of=now, data={"code": "seats", "name": "Seats", "kind": "limit"}
        )
        sso = Feature.objects.filter(code="sso").first() or catalog.feature_create(
            actor=actor,
            as_of=now,
            data={"code": "sso", "name": "Single sign-on", "kind": "boolean"},
        )
        pro = catalog.plan_create(
            actor=actor,
            as_of=now,
            data={
                "code": "pro",
                "name": "Pro",
                "currency": "USD",
                "interval_unit": "month",
                "interval_count": 1,
                "product": product,
            },
        )
        version = catalog.plan_version_create(
            plan_id=pro.pk,
            actor=actor,
            as_of=now,
            reason="demo data set",
            data={
                "effective_from": datetime(2024, 1, 1, tzinfo=UTC),
                "fixed_fee": Decimal("49.00"),
                "fee_timing": "arrears",
                "note": "the standard workload's Pro plan",
            },
            charges=[
                {
                    "metric": calls,
                    "pricing_model": "graduated",
                    "display_name": "API calls",
                    "params": {
                        "tiers": [
                            {"from": "0", "to": "10000", "unit_price": "0"},
                            {"from": "10000", "to": None, "unit_price": "0.002"},
                        ]
                    },
                },
                {
                    "metric": storage,
                    "pricing_model": "per_unit",
                    "display_name": "Storage",
                    "params": {"unit_price": "0.10"},
                },
            ],
            features=[{"feature": seats, "limit": Decimal(10)}, {"feature": sso, "enabled": False}],
        )
        catalog.plan_version_publish(version_id=version.pk, actor=actor, as_of=now)
        if not TaxRate.objects.filter(code="de-vat").exists():
            catalog.tax_rate_create(
                actor=actor,
                as_of=now,
                data={
                    "code": "de-vat",
                    "name": "Umsatzsteuer",
                    "percentage": Decimal("19"),
                    "country": "DE",
                },
            )
        if not Product.objects.filter(code="support").exists():
            catalog.product_create(
                actor=actor, as_of=now, data={"code": "support", "name": "Support"}
            )
