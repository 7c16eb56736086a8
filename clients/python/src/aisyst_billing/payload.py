"""The report-usage request body, built and checked once, before anything is sent or spooled."""
from __future__ import annotations

import numbers
from datetime import datetime, timezone
from typing import Any, Dict, Optional, Union

EndedAt = Union[datetime, str, None]


def report_body(
    org_id: str,
    call_id: str,
    *,
    duration_seconds: Optional[float] = None,
    duration_minutes: Optional[float] = None,
    ended_at: EndedAt = None,
    now: Optional[datetime] = None,
) -> Dict[str, Any]:
    """The JSON body for POST report-usage.

    ``ended_at`` defaults to NOW, here, and is always sent: a call that waits in the spool must still count in the
    billing cycle in which it ended, not in the one in which it finally arrives. The server checks the values
    (org_id a uuid, call_id 1–255 printable characters, a duration 0–24 h); this only checks the shape.
    """
    if (duration_seconds is None) == (duration_minutes is None):
        raise ValueError("give exactly one of duration_seconds or duration_minutes")
    duration = duration_seconds if duration_seconds is not None else duration_minutes
    if isinstance(duration, bool) or not isinstance(duration, numbers.Real):
        raise TypeError("the duration must be a number")
    if not isinstance(org_id, str) or not isinstance(call_id, str):
        raise TypeError("org_id and call_id must be strings")
    body: Dict[str, Any] = {"org_id": org_id, "call_id": call_id}
    if duration_seconds is not None:
        body["call_duration_seconds"] = duration_seconds
    else:
        body["call_duration_minutes"] = duration_minutes
    body["ended_at"] = _iso(ended_at if ended_at is not None else (now or datetime.now(timezone.utc)))
    return body


def _iso(value: Union[datetime, str]) -> str:
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValueError("ended_at must be timezone-aware (e.g. datetime.now(timezone.utc))")
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
