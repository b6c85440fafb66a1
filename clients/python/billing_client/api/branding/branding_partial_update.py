from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.branding_out import BrandingOut
from ...models.error_body import ErrorBody
from ...models.patched_branding_in_request import PatchedBrandingInRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: PatchedBrandingInRequest | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/v1/branding/",
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BrandingOut | ErrorBody | None:
    if response.status_code == 200:
        response_200 = BrandingOut.from_dict(response.json())

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
) -> Response[BrandingOut | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: PatchedBrandingInRequest | Unset = UNSET,
) -> Response[BrandingOut | ErrorBody]:
    """Change the fields given. Refused (400, naming the field): a colour not #rrggbb (`invalid_color`),
    text on primary below 4.5:1 (`low_contrast` on `primary_text_color`, naming the ratio), a logo that
    is not base64, not a PNG or JPEG (`unsupported_image`; SVG is refused), larger than 256 KB
    (`too_large`) or outside 16-2000 pixels a side (`bad_dimensions`). Finalized documents keep the
    brand they were issued with; the next ones take this one.

    Required scope: `branding:write` (or `full`).

    Args:
        body (PatchedBrandingInRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BrandingOut | ErrorBody]
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
    body: PatchedBrandingInRequest | Unset = UNSET,
) -> BrandingOut | ErrorBody | None:
    """Change the fields given. Refused (400, naming the field): a colour not #rrggbb (`invalid_color`),
    text on primary below 4.5:1 (`low_contrast` on `primary_text_color`, naming the ratio), a logo that
    is not base64, not a PNG or JPEG (`unsupported_image`; SVG is refused), larger than 256 KB
    (`too_large`) or outside 16-2000 pixels a side (`bad_dimensions`). Finalized documents keep the
    brand they were issued with; the next ones take this one.

    Required scope: `branding:write` (or `full`).

    Args:
        body (PatchedBrandingInRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BrandingOut | ErrorBody
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: PatchedBrandingInRequest | Unset = UNSET,
) -> Response[BrandingOut | ErrorBody]:
    """Change the fields given. Refused (400, naming the field): a colour not #rrggbb (`invalid_color`),
    text on primary below 4.5:1 (`low_contrast` on `primary_text_color`, naming the ratio), a logo that
    is not base64, not a PNG or JPEG (`unsupported_image`; SVG is refused), larger than 256 KB
    (`too_large`) or outside 16-2000 pixels a side (`bad_dimensions`). Finalized documents keep the
    brand they were issued with; the next ones take this one.

    Required scope: `branding:write` (or `full`).

    Args:
        body (PatchedBrandingInRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BrandingOut | ErrorBody]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: PatchedBrandingInRequest | Unset = UNSET,
) -> BrandingOut | ErrorBody | None:
    """Change the fields given. Refused (400, naming the field): a colour not #rrggbb (`invalid_color`),
    text on primary below 4.5:1 (`low_contrast` on `primary_text_color`, naming the ratio), a logo that
    is not base64, not a PNG or JPEG (`unsupported_image`; SVG is refused), larger than 256 KB
    (`too_large`) or outside 16-2000 pixels a side (`bad_dimensions`). Finalized documents keep the
    brand they were issued with; the next ones take this one.

    Required scope: `branding:write` (or `full`).

    Args:
        body (PatchedBrandingInRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BrandingOut | ErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
