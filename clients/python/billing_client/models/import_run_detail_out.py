from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.import_status_enum import ImportStatusEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.import_invoice_out import ImportInvoiceOut
    from ..models.import_run_detail_out_policy_overrides_item import ImportRunDetailOutPolicyOverridesItem


T = TypeVar("T", bound="ImportRunDetailOut")


@_attrs_define
class ImportRunDetailOut:
    """
    Attributes:
        id (int):
        key (str): The import's idempotency key.
        status (ImportStatusEnum): * `running` - running
            * `succeeded` - succeeded
            * `failed` - failed
        subscriptions (list[int]):
        invoices (list[ImportInvoiceOut]):
        billed_until (datetime.datetime): The instant the replay bills up to (now).
        notify (bool):
        settle (str):
        policy_overrides (list[ImportRunDetailOutPolicyOverridesItem]): The change and cancellation policies the replay
            overrode (a history is replayed as it happened): path, at, action, policy, what.
        actor (str):
        created_at (datetime.datetime):
        document (Any):
        customer (int | None | Unset):
        steps (int | Unset): Replay steps in the document.
        done (int | Unset): Replay steps done.
        job (int | None | Unset):
        error (str | Unset):
        error_field (str | Unset):
        error_code (str | Unset):
        finished_at (datetime.datetime | None | Unset):
    """

    id: int
    key: str
    status: ImportStatusEnum
    subscriptions: list[int]
    invoices: list[ImportInvoiceOut]
    billed_until: datetime.datetime
    notify: bool
    settle: str
    policy_overrides: list[ImportRunDetailOutPolicyOverridesItem]
    actor: str
    created_at: datetime.datetime
    document: Any
    customer: int | None | Unset = UNSET
    steps: int | Unset = UNSET
    done: int | Unset = UNSET
    job: int | None | Unset = UNSET
    error: str | Unset = UNSET
    error_field: str | Unset = UNSET
    error_code: str | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        key = self.key

        status = self.status.value

        subscriptions = self.subscriptions

        invoices = []
        for invoices_item_data in self.invoices:
            invoices_item = invoices_item_data.to_dict()
            invoices.append(invoices_item)

        billed_until = self.billed_until.isoformat()

        notify = self.notify

        settle = self.settle

        policy_overrides = []
        for policy_overrides_item_data in self.policy_overrides:
            policy_overrides_item = policy_overrides_item_data.to_dict()
            policy_overrides.append(policy_overrides_item)

        actor = self.actor

        created_at = self.created_at.isoformat()

        document = self.document

        customer: int | None | Unset
        if isinstance(self.customer, Unset):
            customer = UNSET
        else:
            customer = self.customer

        steps = self.steps

        done = self.done

        job: int | None | Unset
        if isinstance(self.job, Unset):
            job = UNSET
        else:
            job = self.job

        error = self.error

        error_field = self.error_field

        error_code = self.error_code

        finished_at: None | str | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        elif isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "key": key,
                "status": status,
                "subscriptions": subscriptions,
                "invoices": invoices,
                "billed_until": billed_until,
                "notify": notify,
                "settle": settle,
                "policy_overrides": policy_overrides,
                "actor": actor,
                "created_at": created_at,
                "document": document,
            }
        )
        if customer is not UNSET:
            field_dict["customer"] = customer
        if steps is not UNSET:
            field_dict["steps"] = steps
        if done is not UNSET:
            field_dict["done"] = done
        if job is not UNSET:
            field_dict["job"] = job
        if error is not UNSET:
            field_dict["error"] = error
        if error_field is not UNSET:
            field_dict["error_field"] = error_field
        if error_code is not UNSET:
            field_dict["error_code"] = error_code
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.import_invoice_out import ImportInvoiceOut  # noqa: PLC0415
        from ..models.import_run_detail_out_policy_overrides_item import ImportRunDetailOutPolicyOverridesItem  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        key = d.pop("key")

        status = ImportStatusEnum(d.pop("status"))

        subscriptions = cast(list[int], d.pop("subscriptions"))

        invoices = []
        _invoices = d.pop("invoices")
        for invoices_item_data in _invoices:
            invoices_item = ImportInvoiceOut.from_dict(invoices_item_data)

            invoices.append(invoices_item)

        billed_until = datetime.datetime.fromisoformat(d.pop("billed_until"))

        notify = d.pop("notify")

        settle = d.pop("settle")

        policy_overrides = []
        _policy_overrides = d.pop("policy_overrides")
        for policy_overrides_item_data in _policy_overrides:
            policy_overrides_item = ImportRunDetailOutPolicyOverridesItem.from_dict(policy_overrides_item_data)

            policy_overrides.append(policy_overrides_item)

        actor = d.pop("actor")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        document = d.pop("document")

        def _parse_customer(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        customer = _parse_customer(d.pop("customer", UNSET))

        steps = d.pop("steps", UNSET)

        done = d.pop("done", UNSET)

        def _parse_job(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        job = _parse_job(d.pop("job", UNSET))

        error = d.pop("error", UNSET)

        error_field = d.pop("error_field", UNSET)

        error_code = d.pop("error_code", UNSET)

        def _parse_finished_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finished_at", UNSET))

        import_run_detail_out = cls(
            id=id,
            key=key,
            status=status,
            subscriptions=subscriptions,
            invoices=invoices,
            billed_until=billed_until,
            notify=notify,
            settle=settle,
            policy_overrides=policy_overrides,
            actor=actor,
            created_at=created_at,
            document=document,
            customer=customer,
            steps=steps,
            done=done,
            job=job,
            error=error,
            error_field=error_field,
            error_code=error_code,
            finished_at=finished_at,
        )

        import_run_detail_out.additional_properties = d
        return import_run_detail_out

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
