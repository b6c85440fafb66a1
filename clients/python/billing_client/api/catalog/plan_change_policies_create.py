from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.plan_change_policy_in_request import PlanChangePolicyInRequest
from ...models.plan_change_policy_out import PlanChangePolicyOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: PlanChangePolicyInRequest,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/plan-change-policies/",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PlanChangePolicyOut | None:
    if response.status_code == 201:
        response_201 = PlanChangePolicyOut.from_dict(response.json())

        return response_201

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
) -> Response[ErrorBody | PlanChangePolicyOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: PlanChangePolicyInRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | PlanChangePolicyOut]:
    """When a change from one plan to another takes effect (Kill Bill's IMMEDIATE / END_OF_TERM / ILLEGAL).
    A change asked `auto` follows it instead of the price heuristic; a change asked `now`, `period_end`
    or on a date that contradicts it is refused (400 `contradicts_policy` on `when`); an `illegal` pair
    is refused (400 `change_not_allowed` on `plan`). A change of quantity on the same plan is not
    governed by plan pairs.

    Required scope: `catalog:write` (or `full`).

    Args:
        idempotency_key (str | Unset):
        body (PlanChangePolicyInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PlanChangePolicyOut]
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
    body: PlanChangePolicyInRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | PlanChangePolicyOut | None:
    """When a change from one plan to another takes effect (Kill Bill's IMMEDIATE / END_OF_TERM / ILLEGAL).
    A change asked `auto` follows it instead of the price heuristic; a change asked `now`, `period_end`
    or on a date that contradicts it is refused (400 `contradicts_policy` on `when`); an `illegal` pair
    is refused (400 `change_not_allowed` on `plan`). A change of quantity on the same plan is not
    governed by plan pairs.

    Required scope: `catalog:write` (or `full`).

    Args:
        idempotency_key (str | Unset):
        body (PlanChangePolicyInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PlanChangePolicyOut
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: PlanChangePolicyInRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | PlanChangePolicyOut]:
    """When a change from one plan to another takes effect (Kill Bill's IMMEDIATE / END_OF_TERM / ILLEGAL).
    A change asked `auto` follows it instead of the price heuristic; a change asked `now`, `period_end`
    or on a date that contradicts it is refused (400 `contradicts_policy` on `when`); an `illegal` pair
    is refused (400 `change_not_allowed` on `plan`). A change of quantity on the same plan is not
    governed by plan pairs.

    Required scope: `catalog:write` (or `full`).

    Args:
        idempotency_key (str | Unset):
        body (PlanChangePolicyInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PlanChangePolicyOut]
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
    body: PlanChangePolicyInRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | PlanChangePolicyOut | None:
    """When a change from one plan to another takes effect (Kill Bill's IMMEDIATE / END_OF_TERM / ILLEGAL).
    A change asked `auto` follows it instead of the price heuristic; a change asked `now`, `period_end`
    or on a date that contradicts it is refused (400 `contradicts_policy` on `when`); an `illegal` pair
    is refused (400 `change_not_allowed` on `plan`). A change of quantity on the same plan is not
    governed by plan pairs.

    Required scope: `catalog:write` (or `full`).

    Args:
        idempotency_key (str | Unset):
        body (PlanChangePolicyInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PlanChangePolicyOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
