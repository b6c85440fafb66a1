from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.corrections_list_kind import CorrectionsListKind
from ...models.corrections_list_status import CorrectionsListStatus
from ...models.error_body import ErrorBody
from ...models.paginated_correction_out_list import PaginatedCorrectionOutList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    invoice: float | Unset = UNSET,
    kind: CorrectionsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    metric: str | Unset = UNSET,
    status: CorrectionsListStatus | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["customer"] = customer

    params["invoice"] = invoice

    json_kind: str | Unset = UNSET
    if not isinstance(kind, Unset):
        json_kind = kind.value

    params["kind"] = json_kind

    params["limit"] = limit

    params["metric"] = metric

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/corrections/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedCorrectionOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedCorrectionOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedCorrectionOutList]:
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
    invoice: float | Unset = UNSET,
    kind: CorrectionsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    metric: str | Unset = UNSET,
    status: CorrectionsListStatus | Unset = UNSET,
) -> Response[ErrorBody | PaginatedCorrectionOutList]:
    """Re-ratings of billed usage windows that differ from what was invoiced: proposed (waiting for
    approval) or applied (with their document).

    Required scope: `invoices:read` (or `invoices:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        invoice (float | Unset):
        kind (CorrectionsListKind | Unset):
        limit (int | Unset):
        metric (str | Unset):
        status (CorrectionsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedCorrectionOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        customer=customer,
        invoice=invoice,
        kind=kind,
        limit=limit,
        metric=metric,
        status=status,
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
    invoice: float | Unset = UNSET,
    kind: CorrectionsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    metric: str | Unset = UNSET,
    status: CorrectionsListStatus | Unset = UNSET,
) -> ErrorBody | PaginatedCorrectionOutList | None:
    """Re-ratings of billed usage windows that differ from what was invoiced: proposed (waiting for
    approval) or applied (with their document).

    Required scope: `invoices:read` (or `invoices:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        invoice (float | Unset):
        kind (CorrectionsListKind | Unset):
        limit (int | Unset):
        metric (str | Unset):
        status (CorrectionsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedCorrectionOutList
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        customer=customer,
        invoice=invoice,
        kind=kind,
        limit=limit,
        metric=metric,
        status=status,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    invoice: float | Unset = UNSET,
    kind: CorrectionsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    metric: str | Unset = UNSET,
    status: CorrectionsListStatus | Unset = UNSET,
) -> Response[ErrorBody | PaginatedCorrectionOutList]:
    """Re-ratings of billed usage windows that differ from what was invoiced: proposed (waiting for
    approval) or applied (with their document).

    Required scope: `invoices:read` (or `invoices:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        invoice (float | Unset):
        kind (CorrectionsListKind | Unset):
        limit (int | Unset):
        metric (str | Unset):
        status (CorrectionsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedCorrectionOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        customer=customer,
        invoice=invoice,
        kind=kind,
        limit=limit,
        metric=metric,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    invoice: float | Unset = UNSET,
    kind: CorrectionsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    metric: str | Unset = UNSET,
    status: CorrectionsListStatus | Unset = UNSET,
) -> ErrorBody | PaginatedCorrectionOutList | None:
    """Re-ratings of billed usage windows that differ from what was invoiced: proposed (waiting for
    approval) or applied (with their document).

    Required scope: `invoices:read` (or `invoices:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        invoice (float | Unset):
        kind (CorrectionsListKind | Unset):
        limit (int | Unset):
        metric (str | Unset):
        status (CorrectionsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedCorrectionOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            customer=customer,
            invoice=invoice,
            kind=kind,
            limit=limit,
            metric=metric,
            status=status,
        )
    ).parsed
