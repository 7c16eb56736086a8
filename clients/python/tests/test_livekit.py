"""bill_session with a stand-in for livekit.agents.JobContext exposing the same members (add_shutdown_callback,
job.id, job.room.sid, job.room.metadata), shut down the way LiveKit's job runner does it."""
from __future__ import annotations

import inspect
import json
import uuid
from types import SimpleNamespace
from typing import Any, Callable, List

import pytest

from aisyst_billing import AsyncBillingClient, BillingClient, ReportedCall, RetryPolicy, SpooledCall
from aisyst_billing.livekit import bill_session
from stack import free_port


class FakeJobContext:
    def __init__(self, room_sid: str, job_id: str, metadata: str = "") -> None:
        self.job = SimpleNamespace(id=job_id, room=SimpleNamespace(sid=room_sid, name="call-room", metadata=metadata))
        self._shutdown_callbacks: List[Callable[[str], Any]] = []

    def add_shutdown_callback(self, callback: Callable[..., Any]) -> None:
        # As livekit-agents' JobContext.add_shutdown_callback: a callback with an argument gets the reason.
        min_args = 2 if inspect.ismethod(callback) else 1
        if callback.__code__.co_argcount >= min_args:
            self._shutdown_callbacks.append(callback)
        else:
            async def wrapper(_: str) -> None:
                await callback()
            self._shutdown_callbacks.append(wrapper)

    async def shutdown(self, reason: str = "room closed") -> None:
        for callback in self._shutdown_callbacks:
            await callback(reason)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.anyio
async def test_a_session_is_billed_at_shutdown_under_the_room_sid(stack, subscribed_org, spool_path):
    room_sid = f"RM_{uuid.uuid4().hex[:12]}"
    ctx, clock = FakeJobContext(room_sid, "AJ_job1"), FakeClock()
    async with AsyncBillingClient(stack.url, stack.service_key, spool_path=spool_path) as client:
        session = bill_session(ctx, client, subscribed_org, clock=clock)
        clock.now += 61.5  # the call lasted 61.5 s
        assert session.result is None
        await ctx.shutdown()
    assert isinstance(session.result, ReportedCall)
    assert (session.result.call_id, session.result.billed_minutes, session.result.duplicate) == (f"livekit:{room_sid}", 2, False)


@pytest.mark.anyio
async def test_the_org_may_come_from_the_room_metadata_and_the_job_id_stands_in_for_a_missing_sid(stack, subscribed_org, spool_path):
    job_id = f"AJ_{uuid.uuid4().hex[:12]}"
    ctx = FakeJobContext("", job_id, metadata=json.dumps({"org_id": subscribed_org}))
    with BillingClient(stack.url, stack.service_key, spool_path=spool_path) as client:  # a sync client works too
        session = bill_session(ctx, client, clock=FakeClock())
        await ctx.shutdown()
    assert session.org_id == subscribed_org
    assert isinstance(session.result, ReportedCall) and session.result.call_id == f"livekit:{job_id}"


def test_without_an_org_id_it_refuses_at_registration():
    with pytest.raises(ValueError):
        bill_session(FakeJobContext("RM_x", "AJ_x", metadata="not json"), object())


@pytest.mark.anyio
async def test_an_unreachable_service_spools_the_session_and_never_raises_into_livekit(subscribed_org, spool_path):
    ctx = FakeJobContext("RM_offline", "AJ_offline")
    async with AsyncBillingClient(f"http://127.0.0.1:{free_port()}", "key", spool_path=spool_path,
                                  retry=RetryPolicy(budget_seconds=0.2, base_delay=0.05, max_delay=0.05)) as client:
        session = bill_session(ctx, client, subscribed_org)
        await ctx.shutdown()
    assert isinstance(session.result, SpooledCall) and session.result.call_id == "livekit:RM_offline"


@pytest.mark.anyio
async def test_a_refusal_is_kept_on_the_handle_not_raised(stack, spool_path):
    ctx = FakeJobContext(f"RM_{uuid.uuid4().hex[:12]}", "AJ_unknown")
    async with AsyncBillingClient(stack.url, stack.service_key, spool_path=spool_path) as client:
        session = bill_session(ctx, client, str(uuid.uuid4()))
        await ctx.shutdown()
    assert session.result is None and session.error is not None and session.error.code == "organisation_not_found"
