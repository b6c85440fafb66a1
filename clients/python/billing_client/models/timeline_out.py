from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.change_out import ChangeOut
    from ..models.pause_out import PauseOut
    from ..models.period_out import PeriodOut
    from ..models.proration_line_out import ProrationLineOut
    from ..models.subscription_out import SubscriptionOut


T = TypeVar("T", bound="TimelineOut")


@_attrs_define
class TimelineOut:
    """
    Attributes:
        subscription (SubscriptionOut):
        periods (list[PeriodOut]):
        changes (list[ChangeOut]):
        pauses (list[PauseOut]):
        proration_lines (list[ProrationLineOut]):
    """

    subscription: SubscriptionOut
    periods: list[PeriodOut]
    changes: list[ChangeOut]
    pauses: list[PauseOut]
    proration_lines: list[ProrationLineOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subscription = self.subscription.to_dict()

        periods = []
        for periods_item_data in self.periods:
            periods_item = periods_item_data.to_dict()
            periods.append(periods_item)

        changes = []
        for changes_item_data in self.changes:
            changes_item = changes_item_data.to_dict()
            changes.append(changes_item)

        pauses = []
        for pauses_item_data in self.pauses:
            pauses_item = pauses_item_data.to_dict()
            pauses.append(pauses_item)

        proration_lines = []
        for proration_lines_item_data in self.proration_lines:
            proration_lines_item = proration_lines_item_data.to_dict()
            proration_lines.append(proration_lines_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subscription": subscription,
                "periods": periods,
                "changes": changes,
                "pauses": pauses,
                "proration_lines": proration_lines,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.change_out import ChangeOut  # noqa: PLC0415
        from ..models.pause_out import PauseOut  # noqa: PLC0415
        from ..models.period_out import PeriodOut  # noqa: PLC0415
        from ..models.proration_line_out import ProrationLineOut  # noqa: PLC0415
        from ..models.subscription_out import SubscriptionOut  # noqa: PLC0415

        d = dict(src_dict)
        subscription = SubscriptionOut.from_dict(d.pop("subscription"))

        periods = []
        _periods = d.pop("periods")
        for periods_item_data in _periods:
            periods_item = PeriodOut.from_dict(periods_item_data)

            periods.append(periods_item)

        changes = []
        _changes = d.pop("changes")
        for changes_item_data in _changes:
            changes_item = ChangeOut.from_dict(changes_item_data)

            changes.append(changes_item)

        pauses = []
        _pauses = d.pop("pauses")
        for pauses_item_data in _pauses:
            pauses_item = PauseOut.from_dict(pauses_item_data)

            pauses.append(pauses_item)

        proration_lines = []
        _proration_lines = d.pop("proration_lines")
        for proration_lines_item_data in _proration_lines:
            proration_lines_item = ProrationLineOut.from_dict(proration_lines_item_data)

            proration_lines.append(proration_lines_item)

        timeline_out = cls(
            subscription=subscription,
            periods=periods,
            changes=changes,
            pauses=pauses,
            proration_lines=proration_lines,
        )

        timeline_out.additional_properties = d
        return timeline_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
