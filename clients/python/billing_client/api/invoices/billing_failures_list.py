from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.paginated_billing_failure_out_list import PaginatedBillingFailureOutList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    open_: bool | Unset = UNSET,
    subscription: float | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["limit"] = limit

    params["open"] = open_

    params["subscription"] = subscription

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/billing-failures/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedBillingFailureOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedBillingFailureOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedBillingFailureOutList]:
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
    open_: bool | Unset = UNSET,
    subscription: float | Unset = UNSET,
) -> Response[ErrorBody | PaginatedBillingFailureOutList]:
    """Subscriptions the clock could not bill, with the reason (the rest of their chunk was billed); each
    is tried again at every tick and resolved when it bills. `?open=true` lists those not resolved yet.

    Required scope: `invoices:read` (or `invoices:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        limit (int | Unset):
        open_ (bool | Unset):
        subscription (float | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedBillingFailureOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        limit=limit,
        open_=open_,
        subscription=subscription,
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
    open_: bool | Unset = UNSET,
    subscription: float | Unset = UNSET,
) -> ErrorBody | PaginatedBillingFailureOutList | None:
    """Subscriptions the clock could not bill, with the reason (the rest of their chunk was billed); each
    is tried again at every tick and resolved when it bills. `?open=true` lists those not resolved yet.

    Required scope: `invoices:read` (or `invoices:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        limit (int | Unset):
        open_ (bool | Unset):
        subscription (float | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedBillingFailureOutList
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        limit=limit,
        open_=open_,
        subscription=subscription,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    open_: bool | Unset = UNSET,
    subscription: float | Unset = UNSET,
) -> Response[ErrorBody | PaginatedBillingFailureOutList]:
    """Subscriptions the clock could not bill, with the reason (the rest of their chunk was billed); each
    is tried again at every tick and resolved when it bills. `?open=true` lists those not resolved yet.

    Required scope: `invoices:read` (or `invoices:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        limit (int | Unset):
        open_ (bool | Unset):
        subscription (float | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedBillingFailureOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        limit=limit,
        open_=open_,
        subscription=subscription,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    open_: bool | Unset = UNSET,
    subscription: float | Unset = UNSET,
) -> ErrorBody | PaginatedBillingFailureOutList | None:
    """Subscriptions the clock could not bill, with the reason (the rest of their chunk was billed); each
    is tried again at every tick and resolved when it bills. `?open=true` lists those not resolved yet.

    Required scope: `invoices:read` (or `invoices:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        limit (int | Unset):
        open_ (bool | Unset):
        subscription (float | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedBillingFailureOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            limit=limit,
            open_=open_,
            subscription=subscription,
        )
    ).parsed
