"""The answers of report-usage and entitlement as dataclasses (docs/http-api.md#report-usage, #entitlement)."""
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


@dataclass(frozen=True)
class Entitlement:
    """May a new call start? ``reason``: ``ok``, ``no_subscription``, ``canceled``, ``past_due`` (allowed during the
    grace period after a failed payment, refused after it) or ``spend_cap_reached``. Figures are the current
    cycle's; money in minor units (cents). A call that finished is always billed: this only gates NEW calls."""

    allowed: bool
    reason: str
    plan_id: Optional[str]
    plan_name: Optional[str]
    status: Optional[str]
    period_end: Optional[str]
    included_minutes: int
    minutes_used: int
    minutes_left_included: int
    overage_minutes: int
    overage_cost_cents: int
    spend_cap_cents: Optional[int]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Entitlement":
        plan = data.get("plan") or {}
        cap = data.get("spend_cap_cents")
        return cls(
            allowed=bool(data["allowed"]),
            reason=str(data["reason"]),
            plan_id=plan.get("id"),
            plan_name=plan.get("name"),
            status=data.get("status"),
            period_end=data.get("period_end"),
            included_minutes=int(data["included_minutes"]),
            minutes_used=int(data["minutes_used"]),
            minutes_left_included=int(data["minutes_left_included"]),
            overage_minutes=int(data["overage_minutes"]),
            overage_cost_cents=int(data["overage_cost_cents"]),
            spend_cap_cents=None if cap is None else int(cap),
        )
