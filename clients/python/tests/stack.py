"""The real local stack for the Python tests: `node bin/aisyst-billing.mjs start` (what `npm start` runs) on free
ports with a temporary PGlite directory, plus the steps a customer takes to get a subscribed organisation."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import httpx

REPO_ROOT = Path(__file__).resolve().parents[3]
EMULATOR_KEY = "sk_test_local_emulator"  # src/config/parse-config.ts EMULATOR_SECRET_KEY


def local_service_key() -> str:
    """Supabase's public local demo service-role key, as the README's curl example reads it from .env.example."""
    text = (REPO_ROOT / ".env.example").read_text()
    match = re.search(r"^#SUPABASE_SERVICE_ROLE_KEY=(eyJ\S+)", text, re.M)
    assert match, ".env.example lost the local service-role key"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    url: str
    emulator_url: str
    anon_key: str
    service_key: str
    process: subprocess.Popen
    log_path: Path

    def api(self, method: str, path: str, *, token: Optional[str] = None, **kwargs) -> httpx.Response:
        headers = {"apikey": self.anon_key, **kwargs.pop("headers", {})}
        if token:
            headers["authorization"] = f"Bearer {token}"
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs)

    def organisation(self, *, subscribed: bool) -> str:
        """A new owner's organisation; ``subscribed``: bought Starter monthly through Checkout and paid with 4242…"""
        email = f"py-{uuid.uuid4().hex[:12]}@example.com"
        res = self.api("POST", "/auth/v1/signup", json={"email": email, "password": "correct horse battery staple"})
        assert res.status_code == 200, res.text
        token = res.json()["access_token"]
        res = self.api("POST", "/functions/v1/organisations", token=token, json={"name": f"Python Agent {email[:15]}"})
        assert res.status_code == 201, res.text
        org_id = res.json()["id"]
        if subscribed:
            self._subscribe(token, org_id)
        return org_id

    def _subscribe(self, token: str, org_id: str) -> None:
        plans = self.api("GET", "/functions/v1/plans").json()["plans"]
        starter = next(p for p in plans if p["name"] == "Starter")
        res = self.api("POST", "/functions/v1/create-checkout-session", token=token,
                       json={"plan_id": starter["id"], "billing_period": "monthly", "org_id": org_id})
        assert res.status_code == 200, res.text
        session_id = res.json()["session_id"]
        # What the emulator's hosted Checkout page does when the customer pays (its test helper,
        # packages/stripe-emulator/README.md).
        res = httpx.post(f"{self.emulator_url}/v1/test_helpers/checkout/sessions/{session_id}/complete",
                         headers={"authorization": f"Bearer {EMULATOR_KEY}"}, data={"payment_method": "pm_card_visa"}, timeout=30)
        assert res.status_code == 200, res.text
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until the webhook has made the subscription active
            summary = self.api("GET", f"/functions/v1/billing-summary?org_id={org_id}", token=token).json()
            if (summary.get("subscription") or {}).get("status") == "active":
                return
            time.sleep(0.2)
        raise AssertionError(f"the subscription never became active: {summary}")


def start_stack(tmp: Path) -> Stack:
    env = {**os.environ, "PORT": "0", "STRIPE_EMULATOR_PORT": "0", "PGLITE_DIR": str(tmp / "pglite"),
           "DATABASE_URL": "", "STRIPE_SECRET_KEY": "", "STRIPE_API_BASE": "", "STRIPE_WEBHOOK_SECRET": ""}
    log_path = tmp / "stack.log"
    log = open(log_path, "w")
    process = subprocess.Popen(["node", "bin/aisyst-billing.mjs", "start"], cwd=REPO_ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        out = log_path.read_text()
        health = re.search(r"health\s+(http://\S+)/health", out)
        stripe = re.search(r"stripe\s+(http://\S+) \(emulator", out)
        anon = re.search(r"anon key\s+(eyJ\S+)", out)
        if health and stripe and anon:
            stack = Stack(health.group(1), stripe.group(1), anon.group(1), local_service_key(), process, log_path)
            assert httpx.get(f"{stack.url}/health", timeout=10).status_code == 200
            return stack
        if process.poll() is not None:
            raise RuntimeError(f"the stack exited ({process.returncode}) before it was up:\n{out}")
        time.sleep(0.2)
    stop_stack(process)
    raise RuntimeError(f"the stack was not up within 240 s:\n{log_path.read_text()}")


def stop_stack(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
