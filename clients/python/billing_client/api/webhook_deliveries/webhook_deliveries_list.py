from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.paginated_delivery_out_list import PaginatedDeliveryOutList
from ...models.webhook_deliveries_list_kind import WebhookDeliveriesListKind
from ...models.webhook_deliveries_list_status import WebhookDeliveriesListStatus
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    endpoint: float | Unset = UNSET,
    event: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    kind: WebhookDeliveriesListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: WebhookDeliveriesListStatus | Unset = UNSET,
    subject: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["endpoint"] = endpoint

    params["event"] = event

    params["event_type"] = event_type

    json_kind: str | Unset = UNSET
    if not isinstance(kind, Unset):
        json_kind = kind.value

    params["kind"] = json_kind

    params["limit"] = limit

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params["subject"] = subject

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/webhook-deliveries/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedDeliveryOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedDeliveryOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedDeliveryOutList]:
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
    endpoint: float | Unset = UNSET,
    event: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    kind: WebhookDeliveriesListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: WebhookDeliveriesListStatus | Unset = UNSET,
    subject: str | Unset = UNSET,
) -> Response[ErrorBody | PaginatedDeliveryOutList]:
    """Deliveries, newest first (`pending`: to be sent or retried; `succeeded`; `failed`: given up after
    three days of retries).

    Required scope: `webhooks:read` (or `webhooks:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        endpoint (float | Unset):
        event (str | Unset):
        event_type (str | Unset):
        kind (WebhookDeliveriesListKind | Unset):
        limit (int | Unset):
        status (WebhookDeliveriesListStatus | Unset):
        subject (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedDeliveryOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        endpoint=endpoint,
        event=event,
        event_type=event_type,
        kind=kind,
        limit=limit,
        status=status,
        subject=subject,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    endpoint: float | Unset = UNSET,
    event: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    kind: WebhookDeliveriesListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: WebhookDeliveriesListStatus | Unset = UNSET,
    subject: str | Unset = UNSET,
) -> ErrorBody | PaginatedDeliveryOutList | None:
    """Deliveries, newest first (`pending`: to be sent or retried; `succeeded`; `failed`: given up after
    three days of retries).

    Required scope: `webhooks:read` (or `webhooks:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        endpoint (float | Unset):
        event (str | Unset):
        event_type (str | Unset):
        kind (WebhookDeliveriesListKind | Unset):
        limit (int | Unset):
        status (WebhookDeliveriesListStatus | Unset):
        subject (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedDeliveryOutList
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        endpoint=endpoint,
        event=event,
        event_type=event_type,
        kind=kind,
        limit=limit,
        status=status,
        subject=subject,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    endpoint: float | Unset = UNSET,
    event: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    kind: WebhookDeliveriesListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: WebhookDeliveriesListStatus | Unset = UNSET,
    subject: str | Unset = UNSET,
) -> Response[ErrorBody | PaginatedDeliveryOutList]:
    """Deliveries, newest first (`pending`: to be sent or retried; `succeeded`; `failed`: given up after
    three days of retries).

    Required scope: `webhooks:read` (or `webhooks:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        endpoint (float | Unset):
        event (str | Unset):
        event_type (str | Unset):
        kind (WebhookDeliveriesListKind | Unset):
        limit (int | Unset):
        status (WebhookDeliveriesListStatus | Unset):
        subject (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedDeliveryOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        endpoint=endpoint,
        event=event,
        event_type=event_type,
        kind=kind,
        limit=limit,
        status=status,
        subject=subject,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    endpoint: float | Unset = UNSET,
    event: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    kind: WebhookDeliveriesListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: WebhookDeliveriesListStatus | Unset = UNSET,
    subject: str | Unset = UNSET,
) -> ErrorBody | PaginatedDeliveryOutList | None:
    """Deliveries, newest first (`pending`: to be sent or retried; `succeeded`; `failed`: given up after
    three days of retries).

    Required scope: `webhooks:read` (or `webhooks:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        endpoint (float | Unset):
        event (str | Unset):
        event_type (str | Unset):
        kind (WebhookDeliveriesListKind | Unset):
        limit (int | Unset):
        status (WebhookDeliveriesListStatus | Unset):
        subject (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedDeliveryOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            endpoint=endpoint,
            event=event,
            event_type=event_type,
            kind=kind,
            limit=limit,
            status=status,
            subject=subject,
        )
    ).parsed
