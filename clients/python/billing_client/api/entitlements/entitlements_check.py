from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.check_out import CheckOut
from ...models.error_body import ErrorBody
from ...types import UNSET, Response


def _get_kwargs(
    *,
    customer: str,
    feature: str,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["customer"] = customer

    params["feature"] = feature

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/entitlements/check/",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CheckOut | ErrorBody | None:
    if response.status_code == 200:
        response_200 = CheckOut.from_dict(response.json())

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
) -> Response[CheckOut | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    customer: str,
    feature: str,
) -> Response[CheckOut | ErrorBody]:
    """May this customer use this feature, and up to what limit? One indexed read.

    Required scope: `entitlements:read` (or `entitlements:write`, `read`, `full`).

    Args:
        customer (str):
        feature (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CheckOut | ErrorBody]
    """

    kwargs = _get_kwargs(
        customer=customer,
        feature=feature,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    customer: str,
    feature: str,
) -> CheckOut | ErrorBody | None:
    """May this customer use this feature, and up to what limit? One indexed read.

    Required scope: `entitlements:read` (or `entitlements:write`, `read`, `full`).

    Args:
        customer (str):
        feature (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CheckOut | ErrorBody
    """

    return sync_detailed(
        client=client,
        customer=customer,
        feature=feature,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    customer: str,
    feature: str,
) -> Response[CheckOut | ErrorBody]:
    """May this customer use this feature, and up to what limit? One indexed read.

    Required scope: `entitlements:read` (or `entitlements:write`, `read`, `full`).

    Args:
        customer (str):
        feature (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CheckOut | ErrorBody]
    """

    kwargs = _get_kwargs(
        customer=customer,
        feature=feature,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    customer: str,
    feature: str,
) -> CheckOut | ErrorBody | None:
    """May this customer use this feature, and up to what limit? One indexed read.

    Required scope: `entitlements:read` (or `entitlements:write`, `read`, `full`).

    Args:
        customer (str):
        feature (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CheckOut | ErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            customer=customer,
            feature=feature,
        )
    ).parsed
