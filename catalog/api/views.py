"""Catalog endpoints: read and create every catalog object; drafts of price books are edited,
copied, published and previewed; published price books are read-only."""

from __future__ import annotations

from collections.abc import Callable
from decimal import InvalidOperation
from typing import Any

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors, services
from catalog.api import serializers as s
from catalog.models import (
    AddOn,
    BillableMetric,
    Coupon,
    Feature,
    Plan,
    PlanChangePolicy,
    PlanVersion,
    Product,
    TaxRate,
)
from catalog.money import UnknownCurrencyError, currencies
from catalog.pricing import PricingError, Rating, compile_charge, plain
from core.api.actors import request_actor
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.exceptions import ValidationFailed

TAGS = ["catalog"]
CreateService = Callable[..., Model]


class _ListCreate(generics.GenericAPIView[Any]):
    """GET: the paginated, filterable list. POST: validate, then create through the service."""

    model: type[Model]
    out: type[serializers.BaseSerializer[Any]]
    inp: type[serializers.BaseSerializer[Any]]
    create: CreateService

    def get_queryset(self) -> QuerySet[Any]:
        queryset = self.model._default_manager.all()
        # a rate set on the object (a product's, an add-on's) is listed by its code: joined
        if any(f.name == "tax_rate" for f in self.model._meta.concrete_fields):
            queryset = queryset.select_related("tax_rate")
        return queryset

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return self.out

    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.out(page, many=True).data)

    def post(self, request: Request) -> Response:
        data = self.inp(data=request.data)
        data.is_valid(raise_exception=True)
        obj = self.perform_create(dict(data.validated_data), request)
        return Response(self.out(obj).data, status=status.HTTP_201_CREATED)

    def perform_create(self, data: dict[str, Any], request: Request) -> Model:
        return type(self).create(actor=request_actor(request), as_of=timezone.now(), data=data)


class _Detail(generics.GenericAPIView[Any]):
    """GET: the object. PATCH: the fields given, through the update service (which refuses,
    with 409 `immutable`, what may no longer change)."""

    model: type[Model]
    out: type[serializers.BaseSerializer[Any]]
    upd: type[serializers.BaseSerializer[Any]]
    update: Callable[..., Model]
    update_id: str

    def get_queryset(self) -> QuerySet[Any]:
        return self.model._default_manager.all()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return self.out

    def get(self, request: Request, pk: int) -> Response:
        return Response(self.out(self.get_object()).data)

    def patch(self, request: Request, pk: int) -> Response:
        obj = self.get_object()
        data: Any = self.upd(obj, data=request.data, partial=True)  # unknown fields: 400
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        extra = {}
        if "plans" in changes:  # coupons: the plans they apply to
            extra["plan_ids"] = [p.pk for p in changes.pop("plans")]
        for related in ("metrics", "charges"):  # coupons: their limits
            if related in changes:
                extra[f"{related[:-1]}_ids"] = [o.pk for o in changes.pop(related)]
        updated = type(self).update(
            **{self.update_id: obj.pk}, actor=request_actor(request), as_of=timezone.now(),
            changes=changes, **extra,
        )  # fmt: skip
        return Response(self.out(updated).data)


def _update_input(inp: type[Any], model: type[Model]) -> type[Any]:
    """The create input, every field optional, plus `archived` where the model archives."""
    if not hasattr(model, "archived_at"):
        return type(f"{model.__name__}UpdateIn", (inp,), {})
    meta = type("Meta", (inp.Meta,), {"fields": (*inp.Meta.fields, "archived")})
    archived = serializers.BooleanField(
        required=False, help_text="true: archived (no new sales); false: restored."
    )
    return type(f"{model.__name__}UpdateIn", (inp,), {"Meta": meta, "archived": archived})


def _resource(
    *,
    name: str,
    model: type[Model],
    out: type[serializers.BaseSerializer[Any]],
    inp: type[serializers.BaseSerializer[Any]],
    create: CreateService,
    update: CreateService,
    update_id: str,
    filters: tuple[str, ...] = (),
    list_create_base: type[_ListCreate] = _ListCreate,
) -> tuple[type[_ListCreate], type[_Detail]]:
    attrs = {"model": model, "out": out, "inp": inp, "create": staticmethod(create)}
    if filters:
        attrs["filterset_fields"] = filters
    list_create = type(f"{model.__name__}ListCreateView", (list_create_base,), attrs)
    list_create = extend_schema_view(
        get=extend_schema(operation_id=f"{name}_list", responses={200: out(many=True)}, tags=TAGS),
        post=extend_schema(
            operation_id=f"{name}_create",
            request=inp,
            parameters=[IDEMPOTENCY_KEY],
            responses={201: out, **error_responses(400, 401, 422)},
            tags=TAGS,
        ),
    )(list_create)
    upd = _update_input(inp, model)
    detail = type(
        f"{model.__name__}DetailView",
        (_Detail,),
        {"model": model, "out": out, "upd": upd, "update": staticmethod(update),
         "update_id": update_id},
    )  # fmt: skip
    detail = extend_schema_view(
        get=extend_schema(
            operation_id=f"{name}_retrieve", responses={200: out, **error_responses(404)}, tags=TAGS
        ),
        patch=extend_schema(
            operation_id=f"{name}_update",
            request=upd,
            responses={200: out, **error_responses(400, 401, 404, 409)},
            tags=TAGS,
        ),
    )(detail)
    return list_create, detail


class _CouponListCreate(_ListCreate):
    def get_queryset(self) -> QuerySet[Any]:
        return Coupon.objects.prefetch_related("plans", "metrics", "charges")

    def perform_create(self, data: dict[str, Any], request: Request) -> Model:
        plans = data.pop("plans", [])
        metrics = data.pop("metrics", [])
        charges = data.pop("charges", [])
        return services.coupon_create(
            actor=request_actor(request),
            as_of=timezone.now(),
            data=data,
            plan_ids=[p.pk for p in plans],
            metric_ids=[m.pk for m in metrics],
            charge_ids=[c.pk for c in charges],
        )


ProductListCreate, ProductDetail = _resource(
    name="products", model=Product, out=s.ProductOut, inp=s.ProductIn,
    create=services.product_create,
    update=services.product_update, update_id="product_id",
)  # fmt: skip
PlanListCreate, PlanDetail = _resource(
    name="plans", model=Plan, out=s.PlanOut, inp=s.PlanIn, create=services.plan_create,
    update=services.plan_update, update_id="plan_id",
    filters=("code", "currency", "interval_unit"),
)  # fmt: skip
MetricListCreate, MetricDetail = _resource(
    name="metrics", model=BillableMetric, out=s.MetricOut, inp=s.MetricIn,
    create=services.metric_create, filters=("code", "aggregation"),
    update=services.metric_update, update_id="metric_id",
)  # fmt: skip
FeatureListCreate, FeatureDetail = _resource(
    name="features", model=Feature, out=s.FeatureOut, inp=s.FeatureIn,
    create=services.feature_create,
    update=services.feature_update, update_id="feature_id",
)  # fmt: skip
AddOnListCreate, AddOnDetail = _resource(
    name="addons", model=AddOn, out=s.AddOnOut, inp=s.AddOnIn, create=services.addon_create,
    update=services.addon_update, update_id="addon_id",
    filters=("currency",),
)  # fmt: skip
TaxRateListCreate, TaxRateDetail = _resource(
    name="tax_rates", model=TaxRate, out=s.TaxRateOut, inp=s.TaxRateIn,
    create=services.tax_rate_create, filters=("country", "inclusive"),
    update=services.tax_rate_update, update_id="tax_rate_id",
)  # fmt: skip
CouponListCreate, CouponDetail = _resource(
    name="coupons", model=Coupon, out=s.CouponOut, inp=s.CouponIn,
    create=services.coupon_create, list_create_base=_CouponListCreate,
    update=services.coupon_update, update_id="coupon_id",
)  # fmt: skip


# ------------------------------------------------------------------------ plan change policies

POLICY_DESCRIPTION = (
    "When a change from one plan to another takes effect (Kill Bill's IMMEDIATE / END_OF_TERM / "
    "ILLEGAL). A change asked `auto` follows it instead of the price heuristic; a change asked "
    "`now`, `period_end` or on a date that contradicts it is refused (400 `contradicts_policy` "
    "on `when`); an `illegal` pair is refused (400 `change_not_allowed` on `plan`). A change of "
    "quantity on the same plan is not governed by plan pairs."
)


def _policy_queryset() -> QuerySet[PlanChangePolicy]:
    return PlanChangePolicy.objects.select_related("from_plan", "to_plan")


@extend_schema_view(
    get=extend_schema(
        operation_id="plan_change_policies_list",
        responses={200: s.PlanChangePolicyOut(many=True)},
        tags=TAGS,
        description=POLICY_DESCRIPTION,
    ),
    post=extend_schema(
        operation_id="plan_change_policies_create",
        request=s.PlanChangePolicyIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.PlanChangePolicyOut, **error_responses(400, 401, 422)},
        tags=TAGS,
        description=POLICY_DESCRIPTION,
    ),
)
class PlanChangePolicyListCreate(_ListCreate):
    model = PlanChangePolicy
    out = s.PlanChangePolicyOut
    inp = s.PlanChangePolicyIn
    create = staticmethod(services.plan_change_policy_create)
    filterset_fields = ("from_plan", "to_plan", "policy")

    def get_queryset(self) -> QuerySet[Any]:
        return _policy_queryset()


class PlanChangePolicyDetail(generics.GenericAPIView[Any]):
    serializer_class = s.PlanChangePolicyOut

    def get_queryset(self) -> QuerySet[PlanChangePolicy]:
        return _policy_queryset()

    @extend_schema(
        operation_id="plan_change_policies_retrieve",
        responses={200: s.PlanChangePolicyOut, **error_responses(404)},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.PlanChangePolicyOut(self.get_object()).data)

    @extend_schema(
        operation_id="plan_change_policies_update",
        request=s.PlanChangePolicyUpdateIn,
        responses={200: s.PlanChangePolicyOut, **error_responses(400, 401, 404)},
        tags=TAGS,
        description="Change the policy of the pair (the pair itself never changes).",
    )
    def patch(self, request: Request, pk: int) -> Response:
        item = self.get_object()
        data = s.PlanChangePolicyUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.plan_change_policy_update(
            policy_id=item.pk, actor=request_actor(request), as_of=timezone.now(),
            changes=dict(data.validated_data),
        )  # fmt: skip
        return Response(s.PlanChangePolicyOut(_policy_queryset().get(pk=item.pk)).data)

    @extend_schema(
        operation_id="plan_change_policies_delete",
        request=None,
        responses={204: None, **error_responses(401, 404)},
        tags=TAGS,
        description="Without a policy, a change between the two plans is timed as asked.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        item = self.get_object()
        services.plan_change_policy_delete(
            policy_id=item.pk, actor=request_actor(request), as_of=timezone.now()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------------- price books


def _version_queryset() -> QuerySet[PlanVersion]:
    return PlanVersion.objects.select_related("plan").prefetch_related(
        "charges__metric",
        "charges__tax_rate",
        "features__feature",
        "one_time_fees__tax_rate",
        "charges__phase",
        "phases",
        "usage_thresholds",
    )


def _split_version_input(data: dict[str, Any]) -> tuple[dict[str, Any], Any, Any]:
    charges = data.pop("charges", None)
    features = data.pop("features", None)
    return data, charges, features


def _one_time_fees(data: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The one-time fees given (None: not given), out of the version's other fields."""
    fees = data.pop("one_time_fees", None)
    return None if fees is None else [dict(fee) for fee in fees]


def _phases(data: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The plan phases given (None: not given), out of the version's other fields."""
    phases = data.pop("phases", None)
    return None if phases is None else [dict(phase) for phase in phases]


def _usage_thresholds(data: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The usage thresholds given (None: not given), out of the version's other fields."""
    thresholds = data.pop("usage_thresholds", None)
    return None if thresholds is None else [dict(t) for t in thresholds]


class PlanVersionListCreate(generics.GenericAPIView[Any]):
    serializer_class = s.PlanVersionOut
    filterset_fields = ("plan", "status")

    def get_queryset(self) -> QuerySet[PlanVersion]:
        return _version_queryset()

    @extend_schema(
        operation_id="plan_versions_list", responses={200: s.PlanVersionOut(many=True)}, tags=TAGS
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.PlanVersionOut(page, many=True).data)

    @extend_schema(
        operation_id="plan_versions_create",
        request=s.PlanVersionCreateIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.PlanVersionOut, **error_responses(400, 401, 409, 422)},
        tags=TAGS,
        description="Create a draft price book with its charges and features.",
    )
    def post(self, request: Request) -> Response:
        data = s.PlanVersionCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values, charges, features = _split_version_input(dict(data.validated_data))
        fees = _one_time_fees(values)
        phases = _phases(values)
        thresholds = _usage_thresholds(values)
        plan = values.pop("plan")
        version = services.plan_version_create(
            plan_id=plan.pk,
            actor=request_actor(request),
            as_of=timezone.now(),
            data=values,
            charges=charges or [],
            features=features or [],
            one_time_fees=fees or [],
            phases=phases or [],
            usage_thresholds=thresholds or [],
        )
        return Response(
            s.PlanVersionOut(_version_queryset().get(pk=version.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class PlanVersionDetail(generics.GenericAPIView[Any]):
    serializer_class = s.PlanVersionOut

    def get_queryset(self) -> QuerySet[PlanVersion]:
        return _version_queryset()

    @extend_schema(
        operation_id="plan_versions_retrieve",
        responses={200: s.PlanVersionOut, **error_responses(404)},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.PlanVersionOut(self.get_object()).data)

    @extend_schema(
        operation_id="plan_versions_update",
        request=s.PlanVersionIn(partial=True),
        responses={200: s.PlanVersionOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description="Edit a draft (charges, features, one-time fees and usage thresholds, when "
        "given, replace "
        "the lists). "
        "A published version is read-only: 409.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        version = self.get_object()
        data = s.PlanVersionIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values, charges, features = _split_version_input(dict(data.validated_data))
        fees = _one_time_fees(values)
        phases = _phases(values)
        thresholds = _usage_thresholds(values)
        services.plan_version_update(
            version_id=version.pk,
            actor=request_actor(request),
            as_of=timezone.now(),
            data=values,
            charges=charges,
            features=features,
            one_time_fees=fees,
            phases=phases,
            usage_thresholds=thresholds,
        )
        return Response(s.PlanVersionOut(_version_queryset().get(pk=version.pk)).data)


class PlanVersionPublish(generics.GenericAPIView[Any]):
    serializer_class = s.PlanVersionOut
    queryset = PlanVersion.objects.all()

    @extend_schema(
        operation_id="plan_versions_publish",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.PlanVersionOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description="Put a draft in force on [effective_from, effective_until). An open-ended "
        "version that started earlier is closed where this one starts; other overlaps: 409.",
    )
    def post(self, request: Request, pk: int) -> Response:
        version = self.get_object()
        services.plan_version_publish(
            version_id=version.pk, actor=request_actor(request), as_of=timezone.now()
        )
        return Response(s.PlanVersionOut(_version_queryset().get(pk=version.pk)).data)


class PlanVersionCopy(generics.GenericAPIView[Any]):
    serializer_class = s.PlanVersionOut
    permission_actions = {"POST": "add"}  # a new draft, as the admin's copy action
    queryset = PlanVersion.objects.all()

    @extend_schema(
        operation_id="plan_versions_copy",
        request=s.CopyIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.PlanVersionOut, **error_responses(400, 404)},
        tags=TAGS,
        description="A new draft with the same fee, trial, charges and features.",
    )
    def post(self, request: Request, pk: int) -> Response:
        version = self.get_object()
        data = s.CopyIn(data=request.data)
        data.is_valid(raise_exception=True)
        copy = services.plan_version_copy(
            version_id=version.pk,
            actor=request_actor(request),
            as_of=timezone.now(),
            effective_from=data.validated_data.get("effective_from"),
        )
        return Response(
            s.PlanVersionOut(_version_queryset().get(pk=copy.pk)).data,
            status=status.HTTP_201_CREATED,
        )


def rating_body(rating: Rating) -> dict[str, Any]:
    return {
        "currency": rating.rater.currency,
        "quantity": plain(rating.quantity),
        "amount": plain(rating.amount),
        "amount_rounded": str(rating.rounded),
        "true_up": plain(rating.true_up),
        "true_up_rounded": str(rating.rounded_true_up),
        "total": str(rating.total),
        "explanation": rating.explanation(),
    }


class PlanVersionPreview(generics.GenericAPIView[Any]):
    serializer_class = s.RatingOut
    queryset = PlanVersion.objects.select_related("plan")
    permission_actions = {"POST": "view"}  # rates a quantity, writes nothing

    @extend_schema(
        operation_id="plan_versions_preview",
        request=s.PreviewIn,
        responses={200: s.RatingOut, **error_responses(400, 404)},
        tags=TAGS,
        description="Rate a quantity with one charge of this price book, with its explanation.",
    )
    def post(self, request: Request, pk: int) -> Response:
        version = self.get_object()
        data = s.PreviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        charge = version.charges.filter(metric__code=data.validated_data["metric"]).first()
        if charge is None:
            raise ValidationFailed(
                f"{version.label} has no charge for metric {data.validated_data['metric']!r}.",
                field="metric",
            )
        return Response(_rated_body(selectors.charge_rater(charge=charge), data.validated_data))


def _rated_body(rater: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The rating's body; an amount beyond what a decimal of 28 digits holds (a huge quantity
    at a huge price) is a 400, not a 500."""
    try:
        return rating_body(_rate(rater, data))
    except InvalidOperation:
        field = "transactions" if "transactions" in data else "quantity"
        raise ValidationFailed(
            "The amount is too large: it overflows what an amount holds.",
            field=field,
            code="amount_too_large",
        ) from None


def _rate(rater: Any, data: dict[str, Any]) -> Rating:
    try:
        if "transactions" in data:
            if not hasattr(rater, "rate_transactions"):
                raise ValidationFailed(
                    "transactions apply to percentage charges only.", field="transactions"
                )
            rating: Rating = rater.rate_transactions(data["transactions"])
            return rating
        result: Rating = rater.rate(data["quantity"])
        return result
    except PricingError as exc:
        raise ValidationFailed(exc.message, field=exc.field, code="invalid_pricing") from None


class RateView(APIView):
    permission_model = PlanVersion  # pricing what a price book would charge
    permission_actions = {"POST": "view"}  # stateless: stores nothing

    @extend_schema(
        operation_id="pricing_rate",
        request=s.RateIn,
        responses={200: s.RatingOut, **error_responses(400)},
        tags=TAGS,
        description="Rate a quantity with any pricing model and parameters (nothing is stored).",
    )
    def post(self, request: Request) -> Response:
        data = s.RateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if ("quantity" in values) == ("transactions" in values):
            raise ValidationFailed("Give either quantity or transactions.", field="quantity")
        try:
            rater = compile_charge(
                values["pricing_model"],
                values["params"],
                currency=values["currency"],
                minimum=values.get("minimum_amount"),
            )
        except PricingError as exc:
            field = "params" + (f".{exc.field}" if exc.field else "")
            raise ValidationFailed(exc.message, field=field, code="invalid_pricing") from None
        except UnknownCurrencyError as exc:
            raise ValidationFailed(str(exc), field="currency", code="unknown_currency") from None
        return Response(_rated_body(rater, values))


class PlanPriceAt(generics.GenericAPIView[Any]):
    serializer_class = s.PlanVersionOut
    queryset = Plan.objects.all()

    @extend_schema(
        operation_id="plans_price_at",
        parameters=[
            OpenApiParameter("at", str, description="ISO 8601 instant; default now"),
        ],
        responses={200: s.PlanVersionOut, **error_responses(400, 404)},
        tags=TAGS,
        description="The published price book in force at an instant.",
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self.get_object()
        raw = request.query_params.get("at")
        at = parse_datetime(raw) if raw else timezone.now()
        if at is None or timezone.is_naive(at):
            raise ValidationFailed(
                "at must be an ISO 8601 instant with its offset, e.g. 2024-01-15T00:00:00Z.",
                field="at",
            )
        try:
            version = selectors.plan_version_at(plan=plan, at=at)
        except selectors.NoPriceInForce as exc:
            return Response(
                {"errors": [{"field": "at", "code": "no_price_in_force", "message": str(exc)}]},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(s.PlanVersionOut(_version_queryset().get(pk=version.pk)).data)


class PlanTimeline(generics.GenericAPIView[Any]):
    serializer_class = s.TimelineRowOut
    queryset = Plan.objects.all()
    pagination_class = None

    @extend_schema(
        operation_id="plans_timeline",
        responses={200: s.TimelineRowOut(many=True), **error_responses(404)},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = get_object_or_404(Plan, pk=pk)
        return Response(s.TimelineRowOut(selectors.plan_timeline(plan=plan), many=True).data)


CurrencyOut = inline_serializer(
    name="Currency",
    fields={
        "code": serializers.CharField(),
        "exponent": serializers.IntegerField(help_text="Decimal places of the minor unit."),
        "name": serializers.CharField(),
    },
    many=True,
)


class CurrencyListView(APIView):
    """The currencies that can be billed in, with their ISO 4217 minor-unit exponent."""

    permission_model = Plan  # reference data of the catalog

    @extend_schema(responses=CurrencyOut, operation_id="currencies_list", tags=TAGS)
    def get(self, request: Request) -> Response:
        return Response(
            [{"code": c.code, "exponent": c.exponent, "name": c.name} for c in currencies()]
        )
