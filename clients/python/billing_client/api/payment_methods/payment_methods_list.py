from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.paginated_payment_method_out_list import PaginatedPaymentMethodOutList
from ...models.payment_methods_list_gateway import PaymentMethodsListGateway
from ...models.payment_methods_list_kind import PaymentMethodsListKind
from ...models.payment_methods_list_state import PaymentMethodsListState
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    detached: bool | Unset = UNSET,
    gateway: PaymentMethodsListGateway | Unset = UNSET,
    kind: PaymentMethodsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    state: PaymentMethodsListState | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["customer"] = customer

    params["detached"] = detached

    json_gateway: str | Unset = UNSET
    if not isinstance(gateway, Unset):
        json_gateway = gateway.value

    params["gateway"] = json_gateway

    json_kind: str | Unset = UNSET
    if not isinstance(kind, Unset):
        json_kind = kind.value

    params["kind"] = json_kind

    params["limit"] = limit

    json_state: str | Unset = UNSET
    if not isinstance(state, Unset):
        json_state = state.value

    params["state"] = json_state

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/payment-methods/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedPaymentMethodOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedPaymentMethodOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedPaymentMethodOutList]:
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
    detached: bool | Unset = UNSET,
    gateway: PaymentMethodsListGateway | Unset = UNSET,
    kind: PaymentMethodsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    state: PaymentMethodsListState | Unset = UNSET,
) -> Response[ErrorBody | PaginatedPaymentMethodOutList]:
    """Payment methods, newest first (detached ones too: `detached=false` leaves them out).

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        detached (bool | Unset):
        gateway (PaymentMethodsListGateway | Unset):
        kind (PaymentMethodsListKind | Unset):
        limit (int | Unset):
        state (PaymentMethodsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedPaymentMethodOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        customer=customer,
        detached=detached,
        gateway=gateway,
        kind=kind,
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
    customer: str | Unset = UNSET,
    detached: bool | Unset = UNSET,
    gateway: PaymentMethodsListGateway | Unset = UNSET,
    kind: PaymentMethodsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    state: PaymentMethodsListState | Unset = UNSET,
) -> ErrorBody | PaginatedPaymentMethodOutList | None:
    """Payment methods, newest first (detached ones too: `detached=false` leaves them out).

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        detached (bool | Unset):
        gateway (PaymentMethodsListGateway | Unset):
        kind (PaymentMethodsListKind | Unset):
        limit (int | Unset):
        state (PaymentMethodsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedPaymentMethodOutList
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        customer=customer,
        detached=detached,
        gateway=gateway,
        kind=kind,
        limit=limit,
        state=state,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    detached: bool | Unset = UNSET,
    gateway: PaymentMethodsListGateway | Unset = UNSET,
    kind: PaymentMethodsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    state: PaymentMethodsListState | Unset = UNSET,
) -> Response[ErrorBody | PaginatedPaymentMethodOutList]:
    """Payment methods, newest first (detached ones too: `detached=false` leaves them out).

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        detached (bool | Unset):
        gateway (PaymentMethodsListGateway | Unset):
        kind (PaymentMethodsListKind | Unset):
        limit (int | Unset):
        state (PaymentMethodsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedPaymentMethodOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        customer=customer,
        detached=detached,
        gateway=gateway,
        kind=kind,
        limit=limit,
        state=state,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    customer: str | Unset = UNSET,
    detached: bool | Unset = UNSET,
    gateway: PaymentMethodsListGateway | Unset = UNSET,
    kind: PaymentMethodsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    state: PaymentMethodsListState | Unset = UNSET,
) -> ErrorBody | PaginatedPaymentMethodOutList | None:
    """Payment methods, newest first (detached ones too: `detached=false` leaves them out).

    Required scope: `payments:read` (or `payments:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        customer (str | Unset):
        detached (bool | Unset):
        gateway (PaymentMethodsListGateway | Unset):
        kind (PaymentMethodsListKind | Unset):
        limit (int | Unset):
        state (PaymentMethodsListState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedPaymentMethodOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            customer=customer,
            detached=detached,
            gateway=gateway,
            kind=kind,
            limit=limit,
            state=state,
        )
    ).parsed
