from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.paginated_payee_out_list import PaginatedPayeeOutList
from ...models.payees_list_state import PayeesListState
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    state: PayeesListState | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["external_id"] = external_id

    params["limit"] = limit

    json_state: str | Unset = UNSET
    if not isinstance(state, Unset):
        json_state = state.value

    params["state"] = json_state

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/payees/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedPayeeOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedPayeeOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedPayeeOutList]:
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
    external_id: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    state: PayeesListState | Unset = UNSET,
) -> Response[ErrorBody | PaginatedPayeeOutList]:
    """Payees.

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        external_id (str | Unset):
        limit (int | Unset):
        state (PayeesListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedPayeeOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        external_id=external_id,
        limit=limit,
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
    external_id: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    state: PayeesListState | Unset = UNSET,
) -> ErrorBody | PaginatedPayeeOutList | None:
    """Payees.

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        external_id (str | Unset):
        limit (int | Unset):
        state (PayeesListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedPayeeOutList
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        external_id=external_id,
        limit=limit,
        state=state,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    state: PayeesListState | Unset = UNSET,
) -> Response[ErrorBody | PaginatedPayeeOutList]:
    """Payees.

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        external_id (str | Unset):
        limit (int | Unset):
        state (PayeesListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedPayeeOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        external_id=external_id,
        limit=limit,
        state=state,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    state: PayeesListState | Unset = UNSET,
) -> ErrorBody | PaginatedPayeeOutList | None:
    """Payees.

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        external_id (str | Unset):
        limit (int | Unset):
        state (PayeesListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedPayeeOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            external_id=external_id,
            limit=limit,
            state=state,
        )
    ).parsed
