from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_key_out import ApiKeyOut
from ...models.error_body import ErrorBody
from ...models.patched_api_key_patch_in_request import PatchedApiKeyPatchInRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: int,
    *,
    body: PatchedApiKeyPatchInRequest | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/v1/api-keys/{id}/".format(
            id=quote(str(id), safe=""),
        ),
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ApiKeyOut | ErrorBody | None:
    if response.status_code == 200:
        response_200 = ApiKeyOut.from_dict(response.json())

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
) -> Response[ApiKeyOut | ErrorBody]:
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
    body: PatchedApiKeyPatchInRequest | Unset = UNSET,
) -> Response[ApiKeyOut | ErrorBody]:
    """Change a key's name, scopes, expiry (null: never) or IP allow-list (empty: anywhere); only the
    fields given. A revoked key: 409 `revoked`. The same 400s and 403 `cannot_grant` as the creation: a
    change of scopes, expiry or allow-list is a grant, and a key cannot widen itself. Takes effect on
    the key's next request.

    Required scope: `full`.

    Args:
        id (int):
        body (PatchedApiKeyPatchInRequest | Unset): Only the fields given change.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiKeyOut | ErrorBody]
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
    body: PatchedApiKeyPatchInRequest | Unset = UNSET,
) -> ApiKeyOut | ErrorBody | None:
    """Change a key's name, scopes, expiry (null: never) or IP allow-list (empty: anywhere); only the
    fields given. A revoked key: 409 `revoked`. The same 400s and 403 `cannot_grant` as the creation: a
    change of scopes, expiry or allow-list is a grant, and a key cannot widen itself. Takes effect on
    the key's next request.

    Required scope: `full`.

    Args:
        id (int):
        body (PatchedApiKeyPatchInRequest | Unset): Only the fields given change.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiKeyOut | ErrorBody
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
    body: PatchedApiKeyPatchInRequest | Unset = UNSET,
) -> Response[ApiKeyOut | ErrorBody]:
    """Change a key's name, scopes, expiry (null: never) or IP allow-list (empty: anywhere); only the
    fields given. A revoked key: 409 `revoked`. The same 400s and 403 `cannot_grant` as the creation: a
    change of scopes, expiry or allow-list is a grant, and a key cannot widen itself. Takes effect on
    the key's next request.

    Required scope: `full`.

    Args:
        id (int):
        body (PatchedApiKeyPatchInRequest | Unset): Only the fields given change.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiKeyOut | ErrorBody]
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
    body: PatchedApiKeyPatchInRequest | Unset = UNSET,
) -> ApiKeyOut | ErrorBody | None:
    """Change a key's name, scopes, expiry (null: never) or IP allow-list (empty: anywhere); only the
    fields given. A revoked key: 409 `revoked`. The same 400s and 403 `cannot_grant` as the creation: a
    change of scopes, expiry or allow-list is a grant, and a key cannot widen itself. Takes effect on
    the key's next request.

    Required scope: `full`.

    Args:
        id (int):
        body (PatchedApiKeyPatchInRequest | Unset): Only the fields given change.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiKeyOut | ErrorBody
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
        )
    ).parsed
