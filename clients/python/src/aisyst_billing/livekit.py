"""LiveKit Agents: bill each job's session when the job shuts down.

    async def entrypoint(ctx: JobContext):
        await ctx.connect()
        bill_session(ctx, billing, org_id)

Works with any object shaped like livekit.agents.JobContext — ``add_shutdown_callback(cb)`` (an async callback,
optionally taking the shutdown reason) and ``job`` (the livekit.protocol Job: ``job.id``, ``job.room.sid``,
``job.room.metadata``) — so this module does not import livekit-agents (the ``[livekit]`` extra installs it).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Optional, Union

from .errors import BillingError, NoActiveSubscription
from .models import ReportedCall, SpooledCall

logger = logging.getLogger("aisyst_billing.livekit")


@dataclass
class BilledSession:
    """Handle of one billed session; ``result`` is set once the shutdown callback has reported it."""

    org_id: str
    started_at: datetime
    _started: float = field(repr=False)
    result: Optional[Union[ReportedCall, SpooledCall]] = None
    error: Optional[BillingError] = None


def call_id_for(ctx: Any) -> str:
    """``livekit:<room sid>``, or ``livekit:<job id>`` when the job carries no room sid. The room sid is also the id
    the LiveKit room_finished webhook bills under: bill a room through the agent or the webhook, not both (their
    durations differ, and the second would answer call_id_conflict)."""
    job = ctx.job
    sid = getattr(getattr(job, "room", None), "sid", "") or ""
    return f"livekit:{sid or job.id}"


def org_id_from_room(ctx: Any) -> Optional[str]:
    """``org_id`` from the room's metadata JSON ``{"org_id": ...}``, set by AiSyst when it created the room."""
    metadata = getattr(getattr(ctx.job, "room", None), "metadata", "") or ""
    try:
        value = json.loads(metadata).get("org_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def bill_session(ctx: Any, client: Any, org_id: Optional[str] = None, *, clock: Callable[[], float] = time.monotonic) -> BilledSession:
    """Measure the session from now (call this right after ``await ctx.connect()``) to the job's shutdown, and
    report it then with ``client`` (AsyncBillingClient, or BillingClient run in a thread). ``org_id`` defaults to
    the room's metadata. A failure is logged, never raised into LiveKit's shutdown; an unreachable service spools
    the call (it is sent later), and no_active_subscription means it was recorded unbilled."""
    org = org_id or org_id_from_room(ctx)
    if not org:
        raise ValueError("no org_id: pass it, or set the room metadata {\"org_id\": ...}")
    session = BilledSession(org_id=org, started_at=datetime.now(timezone.utc), _started=clock())

    async def report_on_shutdown(reason: str) -> None:
        seconds = round(clock() - session._started, 3)
        call_id = call_id_for(ctx)
        ended_at = datetime.now(timezone.utc)
        try:
            if asyncio.iscoroutinefunction(client.report_call):
                session.result = await client.report_call(org, call_id, duration_seconds=seconds, ended_at=ended_at)
            else:
                session.result = await asyncio.to_thread(client.report_call, org, call_id, duration_seconds=seconds, ended_at=ended_at)
        except NoActiveSubscription as err:
            session.error = err
            logger.warning("session recorded unbilled: no active subscription", extra={"call_id": call_id, "org_id": org})
        except BillingError as err:
            session.error = err
            logger.error("session not billed: %s", err, extra={"call_id": call_id, "org_id": org, "reason": reason})

    ctx.add_shutdown_callback(report_on_shutdown)
    return session
