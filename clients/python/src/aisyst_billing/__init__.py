"""Report finished voice calls to AiSyst billing (POST /functions/v1/report-usage).

    from aisyst_billing import BillingClient
    client = BillingClient("https://<project>.supabase.co", service_key)
    if client.check_entitlement(org_id).allowed:  # may a new call start?
        ...
    client.report_call(org_id, "call-0001", duration_seconds=61)
"""
__version__ = "0.1.0"

from .async_client import AsyncBillingClient  # noqa: E402
from .client import BillingClient  # noqa: E402
from .errors import (  # noqa: E402
    BillingError, CallIdConflict, Forbidden, InvalidRequest, NoActiveSubscription, NotFound, OrganisationNotFound,
    ServiceUnavailable, Unauthorized,
)
from .models import Entitlement, FlushReport, ReportedCall, SpooledCall, UsageCycle  # noqa: E402
from .retry import RetryPolicy  # noqa: E402
from .spool import Spool, default_spool_path  # noqa: E402

__all__ = [
    "AsyncBillingClient", "BillingClient", "BillingError", "CallIdConflict", "Entitlement", "Forbidden", "FlushReport",
    "InvalidRequest", "NoActiveSubscription", "NotFound", "OrganisationNotFound", "ReportedCall", "RetryPolicy",
    "ServiceUnavailable", "Spool", "SpooledCall", "Unauthorized", "UsageCycle", "default_spool_path",
]
