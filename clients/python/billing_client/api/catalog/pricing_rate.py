from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.rate_in_request import RateInRequest
from ...models.rating_out import RatingOut
from ...types import Response


def _get_kwargs(
    *,
    body: RateInRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/pricing/rate/",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | RatingOut | None:
    if response.status_code == 200:
        response_200 = RatingOut.from_dict(response.json())

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
) -> Response[ErrorBody | RatingOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: RateInRequest,
) -> Response[ErrorBody | RatingOut]:
    """Rate a quantity with any pricing model and parameters (nothing is stored).

    Required scope: `catalog:read` (or `catalog:write`, `read`, `full`).

    Args:
        body (RateInRequest): A stateless rating: any pricing model and parameters, one quantity.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | RatingOut]
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
    body: RateInRequest,
) -> ErrorBody | RatingOut | None:
    """Rate a quantity with any pricing model and parameters (nothing is stored).

    Required scope: `catalog:read` (or `catalog:write`, `read`, `full`).

    Args:
        body (RateInRequest): A stateless rating: any pricing model and parameters, one quantity.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | RatingOut
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: RateInRequest,
) -> Response[ErrorBody | RatingOut]:
    """Rate a quantity with any pricing model and parameters (nothing is stored).

    Required scope: `catalog:read` (or `catalog:write`, `read`, `full`).

    Args:
        body (RateInRequest): A stateless rating: any pricing model and parameters, one quantity.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | RatingOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: RateInRequest,
) -> ErrorBody | RatingOut | None:
    """Rate a quantity with any pricing model and parameters (nothing is stored).

    Required scope: `catalog:read` (or `catalog:write`, `read`, `full`).

    Args:
        body (RateInRequest): A stateless rating: any pricing model and parameters, one quantity.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | RatingOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
