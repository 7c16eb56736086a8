"""What the sync and the async client share: the request, reading the answer, the budget, settling a flushed call."""
from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode
from typing import Any, Callable, Dict, Optional

from . import __version__
from .errors import BillingError, NoActiveSubscription, ServiceUnavailable, error_from_answer
from .models import Entitlement, FlushReport, ReportedCall
from .retry import RetryPolicy, parse_retry_after, spool_backoff
from .spool import Spool, SpooledEntry

logger = logging.getLogger("aisyst_billing")

#: Spooled calls one client call resends after its own call went through (bounded, so it never stalls an agent).
DEFAULT_FLUSH_LIMIT = 20
#: Seconds a flushing process holds the calls it claimed before another may take them.
FLUSH_LEASE_SECONDS = 300.0


def report_url(base_url: str) -> str:
    """``base_url`` is the project's URL (``http://127.0.0.1:54321``, ``https://<ref>.supabase.co``)."""
    return base_url.rstrip("/") + "/functions/v1/report-usage"


def entitlement_url(base_url: str, org_id: str) -> str:
    return base_url.rstrip("/") + "/functions/v1/entitlement?" + urlencode({"org_id": org_id})


def interpret_entitlement(status: int, headers: Any, content: bytes) -> Entitlement:
    """The Entitlement of a 2xx answer; raises the typed error otherwise, as ``interpret`` does."""
    try:
        data = json.loads(content.decode("utf-8")) if content else None
    except (UnicodeDecodeError, ValueError):
        data = None
    if 200 <= status < 300 and isinstance(data, dict):
        try:
            return Entitlement.from_json(data)
        except (KeyError, TypeError, ValueError):
            pass
    if 200 <= status < 300:
        raise ServiceUnavailable("invalid_answer", status, "the answer was not the JSON entitlement sends")
    error = error_from_answer(status, data)
    if isinstance(error, ServiceUnavailable):
        error.details["retry_after"] = parse_retry_after(headers.get("retry-after"))
    raise error


def auth_headers(service_key: str) -> Dict[str, str]:
    if not service_key:
        raise ValueError("service_key is required (the project's service-role or secret key)")
    return {
        "authorization": f"Bearer {service_key}",
        "apikey": service_key,
        "content-type": "application/json",
        "user-agent": f"aisyst-billing-python/{__version__}",
    }


def encode(body: Dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def interpret(status: int, headers: Any, content: bytes) -> ReportedCall:
    """The result of a 2xx answer; raises the typed error otherwise (ServiceUnavailable carries ``retry_after``)."""
    try:
        data = json.loads(content.decode("utf-8")) if content else None
    except (UnicodeDecodeError, ValueError):
        data = None
    if 200 <= status < 300 and isinstance(data, dict):
        try:
            return ReportedCall.from_json(data)
        except (KeyError, TypeError, ValueError):
            data = None  # some other service answered (a wrong base URL?): keep the call, try again later
    if 200 <= status < 300:
        raise ServiceUnavailable("invalid_answer", status, "the answer was not the JSON report-usage sends")
    error = error_from_answer(status, data)
    if isinstance(error, ServiceUnavailable):
        error.details["retry_after"] = parse_retry_after(headers.get("retry-after"))
    raise error


class Budget:
    """The attempts of one report within ``policy.budget_seconds``."""

    def __init__(self, policy: RetryPolicy, *, single: bool = False, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self.single = single
        self.clock = clock
        self.deadline = clock() + policy.budget_seconds
        self.attempts = 0

    def timeout(self) -> float:
        if self.single:
            return self.policy.request_timeout
        return max(0.05, min(self.policy.request_timeout, self.deadline - self.clock()))

    def next_delay(self, error: ServiceUnavailable, call_id: str) -> Optional[float]:
        """Seconds to wait before the next attempt, or None: the budget would be spent (or a single try was asked)."""
        self.attempts += 1
        if self.single:
            return None
        delay = self.policy.delay(self.attempts, error.details.get("retry_after"))
        if self.clock() + delay >= self.deadline:
            return None
        logger.info("report-usage failed, retrying", extra={"call_id": call_id, "error": error.code, "retry_in": round(delay, 3)})
        return delay


def settle_flushed(spool: Spool, entry: SpooledEntry, outcome: Any, report: FlushReport) -> bool:
    """Records what became of one spooled call; False when the service is unavailable (stop this flush)."""
    if isinstance(outcome, ReportedCall):
        spool.remove(entry)
        report.delivered += 1
        return True
    if isinstance(outcome, NoActiveSubscription):
        # Recorded, unbilled: it is in the ledger; sending it again changes nothing.
        spool.remove(entry)
        report.unbilled += 1
        logger.warning("spooled call recorded unbilled: no active subscription", extra={"call_id": entry.call_id})
        return True
    if isinstance(outcome, ServiceUnavailable):
        spool.release(entry, error=str(outcome), retry_in=spool_backoff(entry.attempts + 1), attempts=1)
        report.unavailable = str(outcome)
        return False
    assert isinstance(outcome, BillingError)
    spool.dead_letter(entry, outcome, attempts=1)
    report.dead_lettered += 1
    logger.error("spooled call refused, moved to dead_letters", extra={"call_id": entry.call_id, "error": outcome.code})
    return True


def write_ahead_lease(policy: RetryPolicy) -> float:
    return policy.budget_seconds + policy.request_timeout + 60.0


def keep_refused(spool: Spool, entry: SpooledEntry, error: BillingError) -> None:
    """A refused call: dropped if it is in the ledger anyway (no_active_subscription), else kept in dead_letters."""
    if isinstance(error, NoActiveSubscription):
        spool.remove(entry)
    else:
        spool.dead_letter(entry, error, attempts=1)
