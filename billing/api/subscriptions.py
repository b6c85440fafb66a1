"""Subscription and entitlement endpoints."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import selectors, services
from billing.api.filters import SubscriptionFilter
from billing.enums import ChangeTiming
from billing.models import (
    Customer,
    CustomerEntitlement,
    EntitlementOverride,
    ProrationLine,
    Subscription,
    SubscriptionChange,
    SubscriptionPause,
)
from billing.selectors import customer_as_of
from billing.services.subscriptions import subscription_phase
from billing.validators import validate_metadata
from catalog.models import Feature, Plan
from core.api.actors import request_actor
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.exceptions import ValidationFailed

TAGS = ["subscriptions"]
ENT_TAGS = ["entitlements"]

# ---------------------------------------------------------------------------- serializers


class ItemOut(serializers.ModelSerializer[Subscription]):
    """An item of a subscription (a subscription of its own, GET /subscriptions/{id}/ gives it
    whole)."""

    plan: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Subscription
        fields = ("id", "plan", "quantity", "status", "start_at", "ended_at")


class SubscriptionPhaseOut(serializers.Serializer[Any]):
    """The phase of its price book its current period is in (plan phases)."""

    position = serializers.IntegerField(help_text="0: the first phase")
    name = serializers.CharField()
    periods = serializers.IntegerField(allow_null=True, help_text="null: open-ended")
    period_of_phase = serializers.IntegerField(help_text="1: the phase's first period")
    fixed_fee = serializers.DecimalField(max_digits=28, decimal_places=12)
    next_phase_at = serializers.DateTimeField(
        allow_null=True, help_text="when the next phase starts (null: the last phase)"
    )
    walk_start_period = serializers.IntegerField(
        help_text="the index of the period its phase walk counts from"
    )


class SubscriptionOut(serializers.ModelSerializer[Subscription]):
    customer: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="external_id", read_only=True
    )
    plan: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    plan_version = serializers.CharField(source="plan_version.label", read_only=True)
    parent: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        read_only=True, help_text="the subscription this is an item of (null: none)"
    )
    phase = serializers.SerializerMethodField()
    items = ItemOut(
        many=True,
        read_only=True,
        help_text="its items: other plans billed on its cycle and invoices, each with its own "
        "quantity (live and finished ones)",
    )

    class Meta:
        model = Subscription
        fields = (
            "id", "customer", "plan", "plan_version", "quantity", "status", "start_at",
            "billing_anchor", "trial_end", "current_period_start", "current_period_end",
            "cancel_at_period_end", "canceled_at", "ends_at", "ended_at", "paused_at",
            "dunning_blocked", "dunning_blocked_from", "metadata", "created_at", "updated_at",
            "parent", "items", "phase",
        )  # fmt: skip

    @extend_schema_field(SubscriptionPhaseOut(allow_null=True))
    def get_phase(self, sub: Subscription) -> dict[str, Any] | None:
        """Its current phase and when the next starts (null: its price book has no phases)."""
        if not sub.plan_version.phase_count:
            return None
        found = subscription_phase(sub)
        if found is None:
            return None
        following = found["next_phase_at"]
        found["next_phase_at"] = parse_datetime(following) if following else None
        return dict(SubscriptionPhaseOut(found).data)


class SubscriptionIn(serializers.Serializer[Any]):
    customer = serializers.SlugRelatedField(
        slug_field="external_id", queryset=Customer.objects.all(), help_text="external id"
    )
    plan = serializers.SlugRelatedField(slug_field="code", queryset=Plan.objects.all())
    start_at = serializers.DateTimeField(required=False, help_text="default: now")
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, default=1)
    trial_days = serializers.IntegerField(
        min_value=0, max_value=730, required=False, help_text="default: the price book's"
    )
    billing_anchor = serializers.DateField(
        required=False, help_text="local date the periods count from"
    )
    ends_at = serializers.DateTimeField(required=False)
    metadata = serializers.JSONField(required=False, default=dict, validators=[validate_metadata])


@extend_schema_field(
    {"type": "string", "example": "period_end",
     "description": '"auto", "now", "period_end" or an ISO 8601 instant'}
)  # fmt: skip
class WhenField(serializers.Field[Any, Any, Any, Any]):
    """ "auto", "now", "period_end" or an ISO 8601 instant."""

    def to_internal_value(self, data: Any) -> Any:
        if data in ("auto", "now", "period_end"):
            return data
        instant = parse_datetime(str(data)) if isinstance(data, str) else None
        if instant is None or timezone.is_naive(instant):
            raise serializers.ValidationError(
                'Use "auto", "now", "period_end" or an ISO 8601 instant with its offset.'
            )
        return instant

    def to_representation(self, value: Any) -> Any:
        return value


class ChangeIn(serializers.Serializer[Any]):
    plan = serializers.SlugRelatedField(
        slug_field="code", queryset=Plan.objects.all(), required=False
    )
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)
    when = WhenField(
        required=False,
        default="auto",
        help_text='"auto" (the plan pair\'s change policy when there is one, else upgrades now '
        'and downgrades at period end), "now", "period_end" or an ISO 8601 instant (refused, '
        "400 `contradicts_policy`, when it contradicts the pair's policy)",
    )
    prorate = serializers.BooleanField(default=True)
    reason = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    phase = serializers.ChoiceField(
        choices=["same", "restart"],
        required=False,
        help_text='A change of plan with plan phases: "same" (default) puts the subscription in '
        'the same phase of the new plan, as many periods into it; "restart" starts the new '
        "plan's phases over with the change's period. \"same\" to a plan with fewer phases "
        "than the current position: 400 `phase_missing`; given for a change of quantity: 400.",
    )


class ChangeOut(serializers.ModelSerializer[SubscriptionChange]):
    new_plan: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    from_plan_version = serializers.CharField(source="from_plan_version.label", default=None)
    applied_plan_version = serializers.CharField(source="applied_plan_version.label", default=None)

    class Meta:
        model = SubscriptionChange
        fields = (
            "id", "subscription", "kind", "status", "from_plan_version", "new_plan",
            "applied_plan_version", "from_quantity", "new_quantity", "effective_at", "prorate",
            "reason", "requested_by", "created_at", "applied_at", "canceled_at", "timing",
            "policy", "phase",
        )  # fmt: skip


class ProrationLineOut(serializers.ModelSerializer[ProrationLine]):
    class Meta:
        model = ProrationLine
        fields = (
            "id", "subscription", "change", "kind", "description", "currency", "amount",
            "amount_rounded", "period_start", "period_end", "explanation", "created_at",
            "invoiced_at",
        )  # fmt: skip


class CancelIn(serializers.Serializer[Any]):
    at_period_end = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text="Left out (or null): as the plan's cancellation policy says, at once without "
        "one. A value that contradicts the plan's policy is refused (400 `contradicts_policy`).",
    )
    prorate = serializers.BooleanField(
        default=True, help_text="credit the unused part of the fee when canceling at once"
    )
    reason = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class ReasonIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class EndIn(ReasonIn):
    ends_at = serializers.DateTimeField()


class PeriodOut(serializers.Serializer[Any]):
    index = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class PauseOut(serializers.ModelSerializer[SubscriptionPause]):
    class Meta:
        model = SubscriptionPause
        fields = ("paused_at", "resumed_at")


class TimelineOut(serializers.Serializer[Any]):
    subscription = SubscriptionOut()
    periods = PeriodOut(many=True)
    changes = ChangeOut(many=True)
    pauses = PauseOut(many=True)
    proration_lines = ProrationLineOut(many=True)


class EntitlementOut(serializers.ModelSerializer[CustomerEntitlement]):
    feature = serializers.CharField(source="feature_code")

    class Meta:
        model = CustomerEntitlement
        fields = ("feature", "enabled", "limit", "source", "updated_at")


class CheckOut(serializers.Serializer[Any]):
    customer = serializers.CharField()
    feature = serializers.CharField()
    allowed = serializers.BooleanField()
    limit = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    reason = serializers.ChoiceField(
        choices=["granted", "not_in_plan", "disabled", "blocked", "blocked_by_dunning"],
    )
    source = serializers.CharField(allow_null=True)  # type: ignore[assignment]


class OverrideIn(serializers.Serializer[Any]):
    enabled = serializers.BooleanField(default=True)
    limit = serializers.DecimalField(
        max_digits=20, decimal_places=4, min_value=0, required=False, allow_null=True
    )
    reason = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class BlockIn(serializers.Serializer[Any]):
    blocked = serializers.BooleanField()
    reason = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class ItemIn(serializers.Serializer[Any]):
    plan = serializers.SlugRelatedField(slug_field="code", queryset=Plan.objects.all())
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, default=1)
    prorate = serializers.BooleanField(
        default=True,
        help_text="true: it starts now, its first fee the share of the period left (by the "
        "second from today's local midnight, or by whole days as its price book says); false: "
        "it starts at the current period's end, nothing prorated",
    )
    reason = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class ItemChangeIn(serializers.Serializer[Any]):
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)
    plan = serializers.SlugRelatedField(
        slug_field="code", queryset=Plan.objects.all(), required=False
    )
    when = WhenField(required=False, default="now", help_text='"now" (default), "period_end", '
                     '"auto" or an ISO 8601 instant, as for a change')  # fmt: skip
    prorate = serializers.BooleanField(default=True)
    reason = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class ItemRemoveIn(serializers.Serializer[Any]):
    prorate = serializers.BooleanField(
        default=True, help_text="credit the unused part of a fee paid in advance"
    )
    at_period_end = serializers.BooleanField(default=False)
    reason = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


# ---------------------------------------------------------------------------------- views


def _out(sub: Subscription) -> dict[str, Any]:
    fresh = selectors.subscription_list().get(pk=sub.pk)
    return dict(SubscriptionOut(fresh).data)


class SubscriptionCollection(generics.GenericAPIView[Any]):
    serializer_class = SubscriptionOut
    filterset_class = SubscriptionFilter

    def get_queryset(self) -> Any:
        return selectors.subscription_list()

    @extend_schema(
        operation_id="subscriptions_list",
        responses={200: SubscriptionOut(many=True)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(SubscriptionOut(page, many=True).data)

    @extend_schema(
        operation_id="subscriptions_create",
        request=SubscriptionIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: SubscriptionOut, **error_responses(400, 401, 409, 422)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = SubscriptionIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        sub = services.subscription_create(
            customer_id=v["customer"].pk,
            plan_id=v["plan"].pk,
            actor=request_actor(request),
            as_of=customer_as_of(v["customer"], timezone.now()),  # a test clock's time
            start_at=v.get("start_at"),
            quantity=v["quantity"],
            trial_days=v.get("trial_days"),
            billing_anchor=v.get("billing_anchor"),
            ends_at=v.get("ends_at"),
            metadata=v["metadata"],
        )
        return Response(_out(sub), status=status.HTTP_201_CREATED)


class SubscriptionDetail(generics.GenericAPIView[Any]):
    serializer_class = SubscriptionOut

    def get_queryset(self) -> Any:
        return selectors.subscription_list()

    @extend_schema(
        operation_id="subscriptions_retrieve",
        responses={200: SubscriptionOut, **error_responses(404)},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(SubscriptionOut(self.get_object()).data)


class SubscriptionTimeline(generics.GenericAPIView[Any]):
    serializer_class = TimelineOut
    pagination_class = None

    def get_queryset(self) -> Any:
        return selectors.subscription_list()

    @extend_schema(
        operation_id="subscriptions_timeline",
        parameters=[OpenApiParameter("periods", int, description="how many periods (12)")],
        responses={200: TimelineOut, **error_responses(404)},
        tags=TAGS,
        description="Periods, changes (applied, scheduled, canceled), pauses and proration lines.",
    )
    def get(self, request: Request, pk: int) -> Response:
        sub = self.get_object()
        try:
            count = max(1, min(120, int(request.query_params.get("periods", 12))))
        except ValueError:
            raise ValidationFailed("periods is a whole number.", field="periods") from None
        body = {
            "subscription": sub,
            "periods": [
                {"index": p.index, "start": p.start, "end": p.end}
                for p in services.subscription_periods(subscription=sub, count=count)
            ],
            "changes": sub.changes.select_related(
                "new_plan", "from_plan_version__plan", "applied_plan_version__plan"
            ),
            "pauses": sub.pauses.all(),
            "proration_lines": sub.proration_lines.all(),
        }
        return Response(TimelineOut(body).data)


class _Action(generics.GenericAPIView[Any]):
    serializer_class = SubscriptionOut

    def get_queryset(self) -> Any:
        return Subscription.objects.all()


def _change_request(request: Request, sub: Subscription) -> tuple[dict[str, Any], str]:
    """A change of plan or quantity as the change and its preview both read it, and its reason."""
    data = ChangeIn(data=request.data)
    data.is_valid(raise_exception=True)
    v = data.validated_data
    asked = {
        "subscription_id": sub.pk,
        "as_of": customer_as_of(sub.customer, timezone.now()),
        "plan_id": v["plan"].pk if v.get("plan") else None,
        "quantity": v.get("quantity"),
        "when": v["when"],
        "prorate": v["prorate"],
        "phase": v.get("phase"),
    }
    return asked, v["reason"]


class SubscriptionChangeView(_Action):
    @extend_schema(
        operation_id="subscriptions_change",
        request=ChangeIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ChangeOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description="Change plan and/or quantity: now (prorated), at period end, or on a date.",
    )
    def post(self, request: Request, pk: int) -> Response:
        asked, reason = _change_request(request, self.get_object())
        change = services.subscription_change(**asked, actor=request_actor(request), reason=reason)
        return Response(ChangeOut(change).data, status=status.HTTP_201_CREATED)


class PreviewLineOut(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="credit or charge")
    description = serializers.CharField()
    amount = serializers.CharField(source="rounded", help_text="rounded once to the currency")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    explanation = serializers.JSONField()


class TimingOut(serializers.Serializer[Any]):
    rule = serializers.ChoiceField(
        choices=ChangeTiming.choices, help_text="what decided when it takes effect"
    )
    policy = serializers.CharField(
        help_text="the plan pair's change policy (immediate, end_of_term, illegal), or empty"
    )
    note = serializers.CharField(help_text="the rule in words, naming the policy")


class ChangePreviewOut(serializers.Serializer[Any]):
    new_plan = serializers.CharField(source="new_plan.code")
    new_version = serializers.CharField()
    quantity = serializers.IntegerField()
    effective_at = serializers.DateTimeField()
    applies_now = serializers.BooleanField()
    exact = serializers.BooleanField(
        help_text="false: it takes effect in a later period; priced when it applies"
    )
    currency = serializers.CharField()
    lines = PreviewLineOut(many=True)
    total = serializers.CharField()
    timing = TimingOut(help_text="which rule (a plan pair's policy, the heuristic) applied")


class SubscriptionChangePreviewView(_Action):
    permission_actions = {"POST": "view"}  # a preview writes nothing

    @extend_schema(
        operation_id="subscriptions_change_preview",
        request=ChangeIn,
        responses={200: ChangePreviewOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description="What a change would charge and credit (its proration lines), computed by "
        "the change's own rules; nothing is written. The same refusals as the change.",
    )
    def post(self, request: Request, pk: int) -> Response:
        asked, _reason = _change_request(request, self.get_object())
        preview = services.subscription_change_preview(**asked)
        return Response(ChangePreviewOut(preview).data)


class SubscriptionChangeList(_Action):
    pagination_class = None

    @extend_schema(
        operation_id="subscriptions_changes",
        responses={200: ChangeOut(many=True), **error_responses(404)},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        sub = self.get_object()
        return Response(ChangeOut(sub.changes.select_related("new_plan"), many=True).data)


class ChangeCancelView(APIView):
    permission_model = Subscription  # canceling a scheduled change is a change of the subscription

    @extend_schema(
        operation_id="subscription_changes_cancel",
        request=ReasonIn,
        responses={200: ChangeOut, **error_responses(404, 409)},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        found = get_object_or_404(
            SubscriptionChange.objects.select_related("subscription__customer"), pk=pk
        )
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.subscription_change_cancel(
            change_id=pk, actor=request_actor(request),
            as_of=customer_as_of(found.subscription.customer, timezone.now()),
            reason=data.validated_data["reason"],
        )  # fmt: skip
        return Response(ChangeOut(change).data)


class SubscriptionCancel(_Action):
    @extend_schema(
        operation_id="subscriptions_cancel",
        request=CancelIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: SubscriptionOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description="Cancel at once or at period end, as the plan's cancellation policy says "
        "(immediate, end_of_term; illegal: 409 `cancellation_not_allowed`).",
    )
    def post(self, request: Request, pk: int) -> Response:
        sub = self.get_object()
        data = CancelIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        sub = services.subscription_cancel(
            subscription_id=sub.pk, actor=request_actor(request),
            as_of=customer_as_of(sub.customer, timezone.now()),
            at_period_end=v.get("at_period_end"), prorate=v["prorate"], reason=v["reason"],
        )  # fmt: skip
        return Response(_out(sub))


def _simple_action(name: str, service: Any, description: str) -> type[_Action]:
    @extend_schema(
        operation_id=f"subscriptions_{name}",
        request=ReasonIn,
        responses={200: SubscriptionOut, **error_responses(404, 409)},
        tags=TAGS,
        description=description,
    )
    def post(self: _Action, request: Request, pk: int) -> Response:
        sub = self.get_object()
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        sub = service(
            subscription_id=sub.pk, actor=request_actor(request),
            as_of=customer_as_of(sub.customer, timezone.now()),
            reason=data.validated_data["reason"],
        )  # fmt: skip
        return Response(_out(sub))

    return type(f"Subscription{name.title().replace('_', '')}", (_Action,), {"post": post})


SubscriptionUndoCancel = _simple_action(
    "undo_cancel", services.subscription_undo_cancel, "Undo a pending cancellation at period end."
)
SubscriptionPauseView = _simple_action(
    "pause", services.subscription_pause,
    "Pause: no entitlements, and the paused time is credited on resume; periods do not move.",
)  # fmt: skip
SubscriptionResumeView = _simple_action("resume", services.subscription_resume, "Resume.")
SubscriptionActivate = _simple_action(
    "activate", services.subscription_activate, "End the trial now."
)


class SubscriptionEnd(_Action):
    @extend_schema(
        operation_id="subscriptions_end",
        request=EndIn,
        responses={200: SubscriptionOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description="End the subscription on a set date (at once when the date has come). An end "
        "date is a cancellation in effect: the plan's cancellation policy applies (illegal: 409 "
        "`cancellation_not_allowed`; end_of_term: an end before the current period's end is 400 "
        "`contradicts_policy` on `ends_at`), and the unused part of a fee paid in advance is "
        "credited as a cancellation's (a proration line, or a credit note).",
    )
    def post(self, request: Request, pk: int) -> Response:
        sub = self.get_object()
        data = EndIn(data=request.data)
        data.is_valid(raise_exception=True)
        sub = services.subscription_end(
            subscription_id=sub.pk, actor=request_actor(request),
            as_of=customer_as_of(sub.customer, timezone.now()),
            ends_at=data.validated_data["ends_at"], reason=data.validated_data["reason"],
        )  # fmt: skip
        return Response(_out(sub))


class ProrationLineList(_Action):
    pagination_class = None

    @extend_schema(
        operation_id="subscriptions_proration_lines",
        responses={200: ProrationLineOut(many=True), **error_responses(404)},
        tags=TAGS,
        description="Explained proration credits and charges, waiting for the next invoice.",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ProrationLineOut(self.get_object().proration_lines.all(), many=True).data)


# ---------------------------------------------------------------------------- entitlements


class EntitlementCheck(APIView):
    permission_model = CustomerEntitlement

    @extend_schema(
        operation_id="entitlements_check",
        parameters=[
            OpenApiParameter("customer", str, required=True, description="external id"),
            OpenApiParameter("feature", str, required=True, description="feature code"),
        ],
        responses={200: CheckOut, **error_responses(400, 404)},
        tags=ENT_TAGS,
        description="May this customer use this feature, and up to what limit? One indexed read.",
    )
    def get(self, request: Request) -> Response:
        customer = request.query_params.get("customer", "")
        feature = request.query_params.get("feature", "")
        for name, value in (("customer", customer), ("feature", feature)):
            if not value:
                raise ValidationFailed(f"{name} is required.", field=name, code="required")
        check = selectors.entitlement_check(customer_external_id=customer, feature_code=feature)
        if not check.customer_found or not check.feature_found:
            field = "customer" if not check.customer_found else "feature"
            value_of = {"customer": customer, "feature": feature}
            return Response(
                {"errors": [{"field": field, "code": "not_found",
                             "message": f"No {field} {value_of[field]!r}."}]},
                status=status.HTTP_404_NOT_FOUND,
            )  # fmt: skip
        return Response(
            {
                "customer": customer,
                "feature": feature,
                "allowed": check.allowed,
                "limit": None if check.limit is None else str(check.limit),
                "reason": check.reason,
                "source": check.source,
            }
        )


def _entitlements(customer: Customer) -> Any:
    return EntitlementOut(customer.entitlements.order_by("feature_code"), many=True).data


class CustomerEntitlements(APIView):
    permission_model = CustomerEntitlement

    @extend_schema(
        operation_id="customers_entitlements",
        responses={200: EntitlementOut(many=True), **error_responses(404)},
        tags=ENT_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        customer = get_object_or_404(Customer, pk=pk)
        return Response(_entitlements(customer))


class CustomerOverride(APIView):
    permission_model = EntitlementOverride
    permission_actions = {"DELETE": "delete"}

    @extend_schema(
        operation_id="customers_entitlement_override_set",
        request=OverrideIn,
        responses={200: EntitlementOut(many=True), **error_responses(400, 404)},
        tags=ENT_TAGS,
    )
    def put(self, request: Request, pk: int, feature: str) -> Response:
        customer = get_object_or_404(Customer, pk=pk)
        feature_obj = get_object_or_404(Feature, code=feature)
        data = OverrideIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if feature_obj.kind == Feature.Kind.BOOLEAN and v.get("limit") is not None:
            raise ValidationFailed(f"{feature} is on/off: it takes no limit.", field="limit")
        services.entitlement_override_set(
            customer_id=customer.pk, feature_id=feature_obj.pk, actor=request_actor(request),
            as_of=customer_as_of(customer, timezone.now()),
            enabled=v["enabled"], limit=v.get("limit"), reason=v["reason"],
        )  # fmt: skip
        return Response(_entitlements(customer))

    @extend_schema(
        operation_id="customers_entitlement_override_remove",
        responses={204: None, **error_responses(404)},
        tags=ENT_TAGS,
    )
    def delete(self, request: Request, pk: int, feature: str) -> Response:
        customer = get_object_or_404(Customer, pk=pk)
        feature_obj = get_object_or_404(Feature, code=feature)
        services.entitlement_override_remove(
            customer_id=customer.pk, feature_id=feature_obj.pk, actor=request_actor(request),
            as_of=customer_as_of(customer, timezone.now()),
        )  # fmt: skip
        return Response(status=status.HTTP_204_NO_CONTENT)


class CustomerBlock(APIView):
    # a collections lever, as the admin's block action: staff need to change customer
    # entitlements (finance managers; support may change customers but not block them); keys
    # keep the customers scope
    permission_model = CustomerEntitlement
    scope_resource = "customers"

    @extend_schema(
        operation_id="customers_entitlements_block",
        request=BlockIn,
        responses={200: EntitlementOut(many=True), **error_responses(400, 404)},
        tags=ENT_TAGS,
        description="Block (as dunning does) or unblock every feature of the customer.",
    )
    def post(self, request: Request, pk: int) -> Response:
        customer = get_object_or_404(Customer, pk=pk)
        data = BlockIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.entitlements_block(
            customer_id=customer.pk, blocked=data.validated_data["blocked"],
            actor=request_actor(request), as_of=customer_as_of(customer, timezone.now()),
            reason=data.validated_data["reason"],
        )  # fmt: skip
        return Response(_entitlements(customer))


# ---------------------------------------------------------------------------------- items


class SubscriptionItems(_Action):
    pagination_class = None

    @extend_schema(
        operation_id="subscriptions_items_list",
        responses={200: ItemOut(many=True), **error_responses(404)},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        sub = self.get_object()
        return Response(ItemOut(services.subscription_items(sub.pk), many=True).data)

    @extend_schema(
        operation_id="subscriptions_items_add",
        request=ItemIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: SubscriptionOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description="Add an item: another plan billed on the subscription's cycle and invoices, "
        "with its own quantity; its first fee prorated to the period's end (`prorate`). A plan "
        "of another currency or interval, or a subscription that is itself an item: 400.",
    )
    def post(self, request: Request, pk: int) -> Response:
        sub = self.get_object()
        data = ItemIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        item = services.subscription_item_add(
            subscription_id=sub.pk,
            plan_id=v["plan"].pk,
            quantity=v["quantity"],
            prorate=v["prorate"],
            reason=v["reason"],
            actor=request_actor(request),
            as_of=customer_as_of(sub.customer, timezone.now()),
        )
        return Response(_out(item), status=status.HTTP_201_CREATED)


class SubscriptionItem(_Action):
    @extend_schema(
        operation_id="subscriptions_items_change",
        request=ItemChangeIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ChangeOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description="Change an item's quantity (or plan): a change of the item, now by default, "
        "prorated for the item alone.",
    )
    def patch(self, request: Request, pk: int, item_id: int) -> Response:
        sub = self.get_object()
        data = ItemChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        change = services.subscription_item_update(
            subscription_id=sub.pk,
            item_id=item_id,
            quantity=v.get("quantity"),
            plan_id=v["plan"].pk if v.get("plan") else None,
            when=v["when"],
            prorate=v["prorate"],
            reason=v["reason"],
            actor=request_actor(request),
            as_of=customer_as_of(sub.customer, timezone.now()),
        )
        return Response(ChangeOut(change).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="subscriptions_items_delete",
        request=ItemRemoveIn,
        responses={200: SubscriptionOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description="Remove an item: canceled at once with its own proration (or at the "
        "period end). Same as POST .../remove/.",
    )
    def delete(self, request: Request, pk: int, item_id: int) -> Response:
        return _remove(self, request, item_id)


class SubscriptionItemRemove(_Action):
    @extend_schema(
        operation_id="subscriptions_items_remove",
        request=ItemRemoveIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: SubscriptionOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description="Remove an item: canceled at once with its own proration (the unused part "
        "of a fee in advance credited with `prorate`), or at the period end.",
    )
    def post(self, request: Request, pk: int, item_id: int) -> Response:
        return _remove(self, request, item_id)


def _remove(view: _Action, request: Request, item_id: int) -> Response:
    sub = view.get_object()
    data = ItemRemoveIn(data=request.data)
    data.is_valid(raise_exception=True)
    v = data.validated_data
    item = services.subscription_item_remove(
        subscription_id=sub.pk,
        item_id=item_id,
        prorate=v["prorate"],
        at_period_end=v["at_period_end"],
        reason=v["reason"],
        actor=request_actor(request),
        as_of=customer_as_of(sub.customer, timezone.now()),
    )
    return Response(_out(item))
