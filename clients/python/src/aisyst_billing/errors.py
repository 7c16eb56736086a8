"""Typed errors, one class per error code of the billing API (README "Beyond the contract", src/errors.ts).

Every error has ``code`` (the API's ``error`` field, or ``unreachable`` when no answer came), ``status`` (the HTTP
status, ``None`` when unreachable), ``message`` and ``details`` (other fields of the answer, e.g. ``field``).
``retryable`` says whether sending the same call again may succeed; the client already did so within its budget.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Type


class BillingError(Exception):
    retryable = False

    def __init__(self, code: str, status: Optional[int], message: str, details: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(f"{code} ({status if status is not None else 'no answer'}): {message}")
        self.code = code
        self.status = status
        self.message = message
        self.details: Dict[str, Any] = dict(details or {})


class InvalidRequest(BillingError):
    """400: the call was refused as sent (bad org_id, call_id, duration or ended_at); ``details['field']`` names it."""


class Unauthorized(BillingError):
    """401: the service key is missing or not a backend key."""


class Forbidden(BillingError):
    """403."""


class NotFound(BillingError):
    """404 on a path that does not exist (a wrong base URL)."""


class OrganisationNotFound(NotFound):
    """404: no organisation has this id."""


class CallIdConflict(BillingError):
    """409: this call_id was already reported for another organisation or with another duration."""


class NoActiveSubscription(BillingError):
    """409: the call WAS recorded, unbilled — the organisation had no subscription covering the call's end.

    Not retried and not spooled: sending it again changes nothing (it is in the ledger already).
    """


class ServiceUnavailable(BillingError):
    """The service could not take the call now: no answer, a timeout, 408, 429 or 5xx. Retried by the client."""

    retryable = True


_BY_CODE: Dict[str, Type[BillingError]] = {
    "invalid_request": InvalidRequest,
    "invalid_json": InvalidRequest,
    "org_id_required": InvalidRequest,
    "payload_too_large": InvalidRequest,
    "unauthorized": Unauthorized,
    "forbidden": Forbidden,
    "not_found": NotFound,
    "organisation_not_found": OrganisationNotFound,
    "call_id_conflict": CallIdConflict,
    "no_active_subscription": NoActiveSubscription,
}

#: Statuses worth another try: 408 Request Timeout, 429 Too Many Requests and every 5xx.
RETRYABLE_STATUSES = frozenset({408, 429})


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


def error_from_answer(status: int, body: Any) -> BillingError:
    """The typed error for a non-2xx answer; ``body`` is its parsed JSON (anything else when it was not JSON)."""
    data = body if isinstance(body, dict) else {}
    raw_code, raw_message = data.get("error"), data.get("message")
    code = raw_code if isinstance(raw_code, str) else f"http_{status}"
    message = raw_message if isinstance(raw_message, str) else f"HTTP {status}"
    details = {k: v for k, v in data.items() if k not in ("error", "message")}
    if is_retryable_status(status):
        return ServiceUnavailable(code, status, message, details)
    cls = _BY_CODE.get(code)
    if cls is None:
        cls = {400: InvalidRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound}.get(status, BillingError)
    return cls(code, status, message, details)


def unreachable(cause: BaseException) -> ServiceUnavailable:
    return ServiceUnavailable("unreachable", None, f"{type(cause).__name__}: {cause}")
