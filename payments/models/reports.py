"""Reports' places in the admin: proxies with no table of their own, so the admin index lists
them under Payments like any model (no patch of the admin site)."""

from __future__ import annotations

from invoicing.models import Invoice


class AgingReport(Invoice):
    """The AR aging report (payments.reports.ar_aging) over the invoices still owed."""

    class Meta:
        proxy = True
        verbose_name = "AR aging report"
        verbose_name_plural = "AR aging report"
