"""The answers of report-usage as dataclasses (docs/http-api.md#report-usage, src/http/routes/report-usage.ts)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional


@dataclass(frozen=True)
class UsageCycle:
    """The billing cycle the call counted in, after counting it. Money in minor units (cents) of ``currency``."""

    period_start: str
    period_end: str
    minutes_used: int
    included_minutes: int
    overage_minutes: int
    overage_cost_cents: int
    currency: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "UsageCycle":
        return cls(
            period_start=str(data["period_start"]),
            period_end=str(data["period_end"]),
            minutes_used=int(data["minutes_used"]),
            included_minutes=int(data["included_minutes"]),
            overage_minutes=int(data["overage_minutes"]),
            overage_cost_cents=int(data["overage_cost_cents"]),
            currency=str(data["currency"]),
        )


@dataclass(frozen=True)
class ReportedCall:
    """The call is in the ledger. ``duplicate``: this call_id was there already (a repeat, e.g. an earlier attempt)."""

    call_id: str
    billed_minutes: int
    duplicate: bool
    cycle: UsageCycle
    delivered = True

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ReportedCall":
        return cls(
            call_id=str(data["call_id"]),
            billed_minutes=int(data["billed_minutes"]),
            duplicate=bool(data["duplicate"]),
            cycle=UsageCycle.from_json(data["cycle"]),
        )


@dataclass(frozen=True)
class SpooledCall:
    """The service could not be reached within the time budget: the call waits in the local spool, which the next
    client call or ``aisyst-billing-flush`` sends. ``reason`` is the last failure."""

    call_id: str
    spool_path: str
    reason: str
    delivered = False


@dataclass
class FlushReport:
    """What one flush of the spool did. ``unavailable``: the flush stopped because the service failed (this error);
    ``pending``: calls left in the spool afterwards (also those another process is sending right now)."""

    delivered: int = 0
    unbilled: int = 0
    dead_lettered: int = 0
    pending: int = 0
    unavailable: Optional[str] = None
