"""BillingClient: report a finished call; retried within a budget, spooled when the service stays unreachable."""
from __future__ import annotations

import os
import time
from typing import Any, Dict, Optional, Union

import httpx

from ._core import (
    DEFAULT_FLUSH_LIMIT, FLUSH_LEASE_SECONDS, Budget, auth_headers, encode, entitlement_url, interpret,
    interpret_entitlement, keep_refused, logger, report_url, settle_flushed, write_ahead_lease,
)
from .errors import BillingError, ServiceUnavailable, unreachable
from .models import Entitlement, FlushReport, ReportedCall, SpooledCall
from .payload import EndedAt, report_body
from .retry import DEFAULT_RETRY, RetryPolicy
from .spool import Spool, default_spool_path

SpoolPath = Union[str, "os.PathLike[str]", None]
_DEFAULT = object()


class BillingClient:
    """Reports calls to ``POST /functions/v1/report-usage`` with the project's service key.

    ``spool_path``: the SQLite spool (default ``$AISYST_BILLING_SPOOL`` or ``~/.aisyst-billing/spool.sqlite3``);
    ``None`` turns spooling off (then an unreachable service raises ServiceUnavailable after the budget).
    """

    def __init__(
        self,
        base_url: str,
        service_key: str,
        *,
        spool_path: SpoolPath = _DEFAULT,  # type: ignore[assignment]
        retry: RetryPolicy = DEFAULT_RETRY,
        flush_limit: int = DEFAULT_FLUSH_LIMIT,
        http_client: Optional[httpx.Client] = None,
    ) -> None:
        self.url = report_url(base_url)
        self._base_url = base_url
        self._headers = auth_headers(service_key)
        self.retry = retry
        self.flush_limit = flush_limit
        path = default_spool_path() if spool_path is _DEFAULT else spool_path
        self.spool: Optional[Spool] = Spool(path) if path is not None else None
        self._http = http_client or httpx.Client()
        self._owns_http = http_client is None

    def report_call(
        self,
        org_id: str,
        call_id: str,
        *,
        duration_seconds: Optional[float] = None,
        duration_minutes: Optional[float] = None,
        ended_at: EndedAt = None,
    ) -> Union[ReportedCall, SpooledCall]:
        """Report one finished call; give exactly one of the durations. ``ended_at`` defaults to now.

        Returns ReportedCall once the service has it, or SpooledCall when it could not be reached within the budget
        (the call is safe on disk and is resent later). Raises the typed BillingError the service answered
        otherwise, after moving the call to the spool's dead_letters (``aisyst-billing-flush --requeue-dead-letters``
        sends them again once the cause is fixed, e.g. a wrong key). NoActiveSubscription means the call WAS
        recorded, unbilled: it is neither retried nor kept.
        """
        body = report_body(org_id, call_id, duration_seconds=duration_seconds, duration_minutes=duration_minutes, ended_at=ended_at)
        entry = self.spool.add(body, lease_seconds=write_ahead_lease(self.retry)) if self.spool else None
        try:
            result = self._send(body, Budget(self.retry))
        except ServiceUnavailable as err:
            if entry is None or self.spool is None:
                raise
            self.spool.release(entry, error=str(err), retry_in=0, attempts=1)
            logger.warning("billing service unreachable, call spooled", extra={"call_id": call_id, "error": err.code})
            return SpooledCall(call_id, str(self.spool.path), str(err))
        except BillingError as err:
            if entry is not None and self.spool is not None:
                keep_refused(self.spool, entry, err)
            raise
        if entry is not None and self.spool is not None:
            self.spool.remove(entry)
            self._flush_quietly()
        return result

    def check_entitlement(self, org_id: str) -> Entitlement:
        """May a new call of ``org_id`` start? ``GET /functions/v1/entitlement`` (docs/http-api.md#entitlement), one
        attempt within ``retry.request_timeout`` (it is asked before a call; nothing to spool). Raises the typed
        BillingError answered (OrganisationNotFound, InvalidRequest, Unauthorized), or ServiceUnavailable when no
        answer came: the caller then decides whether to start the call (a finished call is billed either way)."""
        try:
            res = self._http.get(
                entitlement_url(self._base_url, org_id), headers=self._headers, timeout=self.retry.request_timeout
            )
        except httpx.TransportError as cause:
            raise unreachable(cause) from cause
        return interpret_entitlement(res.status_code, res.headers, res.content)

    def flush_spool(self, limit: Optional[int] = None, *, ignore_backoff: bool = False) -> FlushReport:
        """Resend spooled calls (oldest first, one attempt each) until ``limit``, none is due, or the service fails."""
        report = FlushReport()
        spool = self.spool
        if spool is None:
            return report
        handled = 0
        while limit is None or handled < limit:
            batch = spool.claim(min(50, (limit - handled) if limit is not None else 50), lease_seconds=FLUSH_LEASE_SECONDS, ignore_backoff=ignore_backoff)
            if not batch:
                break
            for i, entry in enumerate(batch):
                handled += 1
                try:
                    outcome: object = self._send(entry.body, Budget(self.retry, single=True))
                except BillingError as err:
                    outcome = err
                if not settle_flushed(spool, entry, outcome, report):
                    for rest in batch[i + 1:]:
                        spool.release(rest, error=None, retry_in=0, attempts=0)
                    report.pending = len(spool.pending())
                    return report
        report.pending = len(spool.pending())
        return report

    def _flush_quietly(self) -> None:
        try:
            self.flush_spool(self.flush_limit)
        except Exception:  # best effort: the new call went through; the spool is retried next time
            logger.exception("flushing the spool failed")

    def _send(self, body: Dict[str, Any], budget: Budget) -> ReportedCall:
        content = encode(body)
        while True:
            try:
                res = self._http.post(self.url, content=content, headers=self._headers, timeout=budget.timeout())
                return interpret(res.status_code, res.headers, res.content)
            except httpx.TransportError as cause:
                error = unreachable(cause)
            except ServiceUnavailable as err:
                error = err
            delay = budget.next_delay(error, body["call_id"])
            if delay is None:
                raise error
            time.sleep(delay)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> "BillingClient":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
