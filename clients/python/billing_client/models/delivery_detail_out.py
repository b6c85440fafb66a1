from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_state_enum import PaymentStateEnum
from ..models.webhook_delivery_kind_enum import WebhookDeliveryKindEnum

if TYPE_CHECKING:
    from ..models.attempt_out import AttemptOut


T = TypeVar("T", bound="DeliveryDetailOut")


@_attrs_define
class DeliveryDetailOut:
    """
    Attributes:
        id (int):
        endpoint (int):
        event (str): the event's id = webhook-id
        event_type (str):
        subject (str):
        kind (WebhookDeliveryKindEnum): * `event` - Event
            * `replay` - Replay
            * `test` - Test
        status (PaymentStateEnum): * `pending` - Pending
            * `succeeded` - Succeeded
            * `failed` - Failed
        attempts (int):
        next_attempt_at (datetime.datetime | None):
        last_status_code (int | None):
        last_error (str):
        requested_by (str):
        created_at (datetime.datetime):
        finished_at (datetime.datetime | None):
        attempt_log (list[AttemptOut]): every attempt, oldest first
    """

    id: int
    endpoint: int
    event: str
    event_type: str
    subject: str
    kind: WebhookDeliveryKindEnum
    status: PaymentStateEnum
    attempts: int
    next_attempt_at: datetime.datetime | None
    last_status_code: int | None
    last_error: str
    requested_by: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    attempt_log: list[AttemptOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        endpoint = self.endpoint

        event = self.event

        event_type = self.event_type

        subject = self.subject

        kind = self.kind.value

        status = self.status.value

        attempts = self.attempts

        next_attempt_at: None | str
        if isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        last_status_code: int | None
        last_status_code = self.last_status_code

        last_error = self.last_error

        requested_by = self.requested_by

        created_at = self.created_at.isoformat()

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        attempt_log = []
        for attempt_log_item_data in self.attempt_log:
            attempt_log_item = attempt_log_item_data.to_dict()
            attempt_log.append(attempt_log_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "endpoint": endpoint,
                "event": event,
                "event_type": event_type,
                "subject": subject,
                "kind": kind,
                "status": status,
                "attempts": attempts,
                "next_attempt_at": next_attempt_at,
                "last_status_code": last_status_code,
                "last_error": last_error,
                "requested_by": requested_by,
                "created_at": created_at,
                "finished_at": finished_at,
                "attempt_log": attempt_log,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.attempt_out import AttemptOut  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        endpoint = d.pop("endpoint")

        event = d.pop("event")

        event_type = d.pop("event_type")

        subject = d.pop("subject")

        kind = WebhookDeliveryKindEnum(d.pop("kind"))

        status = PaymentStateEnum(d.pop("status"))

        attempts = d.pop("attempts")

        def _parse_next_attempt_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("next_attempt_at"))

        def _parse_last_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        last_status_code = _parse_last_status_code(d.pop("last_status_code"))

        last_error = d.pop("last_error")

        requested_by = d.pop("requested_by")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        attempt_log = []
        _attempt_log = d.pop("attempt_log")
        for attempt_log_item_data in _attempt_log:
            attempt_log_item = AttemptOut.from_dict(attempt_log_item_data)

            attempt_log.append(attempt_log_item)

        delivery_detail_out = cls(
            id=id,
            endpoint=endpoint,
            event=event,
            event_type=event_type,
            subject=subject,
            kind=kind,
            status=status,
            attempts=attempts,
            next_attempt_at=next_attempt_at,
            last_status_code=last_status_code,
            last_error=last_error,
            requested_by=requested_by,
            created_at=created_at,
            finished_at=finished_at,
            attempt_log=attempt_log,
        )

        delivery_detail_out.additional_properties = d
        return delivery_detail_out

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
