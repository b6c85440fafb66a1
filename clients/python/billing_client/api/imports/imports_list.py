from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.imports_list_status import ImportsListStatus
from ...models.paginated_import_run_out_list import PaginatedImportRunOutList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    customer: float | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: ImportsListStatus | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["customer"] = customer

    params["limit"] = limit

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/imports/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedImportRunOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedImportRunOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedImportRunOutList]:
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
    customer: float | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: ImportsListStatus | Unset = UNSET,
) -> Response[ErrorBody | PaginatedImportRunOutList]:
    """Import runs, newest first, with their status, the subscriptions they created and the invoices their
    replay produced.

    Required scope: `imports:read` (or `imports:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (float | Unset):
        limit (int | Unset):
        status (ImportsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedImportRunOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        customer=customer,
        limit=limit,
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
    customer: float | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: ImportsListStatus | Unset = UNSET,
) -> ErrorBody | PaginatedImportRunOutList | None:
    """Import runs, newest first, with their status, the subscriptions they created and the invoices their
    replay produced.

    Required scope: `imports:read` (or `imports:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (float | Unset):
        limit (int | Unset):
        status (ImportsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedImportRunOutList
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        customer=customer,
        limit=limit,
        status=status,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    customer: float | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: ImportsListStatus | Unset = UNSET,
) -> Response[ErrorBody | PaginatedImportRunOutList]:
    """Import runs, newest first, with their status, the subscriptions they created and the invoices their
    replay produced.

    Required scope: `imports:read` (or `imports:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (float | Unset):
        limit (int | Unset):
        status (ImportsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedImportRunOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        customer=customer,
        limit=limit,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    customer: float | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: ImportsListStatus | Unset = UNSET,
) -> ErrorBody | PaginatedImportRunOutList | None:
    """Import runs, newest first, with their status, the subscriptions they created and the invoices their
    replay produced.

    Required scope: `imports:read` (or `imports:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (float | Unset):
        limit (int | Unset):
        status (ImportsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedImportRunOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            customer=customer,
            limit=limit,
            status=status,
        )
    ).parsed
