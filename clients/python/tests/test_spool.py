"""The spool: what the service could not take within the budget waits on disk, survives a restart of the agent,
and goes out exactly once — with the next client call or aisyst-billing-flush; a permanent refusal is kept."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import time
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from aisyst_billing import (
    AsyncBillingClient, BillingClient, ReportedCall, RetryPolicy, ServiceUnavailable, SpooledCall, Unauthorized,
)
from aisyst_billing.spool import Spool
from stack import free_port

SRC = Path(__file__).resolve().parents[1] / "src"
QUICK = RetryPolicy(budget_seconds=0.3, base_delay=0.05, max_delay=0.1, request_timeout=1)


def down_url() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens: refused at once


def python(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], env={**os.environ, "PYTHONPATH": str(SRC), **env},
                          capture_output=True, text=True, timeout=120)


def flush_cli(spool_path: Path, stack, *extra: str) -> subprocess.CompletedProcess:
    return python("-m", "aisyst_billing.flush", "--spool", str(spool_path), *extra,
                  env={"AISYST_BILLING_URL": stack.url, "AISYST_BILLING_SERVICE_KEY": stack.service_key})


def test_an_unreachable_service_spools_the_call_and_the_next_call_sends_it(stack, subscribed_org, spool_path):
    call_id = f"py-spool-{uuid.uuid4()}"
    with BillingClient(down_url(), stack.service_key, spool_path=spool_path, retry=QUICK) as offline:
        spooled = offline.report_call(subscribed_org, call_id, duration_seconds=125)
    assert isinstance(spooled, SpooledCall) and spooled.reason.startswith("unreachable")
    assert [(p["call_id"], p["attempts"]) for p in Spool(spool_path).pending()] == [(call_id, 1)]

    with BillingClient(stack.url, stack.service_key, spool_path=spool_path) as online:
        online.report_call(subscribed_org, f"py-spool-{uuid.uuid4()}", duration_seconds=1)
        assert Spool(spool_path).pending() == []
        again = online.report_call(subscribed_org, call_id, duration_seconds=125)
    assert (again.duplicate, again.billed_minutes) == (True, 3)  # it reached the ledger, once


def test_without_a_spool_an_unreachable_service_raises(stack, subscribed_org):
    with BillingClient(down_url(), stack.service_key, spool_path=None, retry=QUICK) as client:
        with pytest.raises(ServiceUnavailable) as caught:
            client.report_call(subscribed_org, "py-nospool", duration_seconds=1)
    assert (caught.value.code, caught.value.status, caught.value.retryable) == ("unreachable", None, True)


def test_the_spool_survives_a_restart_and_the_flush_cli_sends_it_once(stack, subscribed_org, spool_path):
    call_id = f"py-restart-{uuid.uuid4()}"
    agent = textwrap.dedent(f"""
        from aisyst_billing import BillingClient, RetryPolicy
        client = BillingClient({down_url()!r}, {stack.service_key!r}, spool_path={str(spool_path)!r},
                               retry=RetryPolicy(budget_seconds=0.3, base_delay=0.05, max_delay=0.1))
        print(type(client.report_call({subscribed_org!r}, {call_id!r}, duration_minutes=4)).__name__)
    """)
    first = python("-c", agent, env={})
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "SpooledCall"

    flushed = flush_cli(spool_path, stack)  # a new process
    assert flushed.returncode == 0, flushed.stderr
    assert "delivered 1," in flushed.stdout and "still pending 0" in flushed.stdout
    assert Spool(spool_path).pending() == []
    assert flush_cli(spool_path, stack).stdout.startswith("delivered 0,")  # nothing left to send twice

    with BillingClient(stack.url, stack.service_key, spool_path=None) as client:
        again = client.report_call(subscribed_org, call_id, duration_minutes=4)
    assert (again.duplicate, again.billed_minutes) == (True, 4)


def test_the_flush_cli_keeps_calls_while_the_service_is_down(spool_path, subscribed_org):
    with BillingClient(down_url(), "key", spool_path=spool_path, retry=QUICK) as client:
        client.report_call(subscribed_org, "py-still-down", duration_seconds=3)
    done = python("-m", "aisyst_billing.flush", "--spool", str(spool_path), "--url", down_url(), env={"AISYST_BILLING_SERVICE_KEY": "key"})
    assert done.returncode == 1
    assert "still pending 1" in done.stdout
    [row] = Spool(spool_path).pending()
    assert (row["call_id"], row["attempts"]) == ("py-still-down", 2) and row["last_error"].startswith("unreachable")


def test_the_flush_cli_needs_a_url_and_a_key(spool_path):
    done = python("-m", "aisyst_billing.flush", "--spool", str(spool_path), env={"AISYST_BILLING_URL": "", "AISYST_BILLING_SERVICE_KEY": ""})
    assert done.returncode == 2 and "AISYST_BILLING_URL" in done.stderr


def test_a_spooled_call_refused_for_good_moves_to_dead_letters(stack, spool_path):
    unknown_org = str(uuid.uuid4())
    unsubscribed = stack.organisation(subscribed=False)
    with BillingClient(down_url(), stack.service_key, spool_path=spool_path, retry=QUICK) as offline:
        offline.report_call(unknown_org, "py-dead-1", duration_seconds=10)
        offline.report_call(unsubscribed, "py-unbilled-1", duration_seconds=10)
    flushed = flush_cli(spool_path, stack)
    assert flushed.returncode == 0, flushed.stderr
    assert "delivered 0, recorded unbilled 1, dead-lettered 1, still pending 0" in flushed.stdout
    assert "dead_letters" in flushed.stderr
    [dead] = Spool(spool_path).dead_letters()
    assert (dead["call_id"], dead["error_code"], dead["error_status"]) == ("py-dead-1", "organisation_not_found", 404)
    listed = python("-m", "aisyst_billing.flush", "--spool", str(spool_path), "--dead-letters", env={})
    assert "organisation_not_found" in listed.stdout and "py-dead-1" in listed.stdout


def test_two_processes_flushing_one_spool_send_each_call_once(stack, subscribed_org, spool_path):
    ids = [f"py-race-{uuid.uuid4()}" for _ in range(12)]
    with BillingClient(down_url(), stack.service_key, spool_path=spool_path, retry=RetryPolicy(budget_seconds=0)) as offline:
        for call_id in ids:
            offline.report_call(subscribed_org, call_id, duration_seconds=30)
    env = {**os.environ, "PYTHONPATH": str(SRC), "AISYST_BILLING_URL": stack.url, "AISYST_BILLING_SERVICE_KEY": stack.service_key}
    runs = [subprocess.Popen([sys.executable, "-m", "aisyst_billing.flush", "--spool", str(spool_path)], env=env,
                             stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    delivered = sum(int(out.split("delivered ")[1].split(",")[0]) for out in outputs)
    assert delivered == len(ids), outputs
    assert Spool(spool_path).pending() == []


@pytest.mark.anyio
async def test_the_async_client_spools_and_flushes_too(stack, subscribed_org, spool_path):
    call_id = f"py-async-spool-{uuid.uuid4()}"
    async with AsyncBillingClient(down_url(), stack.service_key, spool_path=spool_path, retry=QUICK) as offline:
        assert isinstance(await offline.report_call(subscribed_org, call_id, duration_seconds=60), SpooledCall)
    async with AsyncBillingClient(stack.url, stack.service_key, spool_path=spool_path) as online:
        report = await online.flush_spool()
        assert (report.delivered, report.pending) == (1, 0)
        again = await online.report_call(subscribed_org, call_id, duration_seconds=60)
    assert isinstance(again, ReportedCall) and again.duplicate


def test_an_agent_killed_in_the_middle_of_its_retries_loses_nothing(stack, subscribed_org, spool_path):
    call_id = f"py-killed-{uuid.uuid4()}"
    agent = textwrap.dedent(f"""
        from aisyst_billing import BillingClient, RetryPolicy
        client = BillingClient({down_url()!r}, "key", spool_path={str(spool_path)!r},
                               retry=RetryPolicy(budget_seconds=600, base_delay=0.05, max_delay=0.1))
        client.report_call({subscribed_org!r}, {call_id!r}, duration_seconds=200)
    """)
    process = subprocess.Popen([sys.executable, "-c", agent], env={**os.environ, "PYTHONPATH": str(SRC)})
    try:
        for _ in range(600):  # until it is retrying, i.e. the call is on disk (written before the first attempt)
            if spool_path.exists() and Spool(spool_path).pending():
                break
            assert process.poll() is None, "the agent exited"
            time.sleep(0.1)
    finally:
        process.kill()
        process.wait()
    [row] = Spool(spool_path).pending()
    assert row["call_id"] == call_id

    # The dead agent's claim holds until its lease ends; a flush leaves the call alone until then…
    assert "delivered 0," in flush_cli(spool_path, stack).stdout
    # …and sends it once the lease is over (here: ended by hand instead of waiting for it).
    with sqlite3.connect(str(spool_path)) as db:
        db.execute("update spooled_calls set available_at = 0")
    assert "delivered 1," in flush_cli(spool_path, stack).stdout
    with BillingClient(stack.url, stack.service_key, spool_path=None) as client:
        again = client.report_call(subscribed_org, call_id, duration_seconds=200)
    assert (again.duplicate, again.billed_minutes) == (True, 4)


def test_calls_refused_for_a_wrong_key_are_kept_and_requeued_once_the_key_is_fixed(stack, subscribed_org, spool_path):
    call_id = f"py-wrong-key-{uuid.uuid4()}"
    with BillingClient(stack.url, stack.anon_key, spool_path=spool_path) as misconfigured:
        with pytest.raises(Unauthorized):
            misconfigured.report_call(subscribed_org, call_id, duration_seconds=45)
    assert [d["error_code"] for d in Spool(spool_path).dead_letters()] == ["unauthorized"]
    assert "delivered 0," in flush_cli(spool_path, stack).stdout  # dead letters are never sent by themselves

    fixed = flush_cli(spool_path, stack, "--requeue-dead-letters")
    assert fixed.returncode == 0, fixed.stderr
    assert "requeued 1 dead letter(s)" in fixed.stdout and "delivered 1," in fixed.stdout
    assert Spool(spool_path).dead_letters() == [] and Spool(spool_path).pending() == []
    with BillingClient(stack.url, stack.service_key, spool_path=None) as client:
        assert client.report_call(subscribed_org, call_id, duration_seconds=45).duplicate
