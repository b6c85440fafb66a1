from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.retry_payment_in_request import RetryPaymentInRequest
from ...models.retry_payment_out import RetryPaymentOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: int,
    *,
    body: RetryPaymentInRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/invoices/{id}/retry-payment/".format(
            id=quote(str(id), safe=""),
        ),
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | RetryPaymentOut | None:
    if response.status_code == 201:
        response_201 = RetryPaymentOut.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

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
) -> Response[ErrorBody | RetryPaymentOut]:
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
    body: RetryPaymentInRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | RetryPaymentOut]:
    """Make the invoice's next automatic payment attempt now, for its amount due, with the payment method
    it would be charged to now. The payment is `pending` until the gateway answers. Refused (400) when
    the invoice cannot be paid (`not_payable`) or owes nothing (`nothing_due`), when an attempt is
    pending (`attempt_pending`), on `invoice`; when there is no usable method (`no_payment_method`, on
    `payment_method`). With `payment_method` that method is charged (one of the customer's own, active:
    else `not_found` or `payment_method_not_active` on `payment_method`), also for a customer whose
    automatic collection is off. A failure continues the invoice's retry schedule.

    Required scope: `payments:write` (or `full`).

    Args:
        id (int):
        idempotency_key (str | Unset):
        body (RetryPaymentInRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | RetryPaymentOut]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: int,
    *,
    client: AuthenticatedClient,
    body: RetryPaymentInRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | RetryPaymentOut | None:
    """Make the invoice's next automatic payment attempt now, for its amount due, with the payment method
    it would be charged to now. The payment is `pending` until the gateway answers. Refused (400) when
    the invoice cannot be paid (`not_payable`) or owes nothing (`nothing_due`), when an attempt is
    pending (`attempt_pending`), on `invoice`; when there is no usable method (`no_payment_method`, on
    `payment_method`). With `payment_method` that method is charged (one of the customer's own, active:
    else `not_found` or `payment_method_not_active` on `payment_method`), also for a customer whose
    automatic collection is off. A failure continues the invoice's retry schedule.

    Required scope: `payments:write` (or `full`).

    Args:
        id (int):
        idempotency_key (str | Unset):
        body (RetryPaymentInRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | RetryPaymentOut
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    body: RetryPaymentInRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | RetryPaymentOut]:
    """Make the invoice's next automatic payment attempt now, for its amount due, with the payment method
    it would be charged to now. The payment is `pending` until the gateway answers. Refused (400) when
    the invoice cannot be paid (`not_payable`) or owes nothing (`nothing_due`), when an attempt is
    pending (`attempt_pending`), on `invoice`; when there is no usable method (`no_payment_method`, on
    `payment_method`). With `payment_method` that method is charged (one of the customer's own, active:
    else `not_found` or `payment_method_not_active` on `payment_method`), also for a customer whose
    automatic collection is off. A failure continues the invoice's retry schedule.

    Required scope: `payments:write` (or `full`).

    Args:
        id (int):
        idempotency_key (str | Unset):
        body (RetryPaymentInRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | RetryPaymentOut]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
    body: RetryPaymentInRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | RetryPaymentOut | None:
    """Make the invoice's next automatic payment attempt now, for its amount due, with the payment method
    it would be charged to now. The payment is `pending` until the gateway answers. Refused (400) when
    the invoice cannot be paid (`not_payable`) or owes nothing (`nothing_due`), when an attempt is
    pending (`attempt_pending`), on `invoice`; when there is no usable method (`no_payment_method`, on
    `payment_method`). With `payment_method` that method is charged (one of the customer's own, active:
    else `not_found` or `payment_method_not_active` on `payment_method`), also for a customer whose
    automatic collection is off. A failure continues the invoice's retry schedule.

    Required scope: `payments:write` (or `full`).

    Args:
        id (int):
        idempotency_key (str | Unset):
        body (RetryPaymentInRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | RetryPaymentOut
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
