from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.dashboard_out import DashboardOut
from ...models.error_body import ErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    currency: str | Unset = UNSET,
    from_: str | Unset = UNSET,
    to: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["currency"] = currency

    params["from"] = from_

    params["to"] = to

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/dashboard/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DashboardOut | ErrorBody | None:
    if response.status_code == 200:
        response_200 = DashboardOut.from_dict(response.json())

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
) -> Response[DashboardOut | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    currency: str | Unset = UNSET,
    from_: str | Unset = UNSET,
    to: str | Unset = UNSET,
) -> Response[DashboardOut | ErrorBody]:
    """The finance dashboard's figures: MRR and its movements by month (recurring fixed fees normalized to
    a month, at each month's end), invoiced and collected revenue, failed payments and their recovery,
    the AR aging, customers per dunning state, usage by metric and the renewals of the next 30 days.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        currency (str | Unset):
        from_ (str | Unset):
        to (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DashboardOut | ErrorBody]
    """

    kwargs = _get_kwargs(
        currency=currency,
        from_=from_,
        to=to,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    currency: str | Unset = UNSET,
    from_: str | Unset = UNSET,
    to: str | Unset = UNSET,
) -> DashboardOut | ErrorBody | None:
    """The finance dashboard's figures: MRR and its movements by month (recurring fixed fees normalized to
    a month, at each month's end), invoiced and collected revenue, failed payments and their recovery,
    the AR aging, customers per dunning state, usage by metric and the renewals of the next 30 days.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        currency (str | Unset):
        from_ (str | Unset):
        to (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DashboardOut | ErrorBody
    """

    return sync_detailed(
        client=client,
        currency=currency,
        from_=from_,
        to=to,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    currency: str | Unset = UNSET,
    from_: str | Unset = UNSET,
    to: str | Unset = UNSET,
) -> Response[DashboardOut | ErrorBody]:
    """The finance dashboard's figures: MRR and its movements by month (recurring fixed fees normalized to
    a month, at each month's end), invoiced and collected revenue, failed payments and their recovery,
    the AR aging, customers per dunning state, usage by metric and the renewals of the next 30 days.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        currency (str | Unset):
        from_ (str | Unset):
        to (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DashboardOut | ErrorBody]
    """

    kwargs = _get_kwargs(
        currency=currency,
        from_=from_,
        to=to,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    currency: str | Unset = UNSET,
    from_: str | Unset = UNSET,
    to: str | Unset = UNSET,
) -> DashboardOut | ErrorBody | None:
    """The finance dashboard's figures: MRR and its movements by month (recurring fixed fees normalized to
    a month, at each month's end), invoiced and collected revenue, failed payments and their recovery,
    the AR aging, customers per dunning state, usage by metric and the renewals of the next 30 days.

    Required scope: `reports:read` (or `reports:write`, `read`, `full`).

    Args:
        currency (str | Unset):
        from_ (str | Unset):
        to (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DashboardOut | ErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            currency=currency,
            from_=from_,
            to=to,
        )
    ).parsed
