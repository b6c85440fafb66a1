from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.subscription_out import SubscriptionOut
from ...types import Response


def _get_kwargs(
    id: int,
    item_id: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/api/v1/subscriptions/{id}/items/{item_id}/".format(
            id=quote(str(id), safe=""),
            item_id=quote(str(item_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | SubscriptionOut | None:
    if response.status_code == 200:
        response_200 = SubscriptionOut.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = ErrorBody.from_dict(response.json())

        return response_409

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
) -> Response[ErrorBody | SubscriptionOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: int,
    item_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | SubscriptionOut]:
    """Remove an item: canceled at once with its own proration (or at the period end). Same as POST
    .../remove/.

    Required scope: `subscriptions:write` (or `full`).

    Args:
        id (int):
        item_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SubscriptionOut]
    """

    kwargs = _get_kwargs(
        id=id,
        item_id=item_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: int,
    item_id: int,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | SubscriptionOut | None:
    """Remove an item: canceled at once with its own proration (or at the period end). Same as POST
    .../remove/.

    Required scope: `subscriptions:write` (or `full`).

    Args:
        id (int):
        item_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SubscriptionOut
    """

    return sync_detailed(
        id=id,
        item_id=item_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    id: int,
    item_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | SubscriptionOut]:
    """Remove an item: canceled at once with its own proration (or at the period end). Same as POST
    .../remove/.

    Required scope: `subscriptions:write` (or `full`).

    Args:
        id (int):
        item_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SubscriptionOut]
    """

    kwargs = _get_kwargs(
        id=id,
        item_id=item_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    item_id: int,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | SubscriptionOut | None:
    """Remove an item: canceled at once with its own proration (or at the period end). Same as POST
    .../remove/.

    Required scope: `subscriptions:write` (or `full`).

    Args:
        id (int):
        item_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SubscriptionOut
    """

    return (
        await asyncio_detailed(
            id=id,
            item_id=item_id,
            client=client,
        )
    ).parsed
