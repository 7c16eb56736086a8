"""Retries: a service that comes up late, Retry-After (seconds and HTTP date), 429, and no retry on a 4xx."""
from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from aisyst_billing import BillingClient, InvalidRequest, ReportedCall, RetryPolicy, SpooledCall
from aisyst_billing.retry import parse_retry_after
from proxy import Proxy
from stack import free_port


def call_id() -> str:
    return f"py-retry-{uuid.uuid4()}"


def test_a_service_that_comes_up_late_gets_the_call(stack, subscribed_org, spool_path, retry_log):
    port = free_port()  # nothing listens here yet: connections are refused
    client = BillingClient(f"http://127.0.0.1:{port}", stack.service_key, spool_path=spool_path,
                           retry=RetryPolicy(budget_seconds=120, base_delay=0.05, max_delay=0.5))
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(result=client.report_call(subscribed_org, call_id(), duration_seconds=90)))
    worker.start()
    assert retry_log.first.wait(60), "the client never retried"
    assert [r.error for r in retry_log.records][:1] == ["unreachable"]
    with Proxy(stack.url, port=port) as proxy:
        worker.join(120)
        assert not worker.is_alive()
    result = outcome["result"]
    assert isinstance(result, ReportedCall)
    assert (result.billed_minutes, result.duplicate) == (2, False)
    assert len(proxy.arrivals) == 1
    client.close()


def test_retry_after_in_seconds_is_honoured(stack, subscribed_org, spool_path):
    script = [(503, {"retry-after": "1"}, {"error": "database_unavailable", "message": "busy"})]
    with Proxy(stack.url, script) as proxy, BillingClient(proxy.url, stack.service_key, spool_path=spool_path,
                                                           retry=RetryPolicy(base_delay=0.01, max_delay=0.01)) as client:
        result = client.report_call(subscribed_org, call_id(), duration_seconds=5)
    assert isinstance(result, ReportedCall) and not result.duplicate
    assert len(proxy.arrivals) == 2
    assert proxy.arrivals[1] - proxy.arrivals[0] >= 1.0  # waited as told, not the 10 ms backoff


def test_retry_after_as_an_http_date_is_honoured(stack, subscribed_org, spool_path):
    when = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
    script = [(429, {"retry-after": format_datetime(when, usegmt=True)}, {"error": "rate_limited", "message": "slow down"})]
    with Proxy(stack.url, script) as proxy, BillingClient(proxy.url, stack.service_key, spool_path=spool_path,
                                                           retry=RetryPolicy(base_delay=0.01, max_delay=0.01)) as client:
        result = client.report_call(subscribed_org, call_id(), duration_seconds=5)
    assert isinstance(result, ReportedCall)
    assert len(proxy.arrivals) == 2
    assert datetime.now(timezone.utc) >= when


def test_5xx_without_json_and_429_are_retried_with_backoff(stack, subscribed_org, spool_path):
    script = [(502, {}, {}), (500, {}, {"error": "internal", "message": "oops"}), (429, {}, {}), (408, {}, {})]
    with Proxy(stack.url, script) as proxy, BillingClient(proxy.url, stack.service_key, spool_path=spool_path,
                                                           retry=RetryPolicy(base_delay=0.01, max_delay=0.05)) as client:
        result = client.report_call(subscribed_org, call_id(), duration_seconds=5)
    assert isinstance(result, ReportedCall)
    assert len(proxy.arrivals) == 5


def test_a_4xx_is_never_retried(stack, spool_path):
    script = [(400, {}, {"error": "invalid_request", "message": "no", "field": "call_id"})] * 3
    with Proxy(stack.url, script) as proxy, BillingClient(proxy.url, stack.service_key, spool_path=spool_path,
                                                           retry=RetryPolicy(base_delay=0.01, max_delay=0.01)) as client:
        with pytest.raises(InvalidRequest):
            client.report_call(str(uuid.uuid4()), call_id(), duration_seconds=5)
    assert len(proxy.arrivals) == 1


def test_a_retry_after_beyond_the_budget_spools_at_once(stack, subscribed_org, spool_path):
    script = [(503, {"retry-after": "3600"}, {"error": "database_unavailable", "message": "down for maintenance"})]
    with Proxy(stack.url, script) as proxy, BillingClient(proxy.url, stack.service_key, spool_path=spool_path,
                                                           retry=RetryPolicy(budget_seconds=30)) as client:
        result = client.report_call(subscribed_org, call_id(), duration_seconds=5)
    assert isinstance(result, SpooledCall) and "database_unavailable" in result.reason
    assert len(proxy.arrivals) == 1


def test_parse_retry_after():
    now = datetime(2026, 12, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after("Tue, 01 Dec 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Tue, 01 Dec 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_backoff_is_full_jitter_under_an_exponential_cap():
    policy = RetryPolicy(base_delay=0.5, max_delay=8)
    assert [policy.backoff(n, rand=lambda: 1.0) for n in (1, 2, 3, 4, 5, 6)] == [0.5, 1, 2, 4, 8, 8]
    assert policy.backoff(3, rand=lambda: 0.0) == 0.0
    assert policy.delay(1, retry_after=12.0, rand=lambda: 1.0) == 12.0
