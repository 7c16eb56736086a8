"""AsyncBillingClient: BillingClient for asyncio (and trio) programs such as LiveKit agents."""
from __future__ import annotations

import functools
from typing import Any, Callable, Dict, Optional, TypeVar, Union

import anyio
import anyio.to_thread
import httpx

from ._core import (
    DEFAULT_FLUSH_LIMIT, FLUSH_LEASE_SECONDS, Budget, auth_headers, encode, entitlement_url, interpret,
    interpret_entitlement, keep_refused, logger, report_url, settle_flushed, write_ahead_lease,
)
from .client import _DEFAULT, SpoolPath
from .errors import BillingError, ServiceUnavailable, unreachable
from .models import Entitlement, FlushReport, ReportedCall, SpooledCall
from .payload import EndedAt, report_body
from .retry import DEFAULT_RETRY, RetryPolicy
from .spool import Spool, default_spool_path

T = TypeVar("T")


class AsyncBillingClient:
    """Same contract as BillingClient; SQLite work runs in a worker thread so the event loop never blocks on it."""

    def __init__(
        self,
        base_url: str,
        service_key: str,
        *,
        spool_path: SpoolPath = _DEFAULT,  # type: ignore[assignment]
        retry: RetryPolicy = DEFAULT_RETRY,
        flush_limit: int = DEFAULT_FLUSH_LIMIT,
        http_client: Optional[httpx.AsyncClient] = None,
    ) -> None:
        self.url = report_url(base_url)
        self._base_url = base_url
        self._headers = auth_headers(service_key)
        self.retry = retry
        self.flush_limit = flush_limit
        path = default_spool_path() if spool_path is _DEFAULT else spool_path
        self.spool: Optional[Spool] = Spool(path) if path is not None else None
        self._http = http_client or httpx.AsyncClient()
        self._owns_http = http_client is None

    async def report_call(
        self,
        org_id: str,
        call_id: str,
        *,
        duration_seconds: Optional[float] = None,
        duration_minutes: Optional[float] = None,
        ended_at: EndedAt = None,
    ) -> Union[ReportedCall, SpooledCall]:
        """See BillingClient.report_call."""
        body = report_body(org_id, call_id, duration_seconds=duration_seconds, duration_minutes=duration_minutes, ended_at=ended_at)
        spool = self.spool
        entry = await _thread(spool.add, body, lease_seconds=write_ahead_lease(self.retry)) if spool else None
        try:
            result = await self._send(body, Budget(self.retry))
        except ServiceUnavailable as err:
            if entry is None or spool is None:
                raise
            await _thread(spool.release, entry, error=str(err), retry_in=0, attempts=1)
            logger.warning("billing service unreachable, call spooled", extra={"call_id": call_id, "error": err.code})
            return SpooledCall(call_id, str(spool.path), str(err))
        except BillingError as err:
            if entry is not None and spool is not None:
                await _thread(keep_refused, spool, entry, err)
            raise
        if entry is not None and spool is not None:
            await _thread(spool.remove, entry)
            try:
                await self.flush_spool(self.flush_limit)
            except Exception:  # best effort: the new call went through; the spool is retried next time
                logger.exception("flushing the spool failed")
        return result

    async def check_entitlement(self, org_id: str) -> Entitlement:
        """May a new call of ``org_id`` start? ``GET /functions/v1/entitlement`` (docs/http-api.md#entitlement), one
        attempt within ``retry.request_timeout`` (it is asked before a call; nothing to spool). Raises the typed
        BillingError answered (OrganisationNotFound, InvalidRequest, Unauthorized), or ServiceUnavailable when no
        answer came: the caller then decides whether to start the call (a finished call is billed either way)."""
        try:
            res = await self._http.get(
                entitlement_url(self._base_url, org_id), headers=self._headers, timeout=self.retry.request_timeout
            )
        except httpx.TransportError as cause:
            raise unreachable(cause) from cause
        return interpret_entitlement(res.status_code, res.headers, res.content)

    async def flush_spool(self, limit: Optional[int] = None, *, ignore_backoff: bool = False) -> FlushReport:
        """See BillingClient.flush_spool."""
        report = FlushReport()
        spool = self.spool
        if spool is None:
            return report
        handled = 0
        while limit is None or handled < limit:
            size = min(50, (limit - handled) if limit is not None else 50)
            batch = await _thread(spool.claim, size, lease_seconds=FLUSH_LEASE_SECONDS, ignore_backoff=ignore_backoff)
            if not batch:
                break
            for i, entry in enumerate(batch):
                handled += 1
                try:
                    outcome: object = await self._send(entry.body, Budget(self.retry, single=True))
                except BillingError as err:
                    outcome = err
                if not await _thread(settle_flushed, spool, entry, outcome, report):
                    for rest in batch[i + 1:]:
                        await _thread(spool.release, rest, error=None, retry_in=0, attempts=0)
                    report.pending = len(await _thread(spool.pending))
                    return report
        report.pending = len(await _thread(spool.pending))
        return report

    async def _send(self, body: Dict[str, Any], budget: Budget) -> ReportedCall:
        content = encode(body)
        while True:
            try:
                res = await self._http.post(self.url, content=content, headers=self._headers, timeout=budget.timeout())
                return interpret(res.status_code, res.headers, res.content)
            except httpx.TransportError as cause:
                error = unreachable(cause)
            except ServiceUnavailable as err:
                error = err
            delay = budget.next_delay(error, body["call_id"])
            if delay is None:
                raise error
            await anyio.sleep(delay)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> "AsyncBillingClient":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


async def _thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))
