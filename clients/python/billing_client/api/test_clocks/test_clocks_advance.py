from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.test_clock_advance_in_request import TestClockAdvanceInRequest
from ...models.test_clock_detail_out import TestClockDetailOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: int,
    *,
    body: TestClockAdvanceInRequest,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/test-clocks/{id}/advance/".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | TestClockDetailOut | None:
    if response.status_code == 202:
        response_202 = TestClockDetailOut.from_dict(response.json())

        return response_202

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
) -> Response[ErrorBody | TestClockDetailOut]:
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
    body: TestClockAdvanceInRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | TestClockDetailOut]:
    """Move the clock forward to `frozen_time`, asynchronously: answers 202 with the clock `advancing`; a
    task runs the billing clock for the clock's customers only, a day at a time up to the new time
    (invoices, payments with the sandbox gateway, retries, dunning, e-mails, webhooks as in real time),
    then the clock is `ready` (journal and webhooks: `test_clock.advancing`, `test_clock.ready`,
    `test_clock.failed`). 400 on `frozen_time`: `not_after_current`, `beyond_limit` (see
    `advance_limit`), `out_of_range` (1970-01-01..9000-01-01); 409 `test_clock_advancing` while it
    advances, `test_clock_deleted`.

    Required scope: `test_clocks:write` (or `full`).

    Args:
        id (int):
        idempotency_key (str | Unset):
        body (TestClockAdvanceInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | TestClockDetailOut]
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
    body: TestClockAdvanceInRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | TestClockDetailOut | None:
    """Move the clock forward to `frozen_time`, asynchronously: answers 202 with the clock `advancing`; a
    task runs the billing clock for the clock's customers only, a day at a time up to the new time
    (invoices, payments with the sandbox gateway, retries, dunning, e-mails, webhooks as in real time),
    then the clock is `ready` (journal and webhooks: `test_clock.advancing`, `test_clock.ready`,
    `test_clock.failed`). 400 on `frozen_time`: `not_after_current`, `beyond_limit` (see
    `advance_limit`), `out_of_range` (1970-01-01..9000-01-01); 409 `test_clock_advancing` while it
    advances, `test_clock_deleted`.

    Required scope: `test_clocks:write` (or `full`).

    Args:
        id (int):
        idempotency_key (str | Unset):
        body (TestClockAdvanceInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | TestClockDetailOut
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
    body: TestClockAdvanceInRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | TestClockDetailOut]:
    """Move the clock forward to `frozen_time`, asynchronously: answers 202 with the clock `advancing`; a
    task runs the billing clock for the clock's customers only, a day at a time up to the new time
    (invoices, payments with the sandbox gateway, retries, dunning, e-mails, webhooks as in real time),
    then the clock is `ready` (journal and webhooks: `test_clock.advancing`, `test_clock.ready`,
    `test_clock.failed`). 400 on `frozen_time`: `not_after_current`, `beyond_limit` (see
    `advance_limit`), `out_of_range` (1970-01-01..9000-01-01); 409 `test_clock_advancing` while it
    advances, `test_clock_deleted`.

    Required scope: `test_clocks:write` (or `full`).

    Args:
        id (int):
        idempotency_key (str | Unset):
        body (TestClockAdvanceInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | TestClockDetailOut]
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
    body: TestClockAdvanceInRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | TestClockDetailOut | None:
    """Move the clock forward to `frozen_time`, asynchronously: answers 202 with the clock `advancing`; a
    task runs the billing clock for the clock's customers only, a day at a time up to the new time
    (invoices, payments with the sandbox gateway, retries, dunning, e-mails, webhooks as in real time),
    then the clock is `ready` (journal and webhooks: `test_clock.advancing`, `test_clock.ready`,
    `test_clock.failed`). 400 on `frozen_time`: `not_after_current`, `beyond_limit` (see
    `advance_limit`), `out_of_range` (1970-01-01..9000-01-01); 409 `test_clock_advancing` while it
    advances, `test_clock_deleted`.

    Required scope: `test_clocks:write` (or `full`).

    Args:
        id (int):
        idempotency_key (str | Unset):
        body (TestClockAdvanceInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | TestClockDetailOut
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
