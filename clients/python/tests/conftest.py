from __future__ import annotations

import logging
import tempfile
import threading
from pathlib import Path
from typing import Iterator, List

import pytest

from stack import Stack, start_stack, stop_stack


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="aisyst-py-stack-") as tmp:
        running = start_stack(Path(tmp))
        try:
            yield running
        finally:
            stop_stack(running.process)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def subscribed_org(stack: Stack) -> str:
    return stack.organisation(subscribed=True)


@pytest.fixture
def spool_path(tmp_path: Path) -> Path:
    return tmp_path / "spool.sqlite3"


class RetryLog(logging.Handler):
    """Collects the client's "retrying" log records, from any thread; ``wait()`` until the first one."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: List[logging.LogRecord] = []
        self.first = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "retrying" in record.getMessage():
            self.records.append(record)
            self.first.set()


@pytest.fixture
def retry_log() -> Iterator[RetryLog]:
    handler = RetryLog()
    log = logging.getLogger("aisyst_billing")
    previous = log.level
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    try:
        yield handler
    finally:
        log.removeHandler(handler)
        log.setLevel(previous)
