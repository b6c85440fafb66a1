from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.import_in_request import ImportInRequest
from ...models.import_preview_out import ImportPreviewOut
from ...types import Response


def _get_kwargs(
    *,
    body: ImportInRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/imports/validate/",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | ImportPreviewOut | None:
    if response.status_code == 200:
        response_200 = ImportPreviewOut.from_dict(response.json())

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
) -> Response[ErrorBody | ImportPreviewOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ImportInRequest,
) -> Response[ErrorBody | ImportPreviewOut]:
    """A dry run: validate a history and say what an import would create and do (the customer, the
    subscriptions with the periods it bills up to now, the steps in time order). Writes nothing. 400
    with the path of the field (`subscriptions[0].events[1].at`) and the reason: `unknown_plan`,
    `no_price_in_force` (no published version of the plan at that instant), `out_of_order`, `in_future`,
    `before_start`, `after_end`, `transition` (a resume without a pause...), `currency_mismatch`,
    `interval_mismatch`, `unknown_field`, `customer_exists`; 409 `finalized_period` (an event on an
    existing subscription inside a period billed on a finalized invoice, named in the message),
    `before_current_period`.

    Required scope: `imports:read` (or `imports:write`, `read`, `full`).

    Args:
        body (ImportInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ImportPreviewOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: ImportInRequest,
) -> ErrorBody | ImportPreviewOut | None:
    """A dry run: validate a history and say what an import would create and do (the customer, the
    subscriptions with the periods it bills up to now, the steps in time order). Writes nothing. 400
    with the path of the field (`subscriptions[0].events[1].at`) and the reason: `unknown_plan`,
    `no_price_in_force` (no published version of the plan at that instant), `out_of_order`, `in_future`,
    `before_start`, `after_end`, `transition` (a resume without a pause...), `currency_mismatch`,
    `interval_mismatch`, `unknown_field`, `customer_exists`; 409 `finalized_period` (an event on an
    existing subscription inside a period billed on a finalized invoice, named in the message),
    `before_current_period`.

    Required scope: `imports:read` (or `imports:write`, `read`, `full`).

    Args:
        body (ImportInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ImportPreviewOut
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ImportInRequest,
) -> Response[ErrorBody | ImportPreviewOut]:
    """A dry run: validate a history and say what an import would create and do (the customer, the
    subscriptions with the periods it bills up to now, the steps in time order). Writes nothing. 400
    with the path of the field (`subscriptions[0].events[1].at`) and the reason: `unknown_plan`,
    `no_price_in_force` (no published version of the plan at that instant), `out_of_order`, `in_future`,
    `before_start`, `after_end`, `transition` (a resume without a pause...), `currency_mismatch`,
    `interval_mismatch`, `unknown_field`, `customer_exists`; 409 `finalized_period` (an event on an
    existing subscription inside a period billed on a finalized invoice, named in the message),
    `before_current_period`.

    Required scope: `imports:read` (or `imports:write`, `read`, `full`).

    Args:
        body (ImportInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ImportPreviewOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ImportInRequest,
) -> ErrorBody | ImportPreviewOut | None:
    """A dry run: validate a history and say what an import would create and do (the customer, the
    subscriptions with the periods it bills up to now, the steps in time order). Writes nothing. 400
    with the path of the field (`subscriptions[0].events[1].at`) and the reason: `unknown_plan`,
    `no_price_in_force` (no published version of the plan at that instant), `out_of_order`, `in_future`,
    `before_start`, `after_end`, `transition` (a resume without a pause...), `currency_mismatch`,
    `interval_mismatch`, `unknown_field`, `customer_exists`; 409 `finalized_period` (an event on an
    existing subscription inside a period billed on a finalized invoice, named in the message),
    `before_current_period`.

    Required scope: `imports:read` (or `imports:write`, `read`, `full`).

    Args:
        body (ImportInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ImportPreviewOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
