import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.paginated_usage_event_out_list import PaginatedUsageEventOutList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    event_time_gte: datetime.datetime | Unset = UNSET,
    event_time_lt: datetime.datetime | Unset = UNSET,
    late: bool | Unset = UNSET,
    limit: int | Unset = UNSET,
    metric: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["customer"] = customer

    json_event_time_gte: str | Unset = UNSET
    if not isinstance(event_time_gte, Unset):
        json_event_time_gte = event_time_gte.isoformat()
    params["event_time__gte"] = json_event_time_gte

    json_event_time_lt: str | Unset = UNSET
    if not isinstance(event_time_lt, Unset):
        json_event_time_lt = event_time_lt.isoformat()
    params["event_time__lt"] = json_event_time_lt

    params["late"] = late

    params["limit"] = limit

    params["metric"] = metric

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/events/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedUsageEventOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedUsageEventOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedUsageEventOutList]:
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
    event_time_gte: datetime.datetime | Unset = UNSET,
    event_time_lt: datetime.datetime | Unset = UNSET,
    late: bool | Unset = UNSET,
    limit: int | Unset = UNSET,
    metric: str | Unset = UNSET,
) -> Response[ErrorBody | PaginatedUsageEventOutList]:
    """Stored events, newest first; `late=true` lists those awaiting a correction.

    Required scope: `events:read` (or `events:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        event_time_gte (datetime.datetime | Unset):
        event_time_lt (datetime.datetime | Unset):
        late (bool | Unset):
        limit (int | Unset):
        metric (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedUsageEventOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        customer=customer,
        event_time_gte=event_time_gte,
        event_time_lt=event_time_lt,
        late=late,
        limit=limit,
        metric=metric,
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
    event_time_gte: datetime.datetime | Unset = UNSET,
    event_time_lt: datetime.datetime | Unset = UNSET,
    late: bool | Unset = UNSET,
    limit: int | Unset = UNSET,
    metric: str | Unset = UNSET,
) -> ErrorBody | PaginatedUsageEventOutList | None:
    """Stored events, newest first; `late=true` lists those awaiting a correction.

    Required scope: `events:read` (or `events:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        event_time_gte (datetime.datetime | Unset):
        event_time_lt (datetime.datetime | Unset):
        late (bool | Unset):
        limit (int | Unset):
        metric (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedUsageEventOutList
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        customer=customer,
        event_time_gte=event_time_gte,
        event_time_lt=event_time_lt,
        late=late,
        limit=limit,
        metric=metric,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    event_time_gte: datetime.datetime | Unset = UNSET,
    event_time_lt: datetime.datetime | Unset = UNSET,
    late: bool | Unset = UNSET,
    limit: int | Unset = UNSET,
    metric: str | Unset = UNSET,
) -> Response[ErrorBody | PaginatedUsageEventOutList]:
    """Stored events, newest first; `late=true` lists those awaiting a correction.

    Required scope: `events:read` (or `events:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        event_time_gte (datetime.datetime | Unset):
        event_time_lt (datetime.datetime | Unset):
        late (bool | Unset):
        limit (int | Unset):
        metric (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedUsageEventOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        customer=customer,
        event_time_gte=event_time_gte,
        event_time_lt=event_time_lt,
        late=late,
        limit=limit,
        metric=metric,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    event_time_gte: datetime.datetime | Unset = UNSET,
    event_time_lt: datetime.datetime | Unset = UNSET,
    late: bool | Unset = UNSET,
    limit: int | Unset = UNSET,
    metric: str | Unset = UNSET,
) -> ErrorBody | PaginatedUsageEventOutList | None:
    """Stored events, newest first; `late=true` lists those awaiting a correction.

    Required scope: `events:read` (or `events:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        event_time_gte (datetime.datetime | Unset):
        event_time_lt (datetime.datetime | Unset):
        late (bool | Unset):
        limit (int | Unset):
        metric (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedUsageEventOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            customer=customer,
            event_time_gte=event_time_gte,
            event_time_lt=event_time_lt,
            late=late,
            limit=limit,
            metric=metric,
        )
    ).parsed
