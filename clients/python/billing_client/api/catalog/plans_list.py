from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.paginated_plan_out_list import PaginatedPlanOutList
from ...models.plans_list_interval_unit import PlansListIntervalUnit
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    code: str | Unset = UNSET,
    currency: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    interval_unit: PlansListIntervalUnit | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["code"] = code

    params["currency"] = currency

    params["cursor"] = cursor

    json_interval_unit: str | Unset = UNSET
    if not isinstance(interval_unit, Unset):
        json_interval_unit = interval_unit.value

    params["interval_unit"] = json_interval_unit

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/plans/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedPlanOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedPlanOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedPlanOutList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    code: str | Unset = UNSET,
    currency: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    interval_unit: PlansListIntervalUnit | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> Response[ErrorBody | PaginatedPlanOutList]:
    """GET: the paginated, filterable list. POST: validate, then create through the service.

    Required scope: `catalog:read` (or `catalog:write`, `read`, `full`).

    Args:
        code (str | Unset):
        currency (str | Unset):
        cursor (str | Unset):
        interval_unit (PlansListIntervalUnit | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedPlanOutList]
    """

    kwargs = _get_kwargs(
        code=code,
        currency=currency,
        cursor=cursor,
        interval_unit=interval_unit,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    code: str | Unset = UNSET,
    currency: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    interval_unit: PlansListIntervalUnit | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> ErrorBody | PaginatedPlanOutList | None:
    """GET: the paginated, filterable list. POST: validate, then create through the service.

    Required scope: `catalog:read` (or `catalog:write`, `read`, `full`).

    Args:
        code (str | Unset):
        currency (str | Unset):
        cursor (str | Unset):
        interval_unit (PlansListIntervalUnit | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedPlanOutList
    """

    return sync_detailed(
        client=client,
        code=code,
        currency=currency,
        cursor=cursor,
        interval_unit=interval_unit,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    code: str | Unset = UNSET,
    currency: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    interval_unit: PlansListIntervalUnit | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> Response[ErrorBody | PaginatedPlanOutList]:
    """GET: the paginated, filterable list. POST: validate, then create through the service.

    Required scope: `catalog:read` (or `catalog:write`, `read`, `full`).

    Args:
        code (str | Unset):
        currency (str | Unset):
        cursor (str | Unset):
        interval_unit (PlansListIntervalUnit | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedPlanOutList]
    """

    kwargs = _get_kwargs(
        code=code,
        currency=currency,
        cursor=cursor,
        interval_unit=interval_unit,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    code: str | Unset = UNSET,
    currency: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    interval_unit: PlansListIntervalUnit | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> ErrorBody | PaginatedPlanOutList | None:
    """GET: the paginated, filterable list. POST: validate, then create through the service.

    Required scope: `catalog:read` (or `catalog:write`, `read`, `full`).

    Args:
        code (str | Unset):
        currency (str | Unset):
        cursor (str | Unset):
        interval_unit (PlansListIntervalUnit | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedPlanOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            code=code,
            currency=currency,
            cursor=cursor,
            interval_unit=interval_unit,
            limit=limit,
        )
    ).parsed
