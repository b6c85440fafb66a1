import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.paginated_payout_out_list import PaginatedPayoutOutList
from ...models.payouts_list_state import PayoutsListState
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    payee: str | Unset = UNSET,
    period_start_after: datetime.datetime | Unset = UNSET,
    period_start_before: datetime.datetime | Unset = UNSET,
    schedule: float | Unset = UNSET,
    state: PayoutsListState | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["limit"] = limit

    params["payee"] = payee

    json_period_start_after: str | Unset = UNSET
    if not isinstance(period_start_after, Unset):
        json_period_start_after = period_start_after.isoformat()
    params["period_start_after"] = json_period_start_after

    json_period_start_before: str | Unset = UNSET
    if not isinstance(period_start_before, Unset):
        json_period_start_before = period_start_before.isoformat()
    params["period_start_before"] = json_period_start_before

    params["schedule"] = schedule

    json_state: str | Unset = UNSET
    if not isinstance(state, Unset):
        json_state = state.value

    params["state"] = json_state

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/payouts/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedPayoutOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedPayoutOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedPayoutOutList]:
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
    limit: int | Unset = UNSET,
    payee: str | Unset = UNSET,
    period_start_after: datetime.datetime | Unset = UNSET,
    period_start_before: datetime.datetime | Unset = UNSET,
    schedule: float | Unset = UNSET,
    state: PayoutsListState | Unset = UNSET,
) -> Response[ErrorBody | PaginatedPayoutOutList]:
    """Payouts, latest period first.

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        limit (int | Unset):
        payee (str | Unset):
        period_start_after (datetime.datetime | Unset):
        period_start_before (datetime.datetime | Unset):
        schedule (float | Unset):
        state (PayoutsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedPayoutOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        limit=limit,
        payee=payee,
        period_start_after=period_start_after,
        period_start_before=period_start_before,
        schedule=schedule,
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
    limit: int | Unset = UNSET,
    payee: str | Unset = UNSET,
    period_start_after: datetime.datetime | Unset = UNSET,
    period_start_before: datetime.datetime | Unset = UNSET,
    schedule: float | Unset = UNSET,
    state: PayoutsListState | Unset = UNSET,
) -> ErrorBody | PaginatedPayoutOutList | None:
    """Payouts, latest period first.

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        limit (int | Unset):
        payee (str | Unset):
        period_start_after (datetime.datetime | Unset):
        period_start_before (datetime.datetime | Unset):
        schedule (float | Unset):
        state (PayoutsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedPayoutOutList
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        limit=limit,
        payee=payee,
        period_start_after=period_start_after,
        period_start_before=period_start_before,
        schedule=schedule,
        state=state,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    payee: str | Unset = UNSET,
    period_start_after: datetime.datetime | Unset = UNSET,
    period_start_before: datetime.datetime | Unset = UNSET,
    schedule: float | Unset = UNSET,
    state: PayoutsListState | Unset = UNSET,
) -> Response[ErrorBody | PaginatedPayoutOutList]:
    """Payouts, latest period first.

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        limit (int | Unset):
        payee (str | Unset):
        period_start_after (datetime.datetime | Unset):
        period_start_before (datetime.datetime | Unset):
        schedule (float | Unset):
        state (PayoutsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedPayoutOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        limit=limit,
        payee=payee,
        period_start_after=period_start_after,
        period_start_before=period_start_before,
        schedule=schedule,
        state=state,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    payee: str | Unset = UNSET,
    period_start_after: datetime.datetime | Unset = UNSET,
    period_start_before: datetime.datetime | Unset = UNSET,
    schedule: float | Unset = UNSET,
    state: PayoutsListState | Unset = UNSET,
) -> ErrorBody | PaginatedPayoutOutList | None:
    """Payouts, latest period first.

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        limit (int | Unset):
        payee (str | Unset):
        period_start_after (datetime.datetime | Unset):
        period_start_before (datetime.datetime | Unset):
        schedule (float | Unset):
        state (PayoutsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedPayoutOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            limit=limit,
            payee=payee,
            period_start_after=period_start_after,
            period_start_before=period_start_before,
            schedule=schedule,
            state=state,
        )
    ).parsed
