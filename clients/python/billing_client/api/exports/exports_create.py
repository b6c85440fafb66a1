from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.export_in_request import ExportInRequest
from ...models.export_out import ExportOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ExportInRequest,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/exports/",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | ExportOut | None:
    if response.status_code == 202:
        response_202 = ExportOut.from_dict(response.json())

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
) -> Response[ErrorBody | ExportOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ExportInRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | ExportOut]:
    """Ask for an export of `kind` for the days `period_start`..`period_end` (UTC, both included), in one
    currency or all. A worker writes the file: follow `status` and `job` (`done` of `total` rows), then
    download it from `download_url`. 400 on the field at fault: an unknown `kind` or `format`,
    `period_end` before `period_start` (or more than ten years after it), an unknown `currency`.

    Required scope: `reports:write` (or `full`).

    Args:
        idempotency_key (str | Unset):
        body (ExportInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ExportOut]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: ExportInRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | ExportOut | None:
    """Ask for an export of `kind` for the days `period_start`..`period_end` (UTC, both included), in one
    currency or all. A worker writes the file: follow `status` and `job` (`done` of `total` rows), then
    download it from `download_url`. 400 on the field at fault: an unknown `kind` or `format`,
    `period_end` before `period_start` (or more than ten years after it), an unknown `currency`.

    Required scope: `reports:write` (or `full`).

    Args:
        idempotency_key (str | Unset):
        body (ExportInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ExportOut
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ExportInRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | ExportOut]:
    """Ask for an export of `kind` for the days `period_start`..`period_end` (UTC, both included), in one
    currency or all. A worker writes the file: follow `status` and `job` (`done` of `total` rows), then
    download it from `download_url`. 400 on the field at fault: an unknown `kind` or `format`,
    `period_end` before `period_start` (or more than ten years after it), an unknown `currency`.

    Required scope: `reports:write` (or `full`).

    Args:
        idempotency_key (str | Unset):
        body (ExportInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ExportOut]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ExportInRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | ExportOut | None:
    """Ask for an export of `kind` for the days `period_start`..`period_end` (UTC, both included), in one
    currency or all. A worker writes the file: follow `status` and `job` (`done` of `total` rows), then
    download it from `download_url`. 400 on the field at fault: an unknown `kind` or `format`,
    `period_end` before `period_start` (or more than ten years after it), an unknown `currency`.

    Required scope: `reports:write` (or `full`).

    Args:
        idempotency_key (str | Unset):
        body (ExportInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ExportOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
