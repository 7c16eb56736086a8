"""A LiveKit voice agent that bills each session to its organisation.

    pip install './clients/python[livekit]' livekit-plugins-openai
    export AISYST_BILLING_URL=http://127.0.0.1:54321 AISYST_BILLING_SERVICE_KEY=<service-role key>
    python examples/livekit_agent.py dev

The organisation comes from the room's metadata, {"org_id": "..."}, which AiSyst sets when it creates the room.
If the billing service is down when a session ends, the call waits in the local spool and goes out with the next
session's report (or `aisyst-billing-flush`).
"""
import os

from livekit.agents import Agent, AgentSession, JobContext, WorkerOptions, cli
from livekit.plugins import openai

from aisyst_billing import AsyncBillingClient, RetryPolicy
from aisyst_billing.livekit import bill_session

# One client per worker process. A short budget: LiveKit gives shutdown callbacks limited time, and an
# undelivered call is safe in the spool anyway.
billing = AsyncBillingClient(
    os.environ["AISYST_BILLING_URL"],
    os.environ["AISYST_BILLING_SERVICE_KEY"],
    retry=RetryPolicy(budget_seconds=5),
)


async def entrypoint(ctx: JobContext) -> None:
    await ctx.connect()
    bill_session(ctx, billing)  # from now until the job shuts down; call_id livekit:<room sid>

    session = AgentSession(llm=openai.realtime.RealtimeModel())
    await session.start(agent=Agent(instructions="You are AiSyst's friendly receptionist."), room=ctx.room)


if __name__ == "__main__":
    cli.run_app(WorkerOptions(entrypoint_fnc=entrypoint))
