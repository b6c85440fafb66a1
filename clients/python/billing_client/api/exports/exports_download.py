from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...types import File, Response


def _get_kwargs(
    id: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/exports/{id}/download/".format(
            id=quote(str(id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | File | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.text))

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | File]:
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
) -> Response[ErrorBody | File]:
    """The export's file, streamed (CSV: UTF-8, comma-separated, a header row; XLSX: one sheet, more when a
    sheet's 1,048,576 rows are full). 409 `export_not_ready` while it is being written (with Retry-
    After), `export_failed` when writing failed; 404 `export_file_missing` when the file was removed
    from the server.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | File]
    """

    kwargs = _get_kwargs(
        id=id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: int,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | File | None:
    """The export's file, streamed (CSV: UTF-8, comma-separated, a header row; XLSX: one sheet, more when a
    sheet's 1,048,576 rows are full). 409 `export_not_ready` while it is being written (with Retry-
    After), `export_failed` when writing failed; 404 `export_file_missing` when the file was removed
    from the server.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | File
    """

    return sync_detailed(
        id=id,
        client=client,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | File]:
    """The export's file, streamed (CSV: UTF-8, comma-separated, a header row; XLSX: one sheet, more when a
    sheet's 1,048,576 rows are full). 409 `export_not_ready` while it is being written (with Retry-
    After), `export_failed` when writing failed; 404 `export_file_missing` when the file was removed
    from the server.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | File]
    """

    kwargs = _get_kwargs(
        id=id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | File | None:
    """The export's file, streamed (CSV: UTF-8, comma-separated, a header row; XLSX: one sheet, more when a
    sheet's 1,048,576 rows are full). 409 `export_not_ready` while it is being written (with Retry-
    After), `export_failed` when writing failed; 404 `export_file_missing` when the file was removed
    from the server.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | File
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
        )
    ).parsed
