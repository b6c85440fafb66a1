"""Test clocks' API input and output."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from billing.models import TestClock, TestClockStatus


class TestClockIn(serializers.Serializer[Any]):
    __test__ = False

    name = serializers.CharField(max_length=100)
    frozen_time = serializers.DateTimeField(
        help_text="The clock's time to start from (ISO 8601 with its offset); past or future, "
        "between 1970-01-01 and 9000-01-01 (400 `out_of_range`)."
    )


class TestClockAdvanceIn(serializers.Serializer[Any]):
    __test__ = False

    frozen_time = serializers.DateTimeField(
        help_text="The time to move to: after the clock's time, and at most two intervals of "
        "the shortest billing interval of its customers' subscriptions ahead (one year when "
        "they have none); see `advance_limit`."
    )


class TestClockOut(serializers.ModelSerializer[TestClock]):
    __test__ = False

    status = serializers.ChoiceField(
        choices=TestClockStatus.choices,
        help_text="`ready`; `advancing` while an advance runs (frozen_time moves step by step "
        "to advancing_to); `failed` when an advance stopped on an error (last_error), at the "
        "last time it reached.",
    )
    customers = serializers.IntegerField(
        source="customer_count", read_only=True, help_text="How many test customers it has."
    )
    livemode = serializers.SerializerMethodField(help_text="Always false: a test object.")

    class Meta:
        model = TestClock
        fields: tuple[str, ...] = (
            "id",
            "name",
            "frozen_time",
            "status",
            "advancing_to",
            "last_error",
            "customers",
            "livemode",
            "created_at",
            "updated_at",
            "deleted_at",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_livemode(self, obj: TestClock) -> bool:
        return False


class TestClockDetailOut(TestClockOut):
    advance_limit = serializers.SerializerMethodField(
        help_text="The furthest time one advance may move to now (null once deleted)."
    )

    class Meta(TestClockOut.Meta):
        fields: tuple[str, ...] = (*TestClockOut.Meta.fields, "advance_limit")
        read_only_fields: tuple[str, ...] = fields

    def get_advance_limit(self, obj: TestClock) -> str | None:
        from billing.services.testclocks import advance_limit

        if obj.is_deleted:
            return None
        return advance_limit(obj)[0].isoformat()
