from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.stripe_webhook_out import StripeWebhookOut
from ...models.webhooks_stripe_body import WebhooksStripeBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: WebhooksStripeBody | Unset = UNSET,
    stripe_signature: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Stripe-Signature"] = stripe_signature

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/webhooks/stripe/",
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | StripeWebhookOut | None:
    if response.status_code == 200:
        response_200 = StripeWebhookOut.from_dict(response.json())

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
) -> Response[ErrorBody | StripeWebhookOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: WebhooksStripeBody | Unset = UNSET,
    stripe_signature: str,
) -> Response[ErrorBody | StripeWebhookOut]:
    """Stripe's signed events (no API key: the signature authenticates). `payment_intent.succeeded` and
    `payment_intent.payment_failed` resolve the pending payment carrying the intent's idempotency key;
    events about no payment of ours are answered 200 and ignored. A missing or bad signature is a 400
    `invalid_signature`.

    Args:
        stripe_signature (str):
        body (WebhooksStripeBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | StripeWebhookOut]
    """

    kwargs = _get_kwargs(
        body=body,
        stripe_signature=stripe_signature,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: WebhooksStripeBody | Unset = UNSET,
    stripe_signature: str,
) -> ErrorBody | StripeWebhookOut | None:
    """Stripe's signed events (no API key: the signature authenticates). `payment_intent.succeeded` and
    `payment_intent.payment_failed` resolve the pending payment carrying the intent's idempotency key;
    events about no payment of ours are answered 200 and ignored. A missing or bad signature is a 400
    `invalid_signature`.

    Args:
        stripe_signature (str):
        body (WebhooksStripeBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | StripeWebhookOut
    """

    return sync_detailed(
        client=client,
        body=body,
        stripe_signature=stripe_signature,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: WebhooksStripeBody | Unset = UNSET,
    stripe_signature: str,
) -> Response[ErrorBody | StripeWebhookOut]:
    """Stripe's signed events (no API key: the signature authenticates). `payment_intent.succeeded` and
    `payment_intent.payment_failed` resolve the pending payment carrying the intent's idempotency key;
    events about no payment of ours are answered 200 and ignored. A missing or bad signature is a 400
    `invalid_signature`.

    Args:
        stripe_signature (str):
        body (WebhooksStripeBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | StripeWebhookOut]
    """

    kwargs = _get_kwargs(
        body=body,
        stripe_signature=stripe_signature,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: WebhooksStripeBody | Unset = UNSET,
    stripe_signature: str,
) -> ErrorBody | StripeWebhookOut | None:
    """Stripe's signed events (no API key: the signature authenticates). `payment_intent.succeeded` and
    `payment_intent.payment_failed` resolve the pending payment carrying the intent's idempotency key;
    events about no payment of ours are answered 200 and ignored. A missing or bad signature is a 400
    `invalid_signature`.

    Args:
        stripe_signature (str):
        body (WebhooksStripeBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | StripeWebhookOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            stripe_signature=stripe_signature,
        )
    ).parsed
