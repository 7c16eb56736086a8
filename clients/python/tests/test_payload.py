"""The request body and the package's wiring, without the stack."""
from __future__ import annotations

import importlib
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aisyst_billing.payload import report_body

ORG = "00000000-0000-4000-8000-000000000000"


def test_ended_at_is_always_sent_in_utc_defaulting_to_now():
    now = datetime(2026, 12, 1, 15, 0, 0, 123456, tzinfo=timezone.utc)
    assert report_body(ORG, "c", duration_seconds=61, now=now) == {
        "org_id": ORG, "call_id": "c", "call_duration_seconds": 61, "ended_at": "2026-12-01T15:00:00.123Z"}
    paris = datetime(2026, 12, 1, 16, 0, tzinfo=timezone(timedelta(hours=1)))
    assert report_body(ORG, "c", duration_minutes=1.5, ended_at=paris)["ended_at"] == "2026-12-01T15:00:00.000Z"
    assert report_body(ORG, "c", duration_minutes=2, ended_at="2026-11-30T23:59:59Z")["ended_at"] == "2026-11-30T23:59:59Z"


def test_a_naive_ended_at_or_a_duration_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError):
        report_body(ORG, "c", duration_seconds=1, ended_at=datetime(2026, 12, 1))
    with pytest.raises(TypeError):
        report_body(ORG, "c", duration_seconds="61")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        report_body(ORG, "c", duration_seconds=True)


def test_the_console_script_points_at_the_flush_command():
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    target = re.search(r'^aisyst-billing-flush = "([\w.]+):(\w+)"$', pyproject, re.M)
    assert target, "pyproject.toml lost the aisyst-billing-flush script"
    assert callable(getattr(importlib.import_module(target.group(1)), target.group(2)))


def test_the_core_package_does_not_import_livekit():
    import aisyst_billing  # noqa: F401
    import aisyst_billing.livekit  # noqa: F401

    assert not any(name == "livekit" or name.startswith("livekit.") for name in sys.modules)
