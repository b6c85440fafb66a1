from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.notification_state_enum import NotificationStateEnum
from ..models.notification_template_enum import NotificationTemplateEnum

T = TypeVar("T", bound="NotificationOut")


@_attrs_define
class NotificationOut:
    """
    Attributes:
        id (int):
        customer (str): the customer's external id
        customer_id (int):
        template (NotificationTemplateEnum): * `invoice_finalized` - invoice finalized
            * `payment_receipt` - payment receipt
            * `payment_failed` - payment failed
            * `credit_note_issued` - credit note issued
            * `trial_ending` - trial ending
            * `upcoming_renewal` - upcoming renewal
            * `dunning_reminder` - dunning reminder
            * `dunning_warning` - dunning warning
            * `dunning_suspension` - dunning suspension
            * `dunning_cancellation` - dunning cancellation
        state (NotificationStateEnum): * `pending` - Pending
            * `sending` - Sending
            * `sent` - Sent
            * `failed` - Failed
            * `skipped` - Skipped
        recipient (str): the address it goes to (empty: the customer had none)
        subject (str): the subject as sent (empty until it is sent)
        locale (str): the language it was written in (en, de)
        event (int | None): the journal event it tells about (null: a clock notice such as a renewal)
        resend_of (int | None): the notification this one sends again
        requested_by (str): Who asked for a resend (empty: automatic).
        attempts (int):
        last_error (str): why the last attempt failed, or why it was skipped
        next_attempt_at (datetime.datetime | None):
        sent_at (datetime.datetime | None):
        message_id (str): the Message-ID header it was sent with
        created_at (datetime.datetime):
    """

    id: int
    customer: str
    customer_id: int
    template: NotificationTemplateEnum
    state: NotificationStateEnum
    recipient: str
    subject: str
    locale: str
    event: int | None
    resend_of: int | None
    requested_by: str
    attempts: int
    last_error: str
    next_attempt_at: datetime.datetime | None
    sent_at: datetime.datetime | None
    message_id: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        customer = self.customer

        customer_id = self.customer_id

        template = self.template.value

        state = self.state.value

        recipient = self.recipient

        subject = self.subject

        locale = self.locale

        event: int | None
        event = self.event

        resend_of: int | None
        resend_of = self.resend_of

        requested_by = self.requested_by

        attempts = self.attempts

        last_error = self.last_error

        next_attempt_at: None | str
        if isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        sent_at: None | str
        if isinstance(self.sent_at, datetime.datetime):
            sent_at = self.sent_at.isoformat()
        else:
            sent_at = self.sent_at

        message_id = self.message_id

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "customer": customer,
                "customer_id": customer_id,
                "template": template,
                "state": state,
                "recipient": recipient,
                "subject": subject,
                "locale": locale,
                "event": event,
                "resend_of": resend_of,
                "requested_by": requested_by,
                "attempts": attempts,
                "last_error": last_error,
                "next_attempt_at": next_attempt_at,
                "sent_at": sent_at,
                "message_id": message_id,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        customer = d.pop("customer")

        customer_id = d.pop("customer_id")

        template = NotificationTemplateEnum(d.pop("template"))

        state = NotificationStateEnum(d.pop("state"))

        recipient = d.pop("recipient")

        subject = d.pop("subject")

        locale = d.pop("locale")

        def _parse_event(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        event = _parse_event(d.pop("event"))

        def _parse_resend_of(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        resend_of = _parse_resend_of(d.pop("resend_of"))

        requested_by = d.pop("requested_by")

        attempts = d.pop("attempts")

        last_error = d.pop("last_error")

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

        def _parse_sent_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sent_at_type_0 = datetime.datetime.fromisoformat(data)

                return sent_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        sent_at = _parse_sent_at(d.pop("sent_at"))

        message_id = d.pop("message_id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        notification_out = cls(
            id=id,
            customer=customer,
            customer_id=customer_id,
            template=template,
            state=state,
            recipient=recipient,
            subject=subject,
            locale=locale,
            event=event,
            resend_of=resend_of,
            requested_by=requested_by,
            attempts=attempts,
            last_error=last_error,
            next_attempt_at=next_attempt_at,
            sent_at=sent_at,
            message_id=message_id,
            created_at=created_at,
        )

        notification_out.additional_properties = d
        return notification_out

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
