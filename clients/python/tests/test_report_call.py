"""report_call against the real stack: the answer as typed results, every refusal as its typed error."""
from __future__ import annotations

import json
import uuid

import pytest

from aisyst_billing import (
    AsyncBillingClient, BillingClient, CallIdConflict, InvalidRequest, NoActiveSubscription, OrganisationNotFound,
    ReportedCall, Unauthorized,
)
from aisyst_billing.spool import Spool


def new_call_id() -> str:
    return f"py-{uuid.uuid4()}"


def test_a_call_is_billed_and_its_repeat_is_a_duplicate(stack, subscribed_org, spool_path):
    with BillingClient(stack.url, stack.service_key, spool_path=spool_path) as client:
        call_id = new_call_id()
        first = client.report_call(subscribed_org, call_id, duration_seconds=61)
        assert isinstance(first, ReportedCall)
        assert (first.call_id, first.billed_minutes, first.duplicate) == (call_id, 2, False)
        assert (first.cycle.included_minutes, first.cycle.currency) == (500, "eur")
        assert first.cycle.period_start < first.cycle.period_end

        again = client.report_call(subscribed_org, call_id, duration_seconds=61)
        assert (again.billed_minutes, again.duplicate) == (2, True)
        assert again.cycle.minutes_used == first.cycle.minutes_used  # counted once
    assert Spool(spool_path).pending() == []  # the write-ahead copy is gone once the service answered


def test_minutes_are_rounded_up_per_call(stack, subscribed_org, spool_path):
    with BillingClient(stack.url, stack.service_key, spool_path=spool_path) as client:
        before = client.report_call(subscribed_org, new_call_id(), duration_minutes=1.2)
        after = client.report_call(subscribed_org, new_call_id(), duration_minutes=0.25)
    assert (before.billed_minutes, after.billed_minutes) == (2, 1)
    assert after.cycle.minutes_used == before.cycle.minutes_used + 1


def test_the_same_call_id_with_another_duration_is_a_conflict(stack, subscribed_org, spool_path):
    with BillingClient(stack.url, stack.service_key, spool_path=spool_path) as client:
        call_id = new_call_id()
        client.report_call(subscribed_org, call_id, duration_seconds=30)
        with pytest.raises(CallIdConflict) as caught:
            client.report_call(subscribed_org, call_id, duration_seconds=31)
    assert (caught.value.code, caught.value.status, caught.value.details.get("field")) == ("call_id_conflict", 409, "call_id")
    assert Spool(spool_path).pending() == []
    [kept] = Spool(spool_path).dead_letters()  # for a person to look at
    assert (kept["call_id"], kept["error_code"], json.loads(kept["body"])["call_duration_seconds"]) == (call_id, "call_id_conflict", 31)


@pytest.mark.parametrize("org_id, call_id, field", [
    ("not-a-uuid", "call-1", "org_id"),
    ("00000000-0000-4000-8000-000000000000", "", "call_id"),
    ("00000000-0000-4000-8000-000000000000", "bad\u0007bell", "call_id"),
])
def test_invalid_requests_name_the_field(stack, spool_path, org_id, call_id, field):
    with BillingClient(stack.url, stack.service_key, spool_path=spool_path) as client:
        with pytest.raises(InvalidRequest) as caught:
            client.report_call(org_id, call_id, duration_seconds=10)
    assert (caught.value.code, caught.value.status, caught.value.details.get("field")) == ("invalid_request", 400, field)
    assert Spool(spool_path).pending() == []
    assert [d["error_code"] for d in Spool(spool_path).dead_letters()] == ["invalid_request"]


def test_a_negative_duration_is_refused_by_the_service(stack, subscribed_org, spool_path):
    with BillingClient(stack.url, stack.service_key, spool_path=spool_path) as client:
        with pytest.raises(InvalidRequest) as caught:
            client.report_call(subscribed_org, new_call_id(), duration_seconds=-1)
    assert caught.value.details.get("field") == "call_duration_seconds"


def test_exactly_one_duration_is_required_before_anything_is_sent(stack, subscribed_org, spool_path):
    with BillingClient(stack.url, stack.service_key, spool_path=spool_path) as client:
        with pytest.raises(ValueError):
            client.report_call(subscribed_org, new_call_id(), duration_seconds=1, duration_minutes=1)
        with pytest.raises(ValueError):
            client.report_call(subscribed_org, new_call_id())
    assert Spool(spool_path).pending() == []


def test_an_unknown_organisation(stack, spool_path):
    with BillingClient(stack.url, stack.service_key, spool_path=spool_path) as client:
        with pytest.raises(OrganisationNotFound) as caught:
            client.report_call(str(uuid.uuid4()), new_call_id(), duration_seconds=10)
    assert (caught.value.code, caught.value.status) == ("organisation_not_found", 404)


def test_a_key_that_is_not_a_backend_key_is_unauthorized(stack, subscribed_org, spool_path):
    with BillingClient(stack.url, stack.anon_key, spool_path=spool_path) as client:
        with pytest.raises(Unauthorized) as caught:
            client.report_call(subscribed_org, new_call_id(), duration_seconds=10)
    assert (caught.value.code, caught.value.status) == ("unauthorized", 401)


def test_no_active_subscription_is_recorded_unbilled_not_spooled(stack, spool_path):
    org_id = stack.organisation(subscribed=False)
    call_id = new_call_id()
    with BillingClient(stack.url, stack.service_key, spool_path=spool_path) as client:
        with pytest.raises(NoActiveSubscription) as caught:
            client.report_call(org_id, call_id, duration_seconds=10)
        assert (caught.value.code, caught.value.status) == ("no_active_subscription", 409)
        assert "recorded" in caught.value.message
        # It is in the ledger: the same call again says "already recorded", another duration is a conflict.
        with pytest.raises(NoActiveSubscription) as again:
            client.report_call(org_id, call_id, duration_seconds=10)
        assert "already recorded" in again.value.message
        assert Spool(spool_path).pending() == [] and Spool(spool_path).dead_letters() == []  # neither retried nor kept
        with pytest.raises(CallIdConflict):
            client.report_call(org_id, call_id, duration_seconds=11)


@pytest.mark.anyio
async def test_the_async_client_reports_and_raises_the_same_way(stack, subscribed_org, spool_path):
    async with AsyncBillingClient(stack.url, stack.service_key, spool_path=spool_path) as client:
        call_id = new_call_id()
        first = await client.report_call(subscribed_org, call_id, duration_seconds=59)
        again = await client.report_call(subscribed_org, call_id, duration_seconds=59)
        assert (first.billed_minutes, first.duplicate, again.duplicate) == (1, False, True)
        with pytest.raises(CallIdConflict):
            await client.report_call(subscribed_org, call_id, duration_seconds=60.5)
        with pytest.raises(OrganisationNotFound):
            await client.report_call(str(uuid.uuid4()), new_call_id(), duration_minutes=1)
    assert Spool(spool_path).pending() == []
