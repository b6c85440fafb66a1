"""The pages that act: plan change, cancel and undo, payment methods, pay now."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []

# ------------------------------------------------------- plan: change plan, cancel and undo
from django.urls import path  # noqa: E402

from portal.views import plan  # noqa: E402

urlpatterns += [
    path("subscriptions/<int:subscription_id>/plan/", plan.plan, name="plan"),
    path(
        "subscriptions/<int:subscription_id>/plan/confirm/",
        plan.plan_confirm,
        name="plan_confirm",
    ),
    path("subscriptions/<int:subscription_id>/cancel/", plan.cancel, name="cancel"),
    path("subscriptions/<int:subscription_id>/uncancel/", plan.uncancel, name="uncancel"),
]

# ---------------------------------------------- pay: payment methods and paying an invoice now
from django.urls import path  # noqa: E402

from portal.views import pay, payment_methods  # noqa: E402

urlpatterns += [
    path("payment-methods/", payment_methods.payment_methods, name="payment_methods"),
    path("payment-methods/add/", payment_methods.payment_method_add, name="payment_method_add"),
    path(
        "payment-methods/return/",
        payment_methods.payment_method_return,
        name="payment_method_return",
    ),
    path(
        "payment-methods/<int:method_id>/default/",
        payment_methods.payment_method_default,
        name="payment_method_default",
    ),
    path(
        "payment-methods/<int:method_id>/remove/",
        payment_methods.payment_method_remove,
        name="payment_method_remove",
    ),
    path("invoices/<int:invoice_id>/pay/", pay.invoice_pay, name="invoice_pay"),
    path(
        "invoices/<int:invoice_id>/pay/status/", pay.invoice_pay_status, name="invoice_pay_status"
    ),
]
