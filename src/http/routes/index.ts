/** Every function the app serves, by name; each deploys as its own Supabase Edge Function too. */
import type { Route } from '../route.ts';
import { route as adminActions } from './admin-actions.ts';
import { route as adminOverview } from './admin-overview.ts';
import { route as billingSummary } from './billing-summary.ts';
import { route as changePlan } from './change-plan.ts';
import { route as createCheckoutSession } from './create-checkout-session.ts';
import { route as createPortalSession } from './create-portal-session.ts';
import { route as deliverAlerts } from './deliver-alerts.ts';
import { route as deliverUsage } from './deliver-usage.ts';
import { route as entitlement } from './entitlement.ts';
import { route as organisations } from './organisations.ts';
import { route as plans } from './plans.ts';
import { route as reconcile } from './reconcile.ts';
import { route as reportUsage } from './report-usage.ts';
import { route as resumeSubscription } from './resume-subscription.ts';
import { route as spendCap } from './spend-cap.ts';
import { route as stripeWebhookHandler } from './stripe-webhook-handler.ts';
import { route as usageRecords } from './usage-records.ts';
import { route as voiceWebhook } from './voice-webhook.ts';

export function allRoutes(): Route[] {
  return [
    plans,
    organisations,
    createCheckoutSession,
    changePlan,
    resumeSubscription,
    createPortalSession,
    stripeWebhookHandler,
    reportUsage,
    billingSummary,
    usageRecords,
    deliverUsage,
    reconcile,
    adminOverview,
    adminActions,
    voiceWebhook,
    entitlement,
    spendCap,
    deliverAlerts,
  ];
}

/** One Supabase Edge Function per route: supabase/functions/<name>/index.ts. */
export const FUNCTION_NAMES: readonly string[] = allRoutes().map((r) => r.name);
