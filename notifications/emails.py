"""What an e-mail says: its context read from the models, its three templates rendered in the
customer's language, its attachments, and the message built for Django's e-mail framework.

Templates live in `templates/emails/<template>/`: `subject.txt` (one line), `body.txt` and
`body.html` (both extend `emails/_base.*`). They are rendered under
`translation.override(language)`, the language of the customer's locale as for its invoice PDFs
(`invoicing.pdf.document_language`: de-DE, de-AT -> German; a locale without a catalog ->
English); amounts come formatted in the customer's locale with the currency's ISO 4217 decimals
(`catalog.money.format_money`), dates in the customer's time zone and in the language the
e-mail is written in (the customer's locale when it is of that language: see `Reader`). The
context holds strings only, ready to print.

Attachments: the invoice's stored PDF (`invoice_finalized`; rendered and stored first through
invoicing's `invoice_render_pdf` when the PDF task has not run yet) and the credit note's PDF
(`credit_note_issued`, rendered from its frozen rows as the API serves it)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from email.utils import parseaddr
from typing import Any

from babel import Locale
from babel.dates import format_date
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.utils import translation

from billing.models import Customer, Subscription
from catalog.money import format_money
from invoicing import pdf
from invoicing.models import CreditNote, Invoice
from invoicing.services import invoice_render_pdf
from notifications.models import Notification, Template
from payments.models import Payment

PDF = "application/pdf"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = PDF


@dataclass
class Rendered:
    language: str
    subject: str
    text: str
    html: str
    attachments: list[Attachment] = field(default_factory=list)


class Reader:
    """How the customer reads: the language the e-mail is written in, the customer's locale
    (numbers, amounts) and time zone, and the locale of the text (dates, `<html lang>`): the
    customer's when it is of the language written (en-GB: "4 February 2026", de-AT), else the
    written language's (fr-FR, ja-JP read English: "February 4, 2026")."""

    def __init__(self, customer: Customer) -> None:
        self.locale = pdf.babel_locale(customer.locale)
        self.zone = pdf.time_zone(customer.timezone)
        self.language = pdf.document_language(customer.locale)
        written = Locale.parse(self.language.replace("-", "_"))
        self.text_locale = self.locale if self.locale.language == written.language else written

    def money(self, amount: Decimal | str | None, currency: str) -> str:
        if amount is None or amount == "":
            return ""
        return format_money(Decimal(str(amount)), currency, str(self.locale))

    def day(self, value: datetime | str | None) -> str:
        if not value:
            return ""
        at = datetime.fromisoformat(value) if isinstance(value, str) else value
        return format_date(at.astimezone(self.zone).date(), format="long", locale=self.text_locale)


# ------------------------------------------------------------------------ contexts, by template
# Each returns the template's context and the attachments; `as_of` None: a preview (the admin),
# without attachments (nothing rendered or stored).

Built = tuple[dict[str, Any], list[Attachment]]


def _invoice(n: Notification, r: Reader, as_of: datetime | None) -> Built:
    invoice = Invoice.objects.get(pk=n.data["invoice"])
    files = []
    if as_of is not None:
        if not invoice.pdf:  # the PDF task has not run yet: render and store it now (once)
            invoice = invoice_render_pdf(invoice_id=invoice.pk, as_of=as_of)
        with invoice.pdf.open("rb") as f:
            files.append(Attachment(f"{invoice.number}.pdf", f.read()))
    due = max(invoice.total - invoice.credit_applied, Decimal(0))  # what was due at issue
    context = {
        "number": invoice.number,
        "total": r.money(invoice.total, invoice.currency),
        "amount_due": r.money(due, invoice.currency) if due else "",
        "due_date": r.day(invoice.due_at) if due else "",
    }
    return context, files


def _receipt(n: Notification, r: Reader, as_of: datetime | None) -> Built:
    payment = Payment.objects.select_related("invoice").get(pk=n.data["payment"])
    invoice = payment.invoice.number if payment.invoice and payment.invoice.number else ""
    context = {
        "amount": r.money(payment.amount, payment.currency),
        "date": r.day(payment.received_at or n.created_at),
        "invoice": invoice,
        "reference": payment.gateway_reference or f"#{payment.pk}",
    }
    return context, []


def _failed(n: Notification, r: Reader, as_of: datetime | None) -> Built:
    payment = Payment.objects.select_related("invoice").get(pk=n.data["payment"])
    invoice = payment.invoice.number if payment.invoice and payment.invoice.number else ""
    retry_at = n.data.get("retry_at")  # as the failure scheduled it
    if retry_at and as_of is not None and datetime.fromisoformat(retry_at) <= as_of:
        # sent after that day (a resend, a long outage): the retry is no longer ahead; the
        # payment's own retry date, if one is still ahead, else no promise of one
        ahead = payment.retry_at if payment.retry_at and payment.retry_at > as_of else None
        retry_at = ahead.isoformat() if ahead else None
    context = {
        "amount": r.money(payment.amount, payment.currency),
        "invoice": invoice,
        "reason": n.data.get("failure_message") or payment.failure_message,
        "retry_date": r.day(retry_at),
    }
    return context, []


def _credit_note(n: Notification, r: Reader, as_of: datetime | None) -> Built:
    note = CreditNote.objects.select_related("invoice").get(number=n.data["credit_note"])
    context = {
        "number": note.number,
        "invoice": note.invoice.number,
        "total": r.money(note.total, note.currency),
        "to_balance": r.money(note.to_balance, note.currency) if note.to_balance else "",
        "reason": note.reason,
    }
    files = [Attachment(f"{note.number}.pdf", pdf.credit_note_pdf(note))] if as_of else []
    return context, files


def _subscription(n: Notification, r: Reader, as_of: datetime | None) -> Built:
    sub = Subscription.objects.select_related("plan").get(pk=n.data["subscription"])
    when = n.data.get("trial_end") or n.data.get("renews_at")
    return {"plan": sub.plan.name, "date": r.day(when), "quantity": sub.quantity}, []


def _dunning(n: Notification, r: Reader, as_of: datetime | None) -> Built:
    ids = [int(i) for i in n.data.get("invoices") or []]
    numbers = sorted(
        str(number)
        for number in Invoice.objects.filter(pk__in=ids).values_list("number", flat=True)
        if number
    )
    context = {
        "amount": r.money(n.data.get("amount_overdue"), str(n.data.get("currency") or "")),
        "days": int(n.data.get("days_past_due") or 0),
        "invoices": ", ".join(numbers),
    }
    return context, []


Builder = Callable[[Notification, Reader, datetime | None], Built]
BUILDERS: dict[str, Builder] = {
    Template.INVOICE_FINALIZED: _invoice,
    Template.PAYMENT_RECEIPT: _receipt,
    Template.PAYMENT_FAILED: _failed,
    Template.CREDIT_NOTE_ISSUED: _credit_note,
    Template.TRIAL_ENDING: _subscription,
    Template.UPCOMING_RENEWAL: _subscription,
    Template.DUNNING_REMINDER: _dunning,
    Template.DUNNING_WARNING: _dunning,
    Template.DUNNING_SUSPENSION: _dunning,
    Template.DUNNING_CANCELLATION: _dunning,
}


# ---------------------------------------------------------------------------------- rendering


def render(notification: Notification, *, as_of: datetime | None) -> Rendered:
    """The notification's subject, bodies and attachments, in its customer's language
    (`as_of` None: a preview, without attachments)."""
    customer = notification.customer
    reader = Reader(customer)
    context, attachments = BUILDERS[notification.template](notification, reader, as_of)
    company = settings.COMPANY
    context |= {
        "name": customer.name,
        "company": company["name"],
        "company_email": company["email"],
        "lang": str(reader.text_locale).replace("_", "-"),
    }
    folder = f"emails/{notification.template}"
    with translation.override(reader.language):
        subject = render_to_string(f"{folder}/subject.txt", context)
        text = render_to_string(f"{folder}/body.txt", context)
        html = render_to_string(f"{folder}/body.html", context)
    return Rendered(
        language=reader.language,
        subject=re.sub(r"[ \t\r\n]+", " ", subject).strip()[
            :255
        ],  # one line (keeps no-break spaces)
        text=text.strip() + "\n",
        html=html,
        attachments=attachments,
    )


def new_message_id(notification_id: int) -> str:
    """A Message-ID in the sender's domain, naming the notification."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return make_msgid(idstring=f"notification-{notification_id}", domain=domain)


def message(notification: Notification, rendered: Rendered, message_id: str) -> Any:
    """The e-mail to send: plain text with an HTML alternative, the attachments, our
    Message-ID."""
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers={"Message-ID": message_id, "Content-Language": rendered.language},
    )
    email.attach_alternative(rendered.html, "text/html")
    for attachment in rendered.attachments:
        email.attach(attachment.filename, attachment.content, attachment.mimetype)
    return email
