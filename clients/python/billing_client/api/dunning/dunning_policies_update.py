from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.dunning_policy_in_request import DunningPolicyInRequest
from ...models.dunning_policy_out import DunningPolicyOut
from ...models.error_body import ErrorBody
from ...types import Response


def _get_kwargs(
    id: int,
    *,
    body: DunningPolicyInRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/v1/dunning-policies/{id}/".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DunningPolicyOut | ErrorBody | None:
    if response.status_code == 200:
        response_200 = DunningPolicyOut.from_dict(response.json())

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
) -> Response[DunningPolicyOut | ErrorBody]:
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
    body: DunningPolicyInRequest,
) -> Response[DunningPolicyOut | ErrorBody]:
    """Replace the policy and its list of states. States are matched by `code`: a kept code keeps the
    customers in it, a new code adds a state, a code left out removes its state (409 `state_in_use`
    while customers are in it). Past transitions keep their own copies of names and actions.

    Required scope: `dunning:write` (or `full`).

    Args:
        id (int):
        body (DunningPolicyInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DunningPolicyOut | ErrorBody]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: int,
    *,
    client: AuthenticatedClient,
    body: DunningPolicyInRequest,
) -> DunningPolicyOut | ErrorBody | None:
    """Replace the policy and its list of states. States are matched by `code`: a kept code keeps the
    customers in it, a new code adds a state, a code left out removes its state (409 `state_in_use`
    while customers are in it). Past transitions keep their own copies of names and actions.

    Required scope: `dunning:write` (or `full`).

    Args:
        id (int):
        body (DunningPolicyInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DunningPolicyOut | ErrorBody
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    body: DunningPolicyInRequest,
) -> Response[DunningPolicyOut | ErrorBody]:
    """Replace the policy and its list of states. States are matched by `code`: a kept code keeps the
    customers in it, a new code adds a state, a code left out removes its state (409 `state_in_use`
    while customers are in it). Past transitions keep their own copies of names and actions.

    Required scope: `dunning:write` (or `full`).

    Args:
        id (int):
        body (DunningPolicyInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DunningPolicyOut | ErrorBody]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
    body: DunningPolicyInRequest,
) -> DunningPolicyOut | ErrorBody | None:
    """Replace the policy and its list of states. States are matched by `code`: a kept code keeps the
    customers in it, a new code adds a state, a code left out removes its state (409 `state_in_use`
    while customers are in it). Past transitions keep their own copies of names and actions.

    Required scope: `dunning:write` (or `full`).

    Args:
        id (int):
        body (DunningPolicyInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DunningPolicyOut | ErrorBody
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
        )
    ).parsed
