from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.retry_policy_in_request import RetryPolicyInRequest
from ...models.retry_policy_out import RetryPolicyOut
from ...types import Response


def _get_kwargs(
    *,
    body: RetryPolicyInRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/v1/retry-policies/",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | RetryPolicyOut | None:
    if response.status_code == 200:
        response_200 = RetryPolicyOut.from_dict(response.json())

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
) -> Response[ErrorBody | RetryPolicyOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: RetryPolicyInRequest,
) -> Response[ErrorBody | RetryPolicyOut]:
    """Set the global retry policy (an empty list: no retries). Days count from the invoice's FIRST failed
    automatic attempt, not between attempts: 3, 5, 7 after a first failure on Jan 10 retries on Jan 13,
    15 and 17.

    Required scope: `dunning:write` (or `full`).

    Args:
        body (RetryPolicyInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | RetryPolicyOut]
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
    body: RetryPolicyInRequest,
) -> ErrorBody | RetryPolicyOut | None:
    """Set the global retry policy (an empty list: no retries). Days count from the invoice's FIRST failed
    automatic attempt, not between attempts: 3, 5, 7 after a first failure on Jan 10 retries on Jan 13,
    15 and 17.

    Required scope: `dunning:write` (or `full`).

    Args:
        body (RetryPolicyInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | RetryPolicyOut
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: RetryPolicyInRequest,
) -> Response[ErrorBody | RetryPolicyOut]:
    """Set the global retry policy (an empty list: no retries). Days count from the invoice's FIRST failed
    automatic attempt, not between attempts: 3, 5, 7 after a first failure on Jan 10 retries on Jan 13,
    15 and 17.

    Required scope: `dunning:write` (or `full`).

    Args:
        body (RetryPolicyInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | RetryPolicyOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: RetryPolicyInRequest,
) -> ErrorBody | RetryPolicyOut | None:
    """Set the global retry policy (an empty list: no retries). Days count from the invoice's FIRST failed
    automatic attempt, not between attempts: 3, 5, 7 after a first failure on Jan 10 retries on Jan 13,
    15 and 17.

    Required scope: `dunning:write` (or `full`).

    Args:
        body (RetryPolicyInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | RetryPolicyOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
