"""The sandbox gateway's hosted card form (/gateways/sandbox/setup/<setup id>/): what Stripe
Checkout in setup mode is for Stripe, for demos, tests and integrators.

The customer types a test card; the form maps it to a sandbox token and keeps only the token and
what may be shown (brand, last four, expiry, holder) in the sandbox's Redis namespace under the
setup id (an hour), then sends the customer back to the setup's return URL with `?setup=<id>`.
The card number and the CVC are never stored: not in the database, not in Redis, not in a log
(`sensitive_post_parameters` keeps them out of error reports, and a refused form never shows
the number again).

Test cards (any future expiry, any 3 or 4 digit CVC):

    4242 4242 4242 4242  tok_ok+<random>                  charges succeed
    4000 0000 0000 0002  tok_declined+<random>            charges are declined (card_declined)
    4000 0000 0000 9995  tok_insufficient_funds+<random>  charges fail (insufficient_funds)
    4000 0000 0000 0341  tok_processing_error+<random>    saved, but charges fail
                                                          (processing_error)

The random suffix makes each saved card a token of its own (tokens are unique per gateway); the
sandbox ignores it. Any other number that passes the Luhn check is refused ("use a test card");
a number that does not, an expiry in the past or a missing CVC are form errors. The form answers
404 while the sandbox is not enabled (PAYMENT_GATEWAYS) and for a setup that is unknown, expired
or already complete.

Language: `?lang=<code>` (one of settings.LANGUAGES; the portal passes its session's), else the
browser's; the form posts to its own URL, so the language stays. Its German strings are in the
project's catalog (locale/de), which payments may use (the portal's is above payments).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from payments.gateways.base import SetupResult, SetupState
from payments.gateways.sandbox import SandboxGateway
from payments.services.methods import luhn_ok

TEST_CARDS = {
    "4242424242424242": "tok_ok",
    "4000000000000002": "tok_declined",
    "4000000000009995": "tok_insufficient_funds",
    "4000000000000341": "tok_processing_error",
}
_SEPARATORS = re.compile(r"[\s-]")
_EXPIRY = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*$")


@dataclass(frozen=True)
class SandboxCard:
    token: str
    brand: str
    last4: str


def card_brand(digits: str) -> str:
    """The brand by the number's prefix (the usual IIN ranges; "" when unknown)."""
    if digits.startswith("4"):
        return "visa"
    if digits[:2] in {"51", "52", "53", "54", "55"} or 2221 <= int(digits[:4] or 0) <= 2720:
        return "mastercard"
    if digits[:2] in {"34", "37"}:
        return "amex"
    if digits.startswith(("6011", "65")):
        return "discover"
    return ""


def sandbox_card(number: str) -> SandboxCard:
    """The sandbox token of a test card number (a fresh suffix each time), its brand and its
    last four; ValueError("invalid") for a number that is not a card number, ValueError
    ("not_a_test_card") for a real-looking one."""
    digits = _SEPARATORS.sub("", number or "")
    if not (digits.isascii() and digits.isdigit() and 12 <= len(digits) <= 19):
        raise ValueError("invalid")
    if not luhn_ok(digits):
        raise ValueError("invalid")
    prefix = TEST_CARDS.get(digits)
    if prefix is None:
        raise ValueError("not_a_test_card")
    return SandboxCard(f"{prefix}+{secrets.token_hex(8)}", card_brand(digits), digits[-4:])


class SandboxCardForm(forms.Form):
    card_number = forms.CharField(
        label=_("Card number"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "cc-number", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
    expiry = forms.CharField(
        label=_("Expiry (MM/YY)"),
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "placeholder": "MM/YY"}),
    )
    cvc = forms.CharField(
        label=_("CVC"),
        max_length=4,
        error_messages={"required": _("Enter the card's security code (CVC).")},
        widget=forms.TextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )
    holder_name = forms.CharField(
        label=_("Name on the card"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "cc-name"}),
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.card: SandboxCard | None = None

    def clean_card_number(self) -> str:
        try:
            self.card = sandbox_card(self.cleaned_data["card_number"])
        except ValueError as error:
            if str(error) == "not_a_test_card":
                raise forms.ValidationError(
                    _("This is the sandbox: use a test card (e.g. 4242 4242 4242 4242)."),
                    code="not_a_test_card",
                ) from None
            raise forms.ValidationError(
                _("This is not a valid card number."), code="invalid"
            ) from None
        return ""  # the number is not kept, not even in the form's cleaned data

    def clean_expiry(self) -> tuple[int, int]:
        match = _EXPIRY.match(self.cleaned_data["expiry"])
        month = int(match.group(1)) if match else 0
        if match is None or not 1 <= month <= 12:
            raise forms.ValidationError(_("Enter the expiry as MM/YY."), code="invalid")
        year = int(match.group(2))
        year = year + 2000 if year < 100 else year
        if (year, month) < (self.today.year, self.today.month):
            raise forms.ValidationError(_("This card has expired."), code="expired")
        if year > self.today.year + 20:
            raise forms.ValidationError(_("Enter the expiry as MM/YY."), code="invalid")
        return month, year

    def clean_cvc(self) -> str:
        cvc = self.cleaned_data["cvc"].strip()
        if not (cvc.isascii() and cvc.isdigit() and len(cvc) in (3, 4)):
            raise forms.ValidationError(_("The CVC is 3 or 4 digits."), code="invalid")
        return ""  # never kept


def _sandbox() -> SandboxGateway:
    if "sandbox" not in settings.PAYMENT_GATEWAYS:
        raise Http404("The sandbox gateway is not enabled.")
    return SandboxGateway()


def _with_setup(url: str, setup_id: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'setup': setup_id})}"


def form_language(request: HttpRequest) -> str:
    """The form's language: `?lang=` (the portal sends its session's) when it is one of
    settings.LANGUAGES, else the browser's (Accept-Language, Django's language cookie)."""
    asked = request.GET.get("lang", "")
    if asked in {code for code, _name in settings.LANGUAGES}:
        return asked
    return translation.get_language_from_request(request)


@sensitive_post_parameters("card_number", "cvc")
@require_http_methods(["GET", "POST"])
def sandbox_setup(request: HttpRequest, setup_id: str) -> HttpResponse:
    """The form in its language (no LocaleMiddleware here: activated for this view only)."""
    language = form_language(request)
    with translation.override(language):
        response = _sandbox_setup(request, setup_id)
    response.headers.setdefault("Content-Language", language)
    return response


def _sandbox_setup(request: HttpRequest, setup_id: str) -> HttpResponse:
    gateway = _sandbox()
    record = gateway.setup_record(setup_id)
    if record.get("state") != SetupState.OPEN:
        raise Http404("No open sandbox setup with this id (unknown, expired or complete).")
    today = timezone.localdate()
    form = SandboxCardForm(request.POST or None, today=today)
    if request.method == "POST" and form.is_valid():
        assert form.card is not None
        month, year = form.cleaned_data["expiry"]
        result = SetupResult(
            SetupState.COMPLETE,
            token=form.card.token,
            kind="card",
            brand=form.card.brand,
            last4=form.card.last4,
            exp_month=month,
            exp_year=year,
            holder_name=form.cleaned_data["holder_name"].strip(),
        )
        if not gateway.setup_complete(setup_id, result):
            raise Http404("This setup is not open any more.")
        return HttpResponseRedirect(_with_setup(record["return_url"], setup_id))
    if form.is_bound:  # refused: the number and the CVC are not shown again
        form.data = {**form.data.dict(), "card_number": "", "cvc": ""}  # type: ignore[attr-defined]
    status = 400 if form.is_bound else 200
    context = {"form": form, "cancel_url": record.get("cancel_url", ""), "test_cards": TEST_CARDS}
    return render(request, "gateways/sandbox_setup.html", context, status=status)
