"""aisyst-billing-flush: send the calls waiting in a spool now (e.g. from cron, or after an outage).

Exit status: 0 every due call was sent, 1 the service is unavailable (calls remain spooled), 2 usage error.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import List, Optional

from .client import BillingClient
from .spool import Spool, default_spool_path


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="aisyst-billing-flush", description=__doc__.split("\n")[0])
    parser.add_argument("--spool", default=str(default_spool_path()), help="the spool file (default: %(default)s)")
    parser.add_argument("--url", default=os.environ.get("AISYST_BILLING_URL"), help="billing base URL (env AISYST_BILLING_URL)")
    parser.add_argument("--service-key", default=os.environ.get("AISYST_BILLING_SERVICE_KEY"),
                        help="service key (env AISYST_BILLING_SERVICE_KEY; prefer the variable: arguments show in ps)")
    parser.add_argument("--dead-letters", action="store_true", help="list the calls the service refused for good and exit")
    parser.add_argument("--requeue-dead-letters", action="store_true",
                        help="move the dead letters back into the spool first (after fixing their cause, e.g. the key)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")

    if args.dead_letters:
        for row in Spool(args.spool).dead_letters():
            print(json.dumps(row))
        return 0
    if not args.url or not args.service_key:
        parser.print_usage(sys.stderr)
        print("aisyst-billing-flush: give --url and --service-key (or AISYST_BILLING_URL, AISYST_BILLING_SERVICE_KEY)", file=sys.stderr)
        return 2
    if args.requeue_dead_letters:
        print(f"requeued {Spool(args.spool).requeue_dead_letters()} dead letter(s)")
    with BillingClient(args.url, args.service_key, spool_path=args.spool) as client:
        report = client.flush_spool(ignore_backoff=True)
        dead_total = len(client.spool.dead_letters()) if client.spool else 0
    print(f"delivered {report.delivered}, recorded unbilled {report.unbilled}, dead-lettered {report.dead_lettered}, still pending {report.pending}")
    if dead_total:
        print(f"{dead_total} call(s) in dead_letters: aisyst-billing-flush --dead-letters --spool {args.spool}", file=sys.stderr)
    if report.unavailable:
        print(f"the billing service is unavailable: {report.unavailable}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
