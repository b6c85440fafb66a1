"""Stripe's webhooks: asynchronous outcomes of payments, verified by their signature.

POST /api/v1/webhooks/stripe/ takes Stripe's event as Stripe sends it. There is no API key:
the `Stripe-Signature` header, checked against STRIPE_WEBHOOK_SECRET by the Stripe adapter, is
the authentication. A missing or bad signature (or a signature older than five minutes) is a
400 `invalid_signature` and changes nothing; Stripe not configured here is a 400 `disabled`.
A verified event is mapped to (idempotency key, outcome) pairs by the adapter
(`payment_intent.succeeded`, `payment_intent.payment_failed`), and each outcome is recorded on
the payment with that key by the one recording function of collection (the same as for a
charge's answer and the reconciler's `status`). An event about no payment of ours (another
system's intent, a refund, an event type we do not consume) is answered 200 and ignored, so
Stripe stops sending it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import error_responses
from core.audit import Actor
from core.exceptions import ValidationFailed
from payments.gateways.base import GatewayError
from payments.services.collection import stripe_webhook_apply

STRIPE_WEBHOOK = Actor.system("stripe-webhook")

WebhookOut = inline_serializer(
    name="StripeWebhookOut",
    fields={
        "received": serializers.BooleanField(),
        "type": serializers.CharField(help_text="Stripe's event type."),
        "payments": serializers.ListField(
            child=serializers.IntegerField(), help_text="Payments the outcome was recorded on."
        ),
        "ignored": serializers.IntegerField(
            help_text="Outcomes about no payment of ours (ignored)."
        ),
    },
)


class StripeWebhook(APIView):
    authentication_classes = ()  # the signature is the authentication
    permission_classes = (AllowAny,)

    @extend_schema(
        operation_id="webhooks_stripe",
        request={"application/json": OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter(
                name="Stripe-Signature",
                type=str,
                location=OpenApiParameter.HEADER,
                required=True,
                description="Stripe's signature of the body (t=...,v1=...), checked against "
                "STRIPE_WEBHOOK_SECRET.",
            )
        ],
        responses={200: WebhookOut, **error_responses(400)},
        tags=["webhooks"],
        auth=[],
        description="Stripe's signed events (no API key: the signature authenticates). "
        "`payment_intent.succeeded` and `payment_intent.payment_failed` resolve the pending "
        "payment carrying the intent's idempotency key; events about no payment of ours are "
        "answered 200 and ignored. A missing or bad signature is a 400 `invalid_signature`.",
    )
    def post(self, request: Request) -> Response:
        from payments.gateways.stripe_gateway import StripeGateway

        stripe = StripeGateway.from_settings()
        if stripe is None:
            raise ValidationFailed(
                "Stripe is not configured here (STRIPE_API_KEY).", field=None, code="disabled"
            )
        signature = request.headers.get("Stripe-Signature", "")
        if not signature:
            raise ValidationFailed(
                "The Stripe-Signature header is missing.",
                field="Stripe-Signature",
                code="invalid_signature",
            )
        try:
            event = stripe.verify_webhook(request._request.body, signature)
        except GatewayError as error:
            field = None if error.code == "disabled" else "Stripe-Signature"
            raise ValidationFailed(
                f"The webhook was refused: {error.message}", field=field, code=error.code
            ) from None
        applied = stripe_webhook_apply(
            results=StripeGateway.webhook_results(event),
            as_of=timezone.now(),
            actor=STRIPE_WEBHOOK,
        )
        body: dict[str, Any] = {"received": True, "type": str(event.get("type") or ""), **applied}
        return Response(body)
