from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.jobs_list_status import JobsListStatus
from ...models.paginated_job_out_list import PaginatedJobOutList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: JobsListStatus | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["kind"] = kind

    params["limit"] = limit

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/jobs/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedJobOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedJobOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedJobOutList]:
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
    kind: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: JobsListStatus | Unset = UNSET,
) -> Response[ErrorBody | PaginatedJobOutList]:
    """Long work (billing runs, re-ratings, usage backfills, reconciliations, exports), newest first, with
    its progress: `done` of `total` items, `failed`, the first errors, duration. Filter by `kind` and
    `status`.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        kind (str | Unset):
        limit (int | Unset):
        status (JobsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedJobOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        kind=kind,
        limit=limit,
        status=status,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: JobsListStatus | Unset = UNSET,
) -> ErrorBody | PaginatedJobOutList | None:
    """Long work (billing runs, re-ratings, usage backfills, reconciliations, exports), newest first, with
    its progress: `done` of `total` items, `failed`, the first errors, duration. Filter by `kind` and
    `status`.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        kind (str | Unset):
        limit (int | Unset):
        status (JobsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedJobOutList
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        kind=kind,
        limit=limit,
        status=status,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: JobsListStatus | Unset = UNSET,
) -> Response[ErrorBody | PaginatedJobOutList]:
    """Long work (billing runs, re-ratings, usage backfills, reconciliations, exports), newest first, with
    its progress: `done` of `total` items, `failed`, the first errors, duration. Filter by `kind` and
    `status`.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        kind (str | Unset):
        limit (int | Unset):
        status (JobsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedJobOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        kind=kind,
        limit=limit,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    status: JobsListStatus | Unset = UNSET,
) -> ErrorBody | PaginatedJobOutList | None:
    """Long work (billing runs, re-ratings, usage backfills, reconciliations, exports), newest first, with
    its progress: `done` of `total` items, `failed`, the first errors, duration. Filter by `kind` and
    `status`.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        kind (str | Unset):
        limit (int | Unset):
        status (JobsListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedJobOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            kind=kind,
            limit=limit,
            status=status,
        )
    ).parsed
