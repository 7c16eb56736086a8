"""When to try again: exponential backoff with full jitter, ``Retry-After`` honoured, all within a time budget.

Full jitter (sleep a uniform random time up to the exponential cap) spreads the retries of many agents that lost
the service at the same moment. Resending is safe: the server keys every call on ``call_id``, a repeat is a no-op.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Optional


@dataclass(frozen=True)
class RetryPolicy:
    #: Total seconds one report may take, retries included; then the call goes to the spool.
    budget_seconds: float = 30.0
    #: The first backoff cap; it doubles per attempt up to ``max_delay``.
    base_delay: float = 0.5
    max_delay: float = 8.0
    #: Seconds one HTTP attempt may take (never more than what is left of the budget).
    request_timeout: float = 10.0

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based): uniform in [0, min(max, base·2^(n−1))]."""
        cap = min(self.max_delay, self.base_delay * 2.0 ** max(attempt - 1, 0))
        return cap * rand()

    def delay(self, attempt: int, retry_after: Optional[float], rand: Callable[[], float] = random.random) -> float:
        """The server's ``Retry-After`` when it gave one (it knows best when it is back), else the backoff."""
        return float(retry_after) if retry_after is not None else self.backoff(attempt, rand)


def parse_retry_after(value: Optional[str], now: Optional[datetime] = None) -> Optional[float]:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP-date (RFC 9110 §10.2.3); ``None`` if absent or
    unreadable, 0 for a date in the past."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    return max(seconds, 0.0)


def spool_backoff(attempts: int, rand: Callable[[], float] = random.random) -> float:
    """Seconds a spooled call waits after ``attempts`` failed delivery rounds before the next client call retries
    it: full jitter up to 2^attempts seconds, at most 5 minutes (``aisyst-billing-flush`` does not wait)."""
    return min(300.0, 2.0 ** min(attempts, 9)) * rand()


DEFAULT_RETRY = RetryPolicy()
