from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.paginated_plan_change_policy_out_list import PaginatedPlanChangePolicyOutList
from ...models.plan_change_policies_list_policy import PlanChangePoliciesListPolicy
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    from_plan: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    policy: PlanChangePoliciesListPolicy | Unset = UNSET,
    to_plan: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["from_plan"] = from_plan

    params["limit"] = limit

    json_policy: str | Unset = UNSET
    if not isinstance(policy, Unset):
        json_policy = policy.value

    params["policy"] = json_policy

    params["to_plan"] = to_plan

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/plan-change-policies/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaginatedPlanChangePolicyOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedPlanChangePolicyOutList.from_dict(response.json())

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
) -> Response[ErrorBody | PaginatedPlanChangePolicyOutList]:
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
    from_plan: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    policy: PlanChangePoliciesListPolicy | Unset = UNSET,
    to_plan: int | Unset = UNSET,
) -> Response[ErrorBody | PaginatedPlanChangePolicyOutList]:
    """When a change from one plan to another takes effect (Kill Bill's IMMEDIATE / END_OF_TERM / ILLEGAL).
    A change asked `auto` follows it instead of the price heuristic; a change asked `now`, `period_end`
    or on a date that contradicts it is refused (400 `contradicts_policy` on `when`); an `illegal` pair
    is refused (400 `change_not_allowed` on `plan`). A change of quantity on the same plan is not
    governed by plan pairs.

    Required scope: `catalog:read` (or `catalog:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        from_plan (int | Unset):
        limit (int | Unset):
        policy (PlanChangePoliciesListPolicy | Unset):
        to_plan (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedPlanChangePolicyOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        from_plan=from_plan,
        limit=limit,
        policy=policy,
        to_plan=to_plan,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    from_plan: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    policy: PlanChangePoliciesListPolicy | Unset = UNSET,
    to_plan: int | Unset = UNSET,
) -> ErrorBody | PaginatedPlanChangePolicyOutList | None:
    """When a change from one plan to another takes effect (Kill Bill's IMMEDIATE / END_OF_TERM / ILLEGAL).
    A change asked `auto` follows it instead of the price heuristic; a change asked `now`, `period_end`
    or on a date that contradicts it is refused (400 `contradicts_policy` on `when`); an `illegal` pair
    is refused (400 `change_not_allowed` on `plan`). A change of quantity on the same plan is not
    governed by plan pairs.

    Required scope: `catalog:read` (or `catalog:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        from_plan (int | Unset):
        limit (int | Unset):
        policy (PlanChangePoliciesListPolicy | Unset):
        to_plan (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedPlanChangePolicyOutList
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        from_plan=from_plan,
        limit=limit,
        policy=policy,
        to_plan=to_plan,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    from_plan: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    policy: PlanChangePoliciesListPolicy | Unset = UNSET,
    to_plan: int | Unset = UNSET,
) -> Response[ErrorBody | PaginatedPlanChangePolicyOutList]:
    """When a change from one plan to another takes effect (Kill Bill's IMMEDIATE / END_OF_TERM / ILLEGAL).
    A change asked `auto` follows it instead of the price heuristic; a change asked `now`, `period_end`
    or on a date that contradicts it is refused (400 `contradicts_policy` on `when`); an `illegal` pair
    is refused (400 `change_not_allowed` on `plan`). A change of quantity on the same plan is not
    governed by plan pairs.

    Required scope: `catalog:read` (or `catalog:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        from_plan (int | Unset):
        limit (int | Unset):
        policy (PlanChangePoliciesListPolicy | Unset):
        to_plan (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaginatedPlanChangePolicyOutList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        from_plan=from_plan,
        limit=limit,
        policy=policy,
        to_plan=to_plan,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    from_plan: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    policy: PlanChangePoliciesListPolicy | Unset = UNSET,
    to_plan: int | Unset = UNSET,
) -> ErrorBody | PaginatedPlanChangePolicyOutList | None:
    """When a change from one plan to another takes effect (Kill Bill's IMMEDIATE / END_OF_TERM / ILLEGAL).
    A change asked `auto` follows it instead of the price heuristic; a change asked `now`, `period_end`
    or on a date that contradicts it is refused (400 `contradicts_policy` on `when`); an `illegal` pair
    is refused (400 `change_not_allowed` on `plan`). A change of quantity on the same plan is not
    governed by plan pairs.

    Required scope: `catalog:read` (or `catalog:write`, `read`, `full`).

    Args:
        cursor (str | Unset):
        from_plan (int | Unset):
        limit (int | Unset):
        policy (PlanChangePoliciesListPolicy | Unset):
        to_plan (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaginatedPlanChangePolicyOutList
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            from_plan=from_plan,
            limit=limit,
            policy=policy,
            to_plan=to_plan,
        )
    ).parsed
