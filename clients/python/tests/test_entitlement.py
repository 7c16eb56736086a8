"""check_entitlement against the real stack: may a new call start? The answer typed, every refusal its typed error."""
from __future__ import annotations

import uuid

import pytest

from aisyst_billing import (
    AsyncBillingClient, BillingClient, Entitlement, InvalidRequest, OrganisationNotFound, ServiceUnavailable,
    Unauthorized,
)
from aisyst_billing.retry import RetryPolicy
from stack import free_port


def test_a_subscribed_organisation_may_start_calls_and_sees_its_minutes(stack, subscribed_org):
    with BillingClient(stack.url, stack.service_key, spool_path=None) as client:
        before = client.check_entitlement(subscribed_org)
        client.report_call(subscribed_org, f"py-ent-{uuid.uuid4()}", duration_seconds=120)
        after = client.check_entitlement(subscribed_org)
    assert isinstance(before, Entitlement)
    assert (before.allowed, before.reason, before.plan_name, before.status) == (True, "ok", "Starter", "active")
    assert (before.included_minutes, before.spend_cap_cents) == (500, None)
    assert after.minutes_used == before.minutes_used + 2
    assert after.minutes_left_included == max(0, 500 - after.minutes_used)
    assert before.period_end is not None


def test_an_organisation_without_a_subscription_may_not(stack, spool_path):
    org_id = stack.organisation(subscribed=False)
    with BillingClient(stack.url, stack.service_key, spool_path=None) as client:
        answer = client.check_entitlement(org_id)
    assert (answer.allowed, answer.reason, answer.plan_id, answer.status, answer.minutes_used) == (
        False, "no_subscription", None, None, 0)


def test_refusals_are_typed_errors(stack):
    with BillingClient(stack.url, stack.service_key, spool_path=None) as client:
        with pytest.raises(OrganisationNotFound) as unknown:
            client.check_entitlement("00000000-0000-4000-8000-000000000000")
        with pytest.raises(InvalidRequest) as bad:
            client.check_entitlement("not-a-uuid")
    assert (unknown.value.status, unknown.value.details.get("field")) == (404, "org_id")
    assert (bad.value.code, bad.value.details.get("field")) == ("invalid_request", "org_id")
    with BillingClient(stack.url, "not-a-key", spool_path=None) as client:
        with pytest.raises(Unauthorized):
            client.check_entitlement(str(uuid.uuid4()))


def test_no_answer_is_service_unavailable_for_the_caller_to_decide():
    nowhere = f"http://127.0.0.1:{free_port()}"
    with BillingClient(nowhere, "key", spool_path=None, retry=RetryPolicy(request_timeout=1.0)) as client:
        with pytest.raises(ServiceUnavailable) as caught:
            client.check_entitlement(str(uuid.uuid4()))
    assert caught.value.code == "unreachable"


@pytest.mark.anyio
async def test_the_async_client_answers_the_same(stack, subscribed_org):
    async with AsyncBillingClient(stack.url, stack.service_key, spool_path=None) as client:
        answer = await client.check_entitlement(subscribed_org)
    assert (answer.allowed, answer.reason, answer.plan_name) == (True, "ok", "Starter")
