import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.invoices_list_status import InvoicesListStatus
from ...models.paginated_invoice_out_list import PaginatedInvoiceOutList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    billing_date_gte: datetime.datetime | Unset = UNSET,
    billing_date_lt: datetime.datetime | Unset = UNSET,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    livemode: bool | Unset = UNSET,
    status: InvoicesListStatus | Unset = UNSET,
    test_clock: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_billing_date_gte: str | Unset = UNSET
    if not isinstance(billing_date_gte, Unset):
        json_billing_date_gte = billing_date_gte.isoformat()
    params["billing_date__gte"] = json_billing_date_gte

    json_billing_date_lt: str | Unset = UNSET
    if not isinstance(billing_date_lt, Unset):
        json_billing_date_lt = billing_date_lt.isoformat()
    params["billing_date__lt"] = json_billing_date_lt

    params["cursor"] = cursor

    params["customer"] = customer

    params["limit"] = limit

    params["livemode"] = livemode

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params["test_clock"] = test_clock

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/invoices/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedInvoiceOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedInvoiceOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedInvoiceOutList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    billing_date_gte: datetime.datetime | Unset = UNSET,
    billing_date_lt: datetime.datetime | Unset = UNSET,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    livemode: bool | Unset = UNSET,
    status: InvoicesListStatus | Unset = UNSET,
    test_clock: int | Unset = UNSET,
) -> Response[ErrorBody | PaginatedInvoiceOutList]:
    """Required scope: `invoices:read` (or `invoices:write`, `read`, `full`).

    Args:
        billing_date_gte (datetime.datetime | Unset):
        billing_date_lt (datetime.datetime | Unset):
        cursor (str | Unset):
        customer (str | Unset):
        limit (int | Unset):
        livemode (bool | Unset):
        status (InvoicesListStatus | Unset):
        test_clock (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedInvoiceOutList]
    """

    kwargs = _get_kwargs(
        billing_date_gte=billing_date_gte,
        billing_date_lt=billing_date_lt,
        cursor=cursor,
        customer=customer,
        limit=limit,
        livemode=livemode,
        status=status,
        test_clock=test_clock,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    billing_date_gte: datetime.datetime | Unset = UNSET,
    billing_date_lt: datetime.datetime | Unset = UNSET,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    livemode: bool | Unset = UNSET,
    status: InvoicesListStatus | Unset = UNSET,
    test_clock: int | Unset = UNSET,
) -> ErrorBody | PaginatedInvoiceOutList | None:
    """Required scope: `invoices:read` (or `invoices:write`, `read`, `full`).

    Args:
        billing_date_gte (datetime.datetime | Unset):
        billing_date_lt (datetime.datetime | Unset):
        cursor (str | Unset):
        customer (str | Unset):
        limit (int | Unset):
        livemode (bool | Unset):
        status (InvoicesListStatus | Unset):
        test_clock (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedInvoiceOutList
    """

    return sync_detailed(
        client=client,
        billing_date_gte=billing_date_gte,
        billing_date_lt=billing_date_lt,
        cursor=cursor,
        customer=customer,
        limit=limit,
        livemode=livemode,
        status=status,
        test_clock=test_clock,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    billing_date_gte: datetime.datetime | Unset = UNSET,
    billing_date_lt: datetime.datetime | Unset = UNSET,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    livemode: bool | Unset = UNSET,
    status: InvoicesListStatus | Unset = UNSET,
    test_clock: int | Unset = UNSET,
) -> Response[ErrorBody | PaginatedInvoiceOutList]:
    """Required scope: `invoices:read` (or `invoices:write`, `read`, `full`).

    Args:
        billing_date_gte (datetime.datetime | Unset):
        billing_date_lt (datetime.datetime | Unset):
        cursor (str | Unset):
        customer (str | Unset):
        limit (int | Unset):
        livemode (bool | Unset):
        status (InvoicesListStatus | Unset):
        test_clock (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedInvoiceOutList]
    """

    kwargs = _get_kwargs(
        billing_date_gte=billing_date_gte,
        billing_date_lt=billing_date_lt,
        cursor=cursor,
        customer=customer,
        limit=limit,
        livemode=livemode,
        status=status,
        test_clock=test_clock,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    billing_date_gte: datetime.datetime | Unset = UNSET,
    billing_date_lt: datetime.datetime | Unset = UNSET,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    livemode: bool | Unset = UNSET,
    status: InvoicesListStatus | Unset = UNSET,
    test_clock: int | Unset = UNSET,
) -> ErrorBody | PaginatedInvoiceOutList | None:
    """Required scope: `invoices:read` (or `invoices:write`, `read`, `full`).

    Args:
        billing_date_gte (datetime.datetime | Unset):
        billing_date_lt (datetime.datetime | Unset):
        cursor (str | Unset):
        customer (str | Unset):
        limit (int | Unset):
        livemode (bool | Unset):
        status (InvoicesListStatus | Unset):
        test_clock (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedInvoiceOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            billing_date_gte=billing_date_gte,
            billing_date_lt=billing_date_lt,
            cursor=cursor,
            customer=customer,
            limit=limit,
            livemode=livemode,
            status=status,
            test_clock=test_clock,
        )
    ).parsed
