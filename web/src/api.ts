/**
 * The functions API as the pages use it (docs/http-api.md). Every call returns data or throws `ApiError` carrying the
 * stable error code, so screens can say what happened in a sentence (errors.ts) instead of showing a status code.
 */
// Types only (erased by the build, so nothing server-side ships to the browser): the response shapes are the
// server's own, so a change there reaches the pages through `tsc` instead of drifting silently.
import type { PublicPlan } from '../../src/repositories/plans.ts';
import type { LedgerCycle } from '../../src/repositories/usage-ledger.ts';
import type { AdminOverview } from '../../src/usecases/admin/get-admin-overview.ts';

/** The operator console's data (GET admin-overview, operators only) and its actions (POST admin-actions). */
export type { AdminOverview };
export type AdminAction = 'retry_deliveries' | 'replay_stripe_events' | 'reconcile';

/** One plan as `GET plans` answers it. */
export type Plan = PublicPlan;

export type BillingPeriod = 'monthly' | 'yearly';

/**
 * The current cycle's figures, as `billing-summary` and `report-usage` both report them (docs/http-api.md#3-endpoints).
 */
export type Usage = Omit<LedgerCycle, 'id'>;

/** A part of the current usage window before a plan change, still billed with the window unless `invoiced`. */
export type UsagePart = Usage & { invoiced: boolean };

export interface Invoice {
  id: string;
  number: string | null;
  status: string;
  total_cents: number;
  currency: string;
  period_start: string;
  period_end: string;
  hosted_invoice_url: string | null;
}

export interface Subscription {
  plan: { id: string; name: string };
  billing_period: BillingPeriod;
  status: string;
  current_period_start: string;
  current_period_end: string;
  cancel_at_period_end: boolean;
  cancel_at: string | null;
  /** A downgrade waiting for the period end (change-plan); asking for the current plan cancels it. */
  pending_change?: { plan: { id: string; name: string }; effective_at: string } | null;
}

/** change-plan `{preview: true}`: what a switch costs, nothing changed. */
export interface PlanChangePreview {
  plan_id: string;
  /** null: now (an upgrade); else the period end (a downgrade). */
  effective_at: string | null;
  due_now_cents: number;
  currency: string;
  next_invoice: { total_cents: number; date: string; proration_cents: number } | null;
}

export interface PlanChanged {
  plan_id: string;
  billing_period: BillingPeriod;
  changed: boolean;
  effective_at: string | null;
  pending_change: Subscription['pending_change'];
}

export interface OrganisationRef {
  id: string;
  name: string;
}

export interface BillingSummary {
  organisation: OrganisationRef;
  /** Every organisation the caller owns (one, mostly). */
  organisations: OrganisationRef[];
  subscription: Subscription | null;
  usage: Usage | null;
  usage_earlier_in_period: UsagePart[];
  invoices: Invoice[];
  /** The voice platform agents linked to this organisation (its calls bill here); absent when none. */
  voice_agents?: { platform: 'elevenlabs' | 'twilio' | 'livekit'; external_id: string }[];
  /** The monthly overage cap and how much of it this cycle used; absent when none is set (POST spend-cap). */
  spend_cap?: { monthly_overage_cap_cents: number; used_cents: number; currency: string; reached: boolean };
  /** Usage alerts e-mailed for the cycle shown; absent when none. */
  usage_alerts?: { kind: 'included_80' | 'included_100' | 'spend_cap_reached'; sent_at: string | null }[];
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** The error body's other fields (e.g. `field`, or the `organisations` to choose from with org_id_required). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface FunctionsClient {
  plans(): Promise<Plan[]>;
  createOrganisation(name: string): Promise<{ id: string; name: string; owner_id: string }>;
  createCheckoutSession(input: {
    plan_id: string;
    billing_period: BillingPeriod;
    org_id?: string;
  }): Promise<{ checkout_url: string; session_id: string }>;
  /** Another plan, same billing period; our rows follow by webhook. */
  changePlan(input: { plan_id: string; org_id?: string }): Promise<PlanChanged>;
  previewPlanChange(input: { plan_id: string; org_id?: string }): Promise<PlanChangePreview>;
  /** Undo a scheduled cancellation. */
  resumeSubscription(input: { org_id?: string }): Promise<{ resumed: boolean }>;
  /** Stripe's customer portal for the organisation (card, invoices, cancellation). */
  createPortalSession(input: { org_id?: string }): Promise<{ portal_url: string }>;
  /** Without `orgId` the server picks the caller's only organisation; `null` when there is none (no 404 asked for). */
  billingSummary(orgId?: string): Promise<BillingSummary | null>;
  /** Sets the monthly overage cap in cents, or removes it with null. */
  setSpendCap(input: {
    org_id?: string;
    monthly_overage_cap_cents: number | null;
  }): Promise<{ org_id: string; monthly_overage_cap_cents: number | null }>;
  /** Operators only: anyone else gets ApiError `not_found` (404). */
  adminOverview(): Promise<AdminOverview>;
  adminAction(action: AdminAction): Promise<{ action_id: string; result: Record<string, unknown> }>;
}

export function createFunctionsClient(options: {
  functionsUrl: string;
  anonKey: string;
  /** The signed-in user's access token, read fresh for every call (supabase-js refreshes it). */
  accessToken: () => Promise<string | undefined>;
  fetchFn?: typeof fetch;
}): FunctionsClient {
  const fetchFn = options.fetchFn ?? ((input, init) => fetch(input, init));

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, anonymous = false): Promise<T> {
    // Public endpoints skip the token: it would make the plan list wait for supabase-js to load.
    const token = anonymous ? undefined : await options.accessToken();
    const headers: Record<string, string> = { apikey: options.anonKey };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetchFn(`${options.functionsUrl}/${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError('network', 'The network request failed.', 0);
    }
    const payload = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!response.ok) {
      const code = typeof payload?.error === 'string' ? payload.error : 'internal';
      const message = typeof payload?.message === 'string' ? payload.message : '';
      const { error: _code, message: _message, ...details } = payload ?? {};
      throw new ApiError(code, message, response.status, details);
    }
    return payload as T;
  }

  return {
    plans: async () => (await call<{ plans: Plan[] }>('GET', 'plans', undefined, true)).plans,
    createOrganisation: (name) => call('POST', 'organisations', { name }),
    createCheckoutSession: (input) => call('POST', 'create-checkout-session', input),
    changePlan: (input) => call('POST', 'change-plan', input),
    previewPlanChange: (input) => call('POST', 'change-plan', { ...input, preview: true }),
    resumeSubscription: (input) => call('POST', 'resume-subscription', input),
    createPortalSession: (input) => call('POST', 'create-portal-session', input),
    setSpendCap: (input) => call('POST', 'spend-cap', input),
    adminOverview: () => call('GET', 'admin-overview'),
    adminAction: (action) => call('POST', 'admin-actions', { action }),
    billingSummary: async (orgId) => {
      const summary = await call<BillingSummary | (Omit<BillingSummary, 'organisation'> & { organisation: null })>(
        'GET',
        orgId ? `billing-summary?org_id=${encodeURIComponent(orgId)}` : 'billing-summary?if_none=empty',
      );
      return summary.organisation === null ? null : (summary as BillingSummary);
    },
  };
}
