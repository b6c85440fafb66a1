"""The portal's two e-mails to portal users: the invitation and the magic login link, in the
customer's language (`invoicing.pdf.document_language`, as the customer's other e-mails), plain
text with an HTML alternative, on the layout of the customer e-mails (`emails/_base.*`)."""

from __future__ import annotations

import re
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.utils import translation

from invoicing.pdf import document_language
from portal.models import LinkKind, PortalLink

TEMPLATES = {LinkKind.INVITATION: "portal_invitation", LinkKind.LOGIN: "portal_login"}


def access_message(link: PortalLink, url: str) -> EmailMultiAlternatives:
    """The e-mail carrying `url` (the link's, with its token) to the link's user."""
    user = link.user
    assert user is not None, "only invitation and login links are e-mailed"
    customer = link.customer
    language = document_language(link.locale or customer.locale)
    company = settings.COMPANY
    context: dict[str, Any] = {
        "name": user.name or user.email,
        "customer": customer.name,
        "company": company["name"],
        "company_email": company["email"],
        "url": url,
        "lang": language,
    }
    folder = f"emails/{TEMPLATES[LinkKind(link.kind)]}"
    with translation.override(language):
        subject = render_to_string(f"{folder}/subject.txt", context)
        text = render_to_string(f"{folder}/body.txt", context)
        html = render_to_string(f"{folder}/body.html", context)
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    message = EmailMultiAlternatives(
        subject=re.sub(r"\s+", " ", subject).strip()[:255],
        body=text.strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "Message-ID": make_msgid(idstring=f"portal-link-{link.pk}", domain=domain),
            "Content-Language": language,
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
