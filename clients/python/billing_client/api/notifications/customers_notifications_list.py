import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.customers_notifications_list_state import CustomersNotificationsListState
from ...models.customers_notifications_list_template import CustomersNotificationsListTemplate
from ...models.error_body import ErrorBody
from ...models.paginated_notification_out_list import PaginatedNotificationOutList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: int,
    *,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    cursor: str | Unset = UNSET,
    event: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    state: CustomersNotificationsListState | Unset = UNSET,
    template: CustomersNotificationsListTemplate | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_created_after: str | Unset = UNSET
    if not isinstance(created_after, Unset):
        json_created_after = created_after.isoformat()
    params["created_after"] = json_created_after

    json_created_before: str | Unset = UNSET
    if not isinstance(created_before, Unset):
        json_created_before = created_before.isoformat()
    params["created_before"] = json_created_before

    params["cursor"] = cursor

    params["event"] = event

    params["limit"] = limit

    json_state: str | Unset = UNSET
    if not isinstance(state, Unset):
        json_state = state.value

    params["state"] = json_state

    json_template: str | Unset = UNSET
    if not isinstance(template, Unset):
        json_template = template.value

    params["template"] = json_template

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/customers/{id}/notifications/".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedNotificationOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedNotificationOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedNotificationOutList]:
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
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    cursor: str | Unset = UNSET,
    event: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    state: CustomersNotificationsListState | Unset = UNSET,
    template: CustomersNotificationsListTemplate | Unset = UNSET,
) -> Response[ErrorBody | PaginatedNotificationOutList]:
    """The e-mails of one customer. Newest first. `state`: `pending` (waiting for its send or its next
    attempt after an SMTP error, `last_error` says which), `sending`, `sent` (`sent_at`, `message_id`),
    `failed` (given up), `skipped` (never sent: the customer had no e-mail address).

    Required scope: `notifications:read` (or `notifications:write`, `read`, `full`).

    Args:
        id (int):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        cursor (str | Unset):
        event (int | Unset):
        limit (int | Unset):
        state (CustomersNotificationsListState | Unset):
        template (CustomersNotificationsListTemplate | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedNotificationOutList]
    """

    kwargs = _get_kwargs(
        id=id,
        created_after=created_after,
        created_before=created_before,
        cursor=cursor,
        event=event,
        limit=limit,
        state=state,
        template=template,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: int,
    *,
    client: AuthenticatedClient,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    cursor: str | Unset = UNSET,
    event: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    state: CustomersNotificationsListState | Unset = UNSET,
    template: CustomersNotificationsListTemplate | Unset = UNSET,
) -> ErrorBody | PaginatedNotificationOutList | None:
    """The e-mails of one customer. Newest first. `state`: `pending` (waiting for its send or its next
    attempt after an SMTP error, `last_error` says which), `sending`, `sent` (`sent_at`, `message_id`),
    `failed` (given up), `skipped` (never sent: the customer had no e-mail address).

    Required scope: `notifications:read` (or `notifications:write`, `read`, `full`).

    Args:
        id (int):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        cursor (str | Unset):
        event (int | Unset):
        limit (int | Unset):
        state (CustomersNotificationsListState | Unset):
        template (CustomersNotificationsListTemplate | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedNotificationOutList
    """

    return sync_detailed(
        id=id,
        client=client,
        created_after=created_after,
        created_before=created_before,
        cursor=cursor,
        event=event,
        limit=limit,
        state=state,
        template=template,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    cursor: str | Unset = UNSET,
    event: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    state: CustomersNotificationsListState | Unset = UNSET,
    template: CustomersNotificationsListTemplate | Unset = UNSET,
) -> Response[ErrorBody | PaginatedNotificationOutList]:
    """The e-mails of one customer. Newest first. `state`: `pending` (waiting for its send or its next
    attempt after an SMTP error, `last_error` says which), `sending`, `sent` (`sent_at`, `message_id`),
    `failed` (given up), `skipped` (never sent: the customer had no e-mail address).

    Required scope: `notifications:read` (or `notifications:write`, `read`, `full`).

    Args:
        id (int):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        cursor (str | Unset):
        event (int | Unset):
        limit (int | Unset):
        state (CustomersNotificationsListState | Unset):
        template (CustomersNotificationsListTemplate | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedNotificationOutList]
    """

    kwargs = _get_kwargs(
        id=id,
        created_after=created_after,
        created_before=created_before,
        cursor=cursor,
        event=event,
        limit=limit,
        state=state,
        template=template,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    cursor: str | Unset = UNSET,
    event: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    state: CustomersNotificationsListState | Unset = UNSET,
    template: CustomersNotificationsListTemplate | Unset = UNSET,
) -> ErrorBody | PaginatedNotificationOutList | None:
    """The e-mails of one customer. Newest first. `state`: `pending` (waiting for its send or its next
    attempt after an SMTP error, `last_error` says which), `sending`, `sent` (`sent_at`, `message_id`),
    `failed` (given up), `skipped` (never sent: the customer had no e-mail address).

    Required scope: `notifications:read` (or `notifications:write`, `read`, `full`).

    Args:
        id (int):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        cursor (str | Unset):
        event (int | Unset):
        limit (int | Unset):
        state (CustomersNotificationsListState | Unset):
        template (CustomersNotificationsListTemplate | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedNotificationOutList
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            created_after=created_after,
            created_before=created_before,
            cursor=cursor,
            event=event,
            limit=limit,
            state=state,
            template=template,
        )
    ).parsed
