from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.timeline_out import TimelineOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: int,
    *,
    periods: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["periods"] = periods

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/subscriptions/{id}/timeline/".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | TimelineOut | None:
    if response.status_code == 200:
        response_200 = TimelineOut.from_dict(response.json())

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
) -> Response[ErrorBody | TimelineOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    periods: int | Unset = UNSET,
) -> Response[ErrorBody | TimelineOut]:
    """Periods, changes (applied, scheduled, canceled), pauses and proration lines.

    Required scope: `subscriptions:read` (or `subscriptions:write`, `read`, `full`).

    Args:
        id (int):
        periods (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | TimelineOut]
    """

    kwargs = _get_kwargs(
        id=id,
        periods=periods,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: int,
    *,
    client: AuthenticatedClient,
    periods: int | Unset = UNSET,
) -> ErrorBody | TimelineOut | None:
    """Periods, changes (applied, scheduled, canceled), pauses and proration lines.

    Required scope: `subscriptions:read` (or `subscriptions:write`, `read`, `full`).

    Args:
        id (int):
        periods (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | TimelineOut
    """

    return sync_detailed(
        id=id,
        client=client,
        periods=periods,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    periods: int | Unset = UNSET,
) -> Response[ErrorBody | TimelineOut]:
    """Periods, changes (applied, scheduled, canceled), pauses and proration lines.

    Required scope: `subscriptions:read` (or `subscriptions:write`, `read`, `full`).

    Args:
        id (int):
        periods (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | TimelineOut]
    """

    kwargs = _get_kwargs(
        id=id,
        periods=periods,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
    periods: int | Unset = UNSET,
) -> ErrorBody | TimelineOut | None:
    """Periods, changes (applied, scheduled, canceled), pauses and proration lines.

    Required scope: `subscriptions:read` (or `subscriptions:write`, `read`, `full`).

    Args:
        id (int):
        periods (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | TimelineOut
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            periods=periods,
        )
    ).parsed
