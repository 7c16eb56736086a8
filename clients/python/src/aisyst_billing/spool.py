"""The durable spool: calls not yet confirmed by the billing service, in a local SQLite file (WAL).

Every report is written here BEFORE it is sent (write-ahead) and removed once the service answered for it, so an
agent killed in the middle of its retries loses nothing either. A row being sent is *claimed*: ``claim_token`` set
and ``available_at`` pushed to the end of a lease; other processes skip it until the lease ends (the sender died).
Claims are taken in ``BEGIN IMMEDIATE`` transactions, so two processes never claim the same row at once; and were a
lease to run out mid-send, the worst case is the same call sent twice, which the server answers as a duplicate.
A call the service refuses for good (a 4xx other than no_active_subscription, which means it is in the ledger,
unbilled) moves to ``dead_letters`` with the error, never silently dropped; ``requeue_dead_letters`` sends them
again once the cause is fixed. One spool per billing service: a flush sends every row to one base URL.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from .errors import BillingError

SCHEMA = """
create table if not exists spooled_calls (
  id integer primary key autoincrement,
  call_id text not null,
  org_id text not null,
  body text not null,
  created_at real not null,
  available_at real not null,
  claim_token text,
  attempts integer not null default 0,
  last_error text
);
create index if not exists spooled_calls_available on spooled_calls (available_at);
create table if not exists dead_letters (
  id integer primary key,
  call_id text not null,
  org_id text not null,
  body text not null,
  created_at real not null,
  failed_at real not null,
  attempts integer not null,
  error_code text not null,
  error_status integer,
  error_message text not null
);
"""


def default_spool_path() -> Path:
    """``$AISYST_BILLING_SPOOL`` or ``~/.aisyst-billing/spool.sqlite3``."""
    env = os.environ.get("AISYST_BILLING_SPOOL")
    return Path(env) if env else Path.home() / ".aisyst-billing" / "spool.sqlite3"


@dataclass(frozen=True)
class SpooledEntry:
    id: int
    claim_token: str
    call_id: str
    body: Dict[str, Any]
    attempts: int


class Spool:
    def __init__(self, path: Union[str, "os.PathLike[str]"]) -> None:
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("pragma journal_mode=wal")
            db.executescript(SCHEMA)

    def _connect(self) -> "_Connection":
        # One connection per operation: safe from any thread (the async client uses worker threads) and process.
        return _Connection(self.path)

    def add(self, body: Dict[str, Any], *, lease_seconds: float) -> SpooledEntry:
        """Write a call ahead of sending it, claimed by the caller for ``lease_seconds``."""
        token = uuid.uuid4().hex
        now = time.time()
        with self._connect() as db:
            cur = db.execute(
                "insert into spooled_calls (call_id, org_id, body, created_at, available_at, claim_token) values (?, ?, ?, ?, ?, ?)",
                (body["call_id"], body["org_id"], json.dumps(body), now, now + lease_seconds, token),
            )
            return SpooledEntry(int(cur.lastrowid or 0), token, body["call_id"], body, 0)

    def claim(self, limit: int, *, lease_seconds: float, ignore_backoff: bool = False) -> List[SpooledEntry]:
        """Up to ``limit`` calls that are due (oldest first), claimed for ``lease_seconds``. ``ignore_backoff`` also
        takes calls waiting out a backoff, never ones another sender holds."""
        now = time.time()
        token = uuid.uuid4().hex
        due = "(available_at <= ? or claim_token is null)" if ignore_backoff else "available_at <= ?"
        with self._connect() as db:
            db.execute("begin immediate")
            rows = db.execute(
                f"select id, call_id, body, attempts from spooled_calls where {due} order by id limit ?", (now, limit)
            ).fetchall()
            db.executemany(
                "update spooled_calls set claim_token = ?, available_at = ? where id = ?",
                [(token, now + lease_seconds, row[0]) for row in rows],
            )
            db.execute("commit")
        return [SpooledEntry(row[0], token, row[1], json.loads(row[2]), row[3]) for row in rows]

    def remove(self, entry: SpooledEntry) -> None:
        """The service answered for this call: it is in the ledger (or refused to the caller, who got the error)."""
        with self._connect() as db:
            db.execute("delete from spooled_calls where id = ? and claim_token = ?", (entry.id, entry.claim_token))

    def release(self, entry: SpooledEntry, *, error: Optional[str], retry_in: float, attempts: int) -> None:
        """Not delivered now: free the claim; the call is due again in ``retry_in`` seconds."""
        with self._connect() as db:
            db.execute(
                "update spooled_calls set claim_token = null, available_at = ?, attempts = attempts + ?,"
                " last_error = coalesce(?, last_error) where id = ? and claim_token = ?",
                (time.time() + retry_in, attempts, error, entry.id, entry.claim_token),
            )

    def dead_letter(self, entry: SpooledEntry, error: BillingError, *, attempts: int) -> None:
        """Refused for good: keep the call and the error for a person to look at; it is never sent again."""
        with self._connect() as db:
            db.execute("begin immediate")
            key = (entry.id, entry.claim_token)
            row = db.execute("select org_id, body, created_at, attempts from spooled_calls where id = ? and claim_token = ?", key).fetchone()
            if row is not None:
                db.execute("delete from spooled_calls where id = ? and claim_token = ?", key)
                db.execute(
                    "insert into dead_letters (id, call_id, org_id, body, created_at, failed_at, attempts, error_code,"
                    " error_status, error_message) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (entry.id, entry.call_id, row[0], row[1], row[2], time.time(), row[3] + attempts, error.code, error.status, error.message),
                )
            db.execute("commit")

    def requeue_dead_letters(self) -> int:
        """Move every dead letter back into the spool, due now (once its cause is fixed, e.g. a wrong key)."""
        now = time.time()
        with self._connect() as db:
            db.execute("begin immediate")
            moved = db.execute(
                "insert into spooled_calls (call_id, org_id, body, created_at, available_at, attempts, last_error)"
                " select call_id, org_id, body, created_at, ?, attempts, error_code || ': ' || error_message from dead_letters",
                (now,),
            ).rowcount
            db.execute("delete from dead_letters")
            db.execute("commit")
        return moved

    def pending(self) -> List[Dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute("select call_id, org_id, created_at, attempts, last_error from spooled_calls order by id").fetchall()
        return [dict(zip(("call_id", "org_id", "created_at", "attempts", "last_error"), r)) for r in rows]

    def dead_letters(self) -> List[Dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute(
                "select call_id, org_id, body, attempts, error_code, error_status, error_message from dead_letters order by id"
            ).fetchall()
        keys = ("call_id", "org_id", "body", "attempts", "error_code", "error_status", "error_message")
        return [dict(zip(keys, r)) for r in rows]


class _Connection:
    """sqlite3 in autocommit mode (transactions are explicit), waiting for a busy file instead of failing."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        # FULL: a call written here survives a power cut, not only a crash of the agent.
        self.db.execute("pragma synchronous=full")

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        try:
            if exc_type is not None and self.db.in_transaction:
                self.db.execute("rollback")
        finally:
            self.db.close()
