from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.item_in_request import ItemInRequest
from ...models.subscription_out import SubscriptionOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: int,
    *,
    body: ItemInRequest,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/subscriptions/{id}/items/".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | SubscriptionOut | None:
    if response.status_code == 201:
        response_201 = SubscriptionOut.from_dict(response.json())

        return response_201

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

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = ErrorBody.from_dict(response.json())

        return response_422

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
    *,
    client: AuthenticatedClient,
    body: ItemInRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | SubscriptionOut]:
    """Add an item: another plan billed on the subscription's cycle and invoices, with its own quantity;
    its first fee prorated to the period's end (`prorate`). A plan of another currency or interval, or a
    subscription that is itself an item: 400.

    Required scope: `subscriptions:write` (or `full`).

    Args:
        id (int):
        idempotency_key (str | Unset):
        body (ItemInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SubscriptionOut]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: int,
    *,
    client: AuthenticatedClient,
    body: ItemInRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | SubscriptionOut | None:
    """Add an item: another plan billed on the subscription's cycle and invoices, with its own quantity;
    its first fee prorated to the period's end (`prorate`). A plan of another currency or interval, or a
    subscription that is itself an item: 400.

    Required scope: `subscriptions:write` (or `full`).

    Args:
        id (int):
        idempotency_key (str | Unset):
        body (ItemInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SubscriptionOut
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    body: ItemInRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | SubscriptionOut]:
    """Add an item: another plan billed on the subscription's cycle and invoices, with its own quantity;
    its first fee prorated to the period's end (`prorate`). A plan of another currency or interval, or a
    subscription that is itself an item: 400.

    Required scope: `subscriptions:write` (or `full`).

    Args:
        id (int):
        idempotency_key (str | Unset):
        body (ItemInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SubscriptionOut]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
    body: ItemInRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | SubscriptionOut | None:
    """Add an item: another plan billed on the subscription's cycle and invoices, with its own quantity;
    its first fee prorated to the period's end (`prorate`). A plan of another currency or interval, or a
    subscription that is itself an item: 400.

    Required scope: `subscriptions:write` (or `full`).

    Args:
        id (int):
        idempotency_key (str | Unset):
        body (ItemInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SubscriptionOut
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
