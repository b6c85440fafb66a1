from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.paginated_test_clock_out_list import PaginatedTestClockOutList
from ...models.test_clocks_list_status import TestClocksListStatus
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    deleted: bool | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: TestClocksListStatus | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["deleted"] = deleted

    params["limit"] = limit

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/test-clocks/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedTestClockOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedTestClockOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedTestClockOutList]:
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
    deleted: bool | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: TestClocksListStatus | Unset = UNSET,
) -> Response[ErrorBody | PaginatedTestClockOutList]:
    """Test clocks, newest first; `deleted=false` leaves deleted ones out.

    Required scope: `test_clocks:read` (or `test_clocks:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        deleted (bool | Unset):
        limit (int | Unset):
        status (TestClocksListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedTestClockOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        deleted=deleted,
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
    deleted: bool | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: TestClocksListStatus | Unset = UNSET,
) -> ErrorBody | PaginatedTestClockOutList | None:
    """Test clocks, newest first; `deleted=false` leaves deleted ones out.

    Required scope: `test_clocks:read` (or `test_clocks:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        deleted (bool | Unset):
        limit (int | Unset):
        status (TestClocksListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedTestClockOutList
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        deleted=deleted,
        limit=limit,
        status=status,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    deleted: bool | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: TestClocksListStatus | Unset = UNSET,
) -> Response[ErrorBody | PaginatedTestClockOutList]:
    """Test clocks, newest first; `deleted=false` leaves deleted ones out.

    Required scope: `test_clocks:read` (or `test_clocks:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        deleted (bool | Unset):
        limit (int | Unset):
        status (TestClocksListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedTestClockOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        deleted=deleted,
        limit=limit,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    deleted: bool | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: TestClocksListStatus | Unset = UNSET,
) -> ErrorBody | PaginatedTestClockOutList | None:
    """Test clocks, newest first; `deleted=false` leaves deleted ones out.

    Required scope: `test_clocks:read` (or `test_clocks:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        deleted (bool | Unset):
        limit (int | Unset):
        status (TestClocksListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedTestClockOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            deleted=deleted,
            limit=limit,
            status=status,
        )
    ).parsed
