import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.paginated_payment_out_list import PaginatedPaymentOutList
from ...models.payments_list_gateway import PaymentsListGateway
from ...models.payments_list_kind import PaymentsListKind
from ...models.payments_list_state import PaymentsListState
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    gateway: PaymentsListGateway | Unset = UNSET,
    invoice: int | Unset = UNSET,
    kind: PaymentsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    received_after: datetime.datetime | Unset = UNSET,
    received_before: datetime.datetime | Unset = UNSET,
    state: PaymentsListState | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["customer"] = customer

    json_gateway: str | Unset = UNSET
    if not isinstance(gateway, Unset):
        json_gateway = gateway.value

    params["gateway"] = json_gateway

    params["invoice"] = invoice

    json_kind: str | Unset = UNSET
    if not isinstance(kind, Unset):
        json_kind = kind.value

    params["kind"] = json_kind

    params["limit"] = limit

    json_received_after: str | Unset = UNSET
    if not isinstance(received_after, Unset):
        json_received_after = received_after.isoformat()
    params["received_after"] = json_received_after

    json_received_before: str | Unset = UNSET
    if not isinstance(received_before, Unset):
        json_received_before = received_before.isoformat()
    params["received_before"] = json_received_before

    json_state: str | Unset = UNSET
    if not isinstance(state, Unset):
        json_state = state.value

    params["state"] = json_state

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/payments/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedPaymentOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedPaymentOutList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | PaginatedPaymentOutList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    gateway: PaymentsListGateway | Unset = UNSET,
    invoice: int | Unset = UNSET,
    kind: PaymentsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    received_after: datetime.datetime | Unset = UNSET,
    received_before: datetime.datetime | Unset = UNSET,
    state: PaymentsListState | Unset = UNSET,
) -> Response[ErrorBody | PaginatedPaymentOutList]:
    """Payments, newest first: automatic charges (with their invoice, attempt and next retry) and payments
    recorded by staff. `invoice` lists the payments collecting an invoice or applied to it.

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        gateway (PaymentsListGateway | Unset):
        invoice (int | Unset):
        kind (PaymentsListKind | Unset):
        limit (int | Unset):
        received_after (datetime.datetime | Unset):
        received_before (datetime.datetime | Unset):
        state (PaymentsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedPaymentOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        customer=customer,
        gateway=gateway,
        invoice=invoice,
        kind=kind,
        limit=limit,
        received_after=received_after,
        received_before=received_before,
        state=state,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    gateway: PaymentsListGateway | Unset = UNSET,
    invoice: int | Unset = UNSET,
    kind: PaymentsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    received_after: datetime.datetime | Unset = UNSET,
    received_before: datetime.datetime | Unset = UNSET,
    state: PaymentsListState | Unset = UNSET,
) -> ErrorBody | PaginatedPaymentOutList | None:
    """Payments, newest first: automatic charges (with their invoice, attempt and next retry) and payments
    recorded by staff. `invoice` lists the payments collecting an invoice or applied to it.

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        gateway (PaymentsListGateway | Unset):
        invoice (int | Unset):
        kind (PaymentsListKind | Unset):
        limit (int | Unset):
        received_after (datetime.datetime | Unset):
        received_before (datetime.datetime | Unset):
        state (PaymentsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedPaymentOutList
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        customer=customer,
        gateway=gateway,
        invoice=invoice,
        kind=kind,
        limit=limit,
        received_after=received_after,
        received_before=received_before,
        state=state,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    gateway: PaymentsListGateway | Unset = UNSET,
    invoice: int | Unset = UNSET,
    kind: PaymentsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    received_after: datetime.datetime | Unset = UNSET,
    received_before: datetime.datetime | Unset = UNSET,
    state: PaymentsListState | Unset = UNSET,
) -> Response[ErrorBody | PaginatedPaymentOutList]:
    """Payments, newest first: automatic charges (with their invoice, attempt and next retry) and payments
    recorded by staff. `invoice` lists the payments collecting an invoice or applied to it.

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        gateway (PaymentsListGateway | Unset):
        invoice (int | Unset):
        kind (PaymentsListKind | Unset):
        limit (int | Unset):
        received_after (datetime.datetime | Unset):
        received_before (datetime.datetime | Unset):
        state (PaymentsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedPaymentOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        customer=customer,
        gateway=gateway,
        invoice=invoice,
        kind=kind,
        limit=limit,
        received_after=received_after,
        received_before=received_before,
        state=state,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    gateway: PaymentsListGateway | Unset = UNSET,
    invoice: int | Unset = UNSET,
    kind: PaymentsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    received_after: datetime.datetime | Unset = UNSET,
    received_before: datetime.datetime | Unset = UNSET,
    state: PaymentsListState | Unset = UNSET,
) -> ErrorBody | PaginatedPaymentOutList | None:
    """Payments, newest first: automatic charges (with their invoice, attempt and next retry) and payments
    recorded by staff. `invoice` lists the payments collecting an invoice or applied to it.

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        gateway (PaymentsListGateway | Unset):
        invoice (int | Unset):
        kind (PaymentsListKind | Unset):
        limit (int | Unset):
        received_after (datetime.datetime | Unset):
        received_before (datetime.datetime | Unset):
        state (PaymentsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedPaymentOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            customer=customer,
            gateway=gateway,
            invoice=invoice,
            kind=kind,
            limit=limit,
            received_after=received_after,
            received_before=received_before,
            state=state,
        )
    ).parsed
