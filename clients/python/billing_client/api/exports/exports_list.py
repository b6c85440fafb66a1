from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.exports_list_file_format import ExportsListFileFormat
from ...models.exports_list_kind import ExportsListKind
from ...models.paginated_export_out_list import PaginatedExportOutList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    file_format: ExportsListFileFormat | Unset = UNSET,
    kind: ExportsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    json_file_format: str | Unset = UNSET
    if not isinstance(file_format, Unset):
        json_file_format = file_format.value

    params["file_format"] = json_file_format

    json_kind: str | Unset = UNSET
    if not isinstance(kind, Unset):
        json_kind = kind.value

    params["kind"] = json_kind

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/exports/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedExportOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedExportOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedExportOutList]:
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
    file_format: ExportsListFileFormat | Unset = UNSET,
    kind: ExportsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> Response[ErrorBody | PaginatedExportOutList]:
    """Accounting exports, newest first, with their job's progress. Filter by `kind` and by `file_format`
    (`csv`, `xlsx`); `format` is not a parameter of this endpoint (DRF's renderer override):
    `?format=csv` is a 400 naming `format`.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        file_format (ExportsListFileFormat | Unset):
        kind (ExportsListKind | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedExportOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        file_format=file_format,
        kind=kind,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    file_format: ExportsListFileFormat | Unset = UNSET,
    kind: ExportsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> ErrorBody | PaginatedExportOutList | None:
    """Accounting exports, newest first, with their job's progress. Filter by `kind` and by `file_format`
    (`csv`, `xlsx`); `format` is not a parameter of this endpoint (DRF's renderer override):
    `?format=csv` is a 400 naming `format`.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        file_format (ExportsListFileFormat | Unset):
        kind (ExportsListKind | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedExportOutList
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        file_format=file_format,
        kind=kind,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    file_format: ExportsListFileFormat | Unset = UNSET,
    kind: ExportsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> Response[ErrorBody | PaginatedExportOutList]:
    """Accounting exports, newest first, with their job's progress. Filter by `kind` and by `file_format`
    (`csv`, `xlsx`); `format` is not a parameter of this endpoint (DRF's renderer override):
    `?format=csv` is a 400 naming `format`.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        file_format (ExportsListFileFormat | Unset):
        kind (ExportsListKind | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedExportOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        file_format=file_format,
        kind=kind,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    file_format: ExportsListFileFormat | Unset = UNSET,
    kind: ExportsListKind | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> ErrorBody | PaginatedExportOutList | None:
    """Accounting exports, newest first, with their job's progress. Filter by `kind` and by `file_format`
    (`csv`, `xlsx`); `format` is not a parameter of this endpoint (DRF's renderer override):
    `?format=csv` is a 400 naming `format`.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        file_format (ExportsListFileFormat | Unset):
        kind (ExportsListKind | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedExportOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            file_format=file_format,
            kind=kind,
            limit=limit,
        )
    ).parsed
