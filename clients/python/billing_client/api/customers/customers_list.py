import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.paginated_customer_out_list import PaginatedCustomerOutList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    archived: bool | Unset = UNSET,
    country: str | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    currency: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    email: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    livemode: bool | Unset = UNSET,
    q: str | Unset = UNSET,
    test_clock: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["archived"] = archived

    params["country"] = country

    json_created_after: str | Unset = UNSET
    if not isinstance(created_after, Unset):
        json_created_after = created_after.isoformat()
    params["created_after"] = json_created_after

    json_created_before: str | Unset = UNSET
    if not isinstance(created_before, Unset):
        json_created_before = created_before.isoformat()
    params["created_before"] = json_created_before

    params["currency"] = currency

    params["cursor"] = cursor

    params["email"] = email

    params["external_id"] = external_id

    params["limit"] = limit

    params["livemode"] = livemode

    params["q"] = q

    params["test_clock"] = test_clock

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/customers/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedCustomerOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedCustomerOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedCustomerOutList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    archived: bool | Unset = UNSET,
    country: str | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    currency: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    email: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    livemode: bool | Unset = UNSET,
    q: str | Unset = UNSET,
    test_clock: int | Unset = UNSET,
) -> Response[ErrorBody | PaginatedCustomerOutList]:
    """Required scope: `customers:read` (or `customers:write`, `read`, `full`).

    Args:
        archived (bool | Unset):
        country (str | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        currency (str | Unset):
        cursor (str | Unset):
        email (str | Unset):
        external_id (str | Unset):
        limit (int | Unset):
        livemode (bool | Unset):
        q (str | Unset):
        test_clock (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedCustomerOutList]
    """

    kwargs = _get_kwargs(
        archived=archived,
        country=country,
        created_after=created_after,
        created_before=created_before,
        currency=currency,
        cursor=cursor,
        email=email,
        external_id=external_id,
        limit=limit,
        livemode=livemode,
        q=q,
        test_clock=test_clock,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    archived: bool | Unset = UNSET,
    country: str | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    currency: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    email: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    livemode: bool | Unset = UNSET,
    q: str | Unset = UNSET,
    test_clock: int | Unset = UNSET,
) -> ErrorBody | PaginatedCustomerOutList | None:
    """Required scope: `customers:read` (or `customers:write`, `read`, `full`).

    Args:
        archived (bool | Unset):
        country (str | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        currency (str | Unset):
        cursor (str | Unset):
        email (str | Unset):
        external_id (str | Unset):
        limit (int | Unset):
        livemode (bool | Unset):
        q (str | Unset):
        test_clock (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedCustomerOutList
    """

    return sync_detailed(
        client=client,
        archived=archived,
        country=country,
        created_after=created_after,
        created_before=created_before,
        currency=currency,
        cursor=cursor,
        email=email,
        external_id=external_id,
        limit=limit,
        livemode=livemode,
        q=q,
        test_clock=test_clock,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    archived: bool | Unset = UNSET,
    country: str | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    currency: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    email: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    livemode: bool | Unset = UNSET,
    q: str | Unset = UNSET,
    test_clock: int | Unset = UNSET,
) -> Response[ErrorBody | PaginatedCustomerOutList]:
    """Required scope: `customers:read` (or `customers:write`, `read`, `full`).

    Args:
        archived (bool | Unset):
        country (str | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        currency (str | Unset):
        cursor (str | Unset):
        email (str | Unset):
        external_id (str | Unset):
        limit (int | Unset):
        livemode (bool | Unset):
        q (str | Unset):
        test_clock (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedCustomerOutList]
    """

    kwargs = _get_kwargs(
        archived=archived,
        country=country,
        created_after=created_after,
        created_before=created_before,
        currency=currency,
        cursor=cursor,
        email=email,
        external_id=external_id,
        limit=limit,
        livemode=livemode,
        q=q,
        test_clock=test_clock,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    archived: bool | Unset = UNSET,
    country: str | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    currency: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    email: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    livemode: bool | Unset = UNSET,
    q: str | Unset = UNSET,
    test_clock: int | Unset = UNSET,
) -> ErrorBody | PaginatedCustomerOutList | None:
    """Required scope: `customers:read` (or `customers:write`, `read`, `full`).

    Args:
        archived (bool | Unset):
        country (str | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        currency (str | Unset):
        cursor (str | Unset):
        email (str | Unset):
        external_id (str | Unset):
        limit (int | Unset):
        livemode (bool | Unset):
        q (str | Unset):
        test_clock (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedCustomerOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            archived=archived,
            country=country,
            created_after=created_after,
            created_before=created_before,
            currency=currency,
            cursor=cursor,
            email=email,
            external_id=external_id,
            limit=limit,
            livemode=livemode,
            q=q,
            test_clock=test_clock,
        )
    ).parsed
