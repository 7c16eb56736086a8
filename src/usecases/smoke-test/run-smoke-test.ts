/**
 * `aisyst-billing smoke-test`: one customer's month against a running deployment, step by step — the plan's "final
 * end-to-end test with a real card" (docs/cli.md#smoke-test). An owner signs up, creates an organisation, gets a
 * Stripe customer on a test clock and a subscription paid with `pm_card_visa`; three calls go through the deployed
 * report-usage; the clock passes the period end; the ledger, the meter and both invoices must match, to the cent,
 * what the catalog and the domain's rules say. Then it undoes what Stripe can undo and names what remains.
 */
import type Stripe from 'stripe';
import { billedMinutesOf } from '../../domain/rounding.ts';
import { expectedBill, euros, SMOKE_PLAN, smokeCalls } from './expected-bill.ts';
import { backendHeaders, expectStatus, requestJson } from './http.ts';
import { cleanupSteps } from './cleanup.ts';
import { createOwner } from './owner.ts';
import { type Step, runSteps, waitFor } from './steps.ts';
import { createClockedCustomer, findPlanPrices, meteredMinutes, subscribeWithTestCard } from './stripe-setup.ts';
import type { SmokeState, SmokeTestPorts, SmokeTestTarget, StepResult } from './types.ts';
import {
  amountForPrice,
  billingSummary,
  callLog,
  expectedCycle,
  findRenewalInvoice,
  paidInvoiceTotal,
  type Summary,
} from './verify.ts';

export interface SmokeTestReport {
  steps: StepResult[];
  cleanup: StepResult[];
  /** What the run created that it cannot remove (no API deletes an organisation or its ledger). */
  remains: string[];
  ok: boolean;
}

/**
 * Two hours past the period end: Stripe finalizes a renewal invoice an hour after creating it
 * (docs.stripe.com/invoicing/integration/automatic-advancement-collection), then charges the card.
 */
const PAST_PERIOD_END_S = 2 * 60 * 60;

export async function runSmokeTest(
  ports: SmokeTestPorts,
  target: SmokeTestTarget,
  onResult: (result: StepResult) => void = () => {},
): Promise<SmokeTestReport> {
  const state: SmokeState = {};
  const calls = smokeCalls();
  const bill = expectedBill(SMOKE_PLAN, calls);
  const runId = `${new Date(ports.now()).toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${Math.random().toString(36).slice(2, 8)}`;
  const fn = (name: string) => `${target.functionsUrl}/${name}`;
  const callId = (i: number) => `smoke-${runId}-${i + 1}`;
  const wait = <T>(what: string, probe: () => Promise<{ value: T } | { seen: string }>) =>
    waitFor(ports, target.waitTimeoutMs, what, probe);
  const summary = () => billingSummary(ports, fn('billing-summary'), state);
  let prices: Awaited<ReturnType<typeof findPlanPrices>>;

  const steps: Step[] = [
    {
      name: `plan ${SMOKE_PLAN.name} served by plans, its prices at Stripe`,
      async run() {
        const { plans } = expectStatus(
          await requestJson<{ plans: Array<{ id: string; name: string; monthly_price_cents: number }> }>(
            ports,
            fn('plans'),
          ),
          200,
          'plans',
        );
        const plan = plans.find((p) => p.name === SMOKE_PLAN.name);
        if (!plan) throw new Error(`plans does not list ${SMOKE_PLAN.name} (run migrate, then doctor --fix)`);
        if (plan.monthly_price_cents !== SMOKE_PLAN.monthlyPriceCents)
          throw new Error(
            `plans says ${euros(plan.monthly_price_cents)}/month, the catalog ${euros(SMOKE_PLAN.monthlyPriceCents)}`,
          );
        state.planId = plan.id;
        prices = await findPlanPrices(ports, SMOKE_PLAN, target.setupFeePriceId);
        return `${euros(SMOKE_PLAN.monthlyPriceCents)}/month, ${SMOKE_PLAN.includedMinutes} minutes included`;
      },
    },
    {
      name: 'owner signed up through Supabase Auth',
      async run() {
        const owner = await createOwner(
          ports,
          target,
          `smoke-test+${runId}@example.com`,
          `smoke-${runId}-${Math.random()}`,
        );
        Object.assign(state, { email: owner.email, userId: owner.userId, token: owner.accessToken });
        return `${owner.email} (${owner.createdBy === 'admin' ? 'admin API' : 'sign-up'})`;
      },
    },
    {
      name: 'organisation created through organisations',
      async run() {
        const org = expectStatus(
          await requestJson<{ id: string }>(ports, fn('organisations'), {
            headers: { authorization: `Bearer ${state.token}` },
            body: { name: `Smoke test ${runId}` },
          }),
          201,
          'organisations',
        );
        state.orgId = org.id;
        return org.id;
      },
    },
    {
      name: 'Stripe customer on a test clock',
      async run() {
        Object.assign(
          state,
          await createClockedCustomer(ports, {
            name: `Smoke test ${runId}`,
            email: state.email!,
            orgId: state.orgId!,
            startsAt: Math.floor(ports.now() / 1000),
          }),
        );
        return `${state.customerId} on ${state.clockId}`;
      },
    },
    {
      name: 'subscribed with pm_card_visa (Checkout cannot be completed by API)',
      async run() {
        const sub = await subscribeWithTestCard(ports, {
          customerId: state.customerId!,
          orgId: state.orgId!,
          planId: state.planId!,
          prices,
        });
        state.subscriptionId = sub.id;
        const flat = sub.items.data.find((i) => i.price.id === prices.monthly)!;
        state.periodStart = flat.current_period_start;
        state.periodEnd = flat.current_period_end;
        if (sub.status !== 'active') throw new Error(`${sub.id} is ${sub.status}, not active`);
        return `${sub.id} active`;
      },
    },
    {
      name: 'webhooks applied: billing-summary shows the subscription',
      async run() {
        const s = await wait<Summary>('the subscription in billing-summary', async () => {
          const now = await summary();
          return now.subscription?.status === 'active' && now.usage
            ? { value: now }
            : { seen: `subscription ${now.subscription?.status ?? 'none'}, usage ${now.usage ? 'yes' : 'none'}` };
        });
        return `${s.subscription!.plan.name}, period ${s.usage!.period_start} → ${s.usage!.period_end}`;
      },
    },
    {
      name: `first invoice paid: ${euros(bill.firstInvoiceCents)} (month + setup fee)`,
      async run() {
        const sub = await ports.stripe.subscriptions.retrieve(state.subscriptionId!);
        const invoiceId = typeof sub.latest_invoice === 'string' ? sub.latest_invoice : sub.latest_invoice?.id;
        if (!invoiceId) throw new Error('the subscription has no invoice');
        const total = await paidInvoiceTotal(ports, invoiceId);
        if (total !== bill.firstInvoiceCents)
          throw new Error(`${invoiceId} is ${euros(total)}, expected ${euros(bill.firstInvoiceCents)}`);
        return invoiceId;
      },
    },
    {
      name: `${calls.length} calls reported through report-usage`,
      async run() {
        let last: { cycle: { minutes_used: number } } | undefined;
        for (const [i, call] of calls.entries()) {
          last = expectStatus(
            await requestJson<{ cycle: { minutes_used: number } }>(ports, fn('report-usage'), {
              headers: backendHeaders(target.backendKey),
              body: {
                org_id: state.orgId,
                call_id: callId(i),
                call_duration_seconds: 'seconds' in call ? call.seconds : call.minutes * 60,
                ended_at: new Date((state.periodStart! + i + 1) * 1000).toISOString(),
              },
            }),
            200,
            `report-usage (call ${i + 1})`,
          );
        }
        return `${last!.cycle.minutes_used} minutes in the cycle`;
      },
    },
    {
      name: `ledger: ${bill.billedMinutes} minutes, ${bill.overageMinutes} over, ${euros(bill.overageCents)}`,
      async run() {
        const usage = (await summary()).usage;
        const found =
          usage && `${usage.minutes_used} minutes, ${usage.overage_minutes} over, ${euros(usage.overage_cost_cents)}`;
        if (found !== expectedCycle(bill)) throw new Error(`billing-summary says ${found ?? 'no usage'}`);
        return 'billing-summary agrees';
      },
    },
    {
      name: `meter: ${bill.billedMinutes} minutes at Stripe (deliver-usage)`,
      async run() {
        await wait('deliver-usage to send every call', async () => {
          const pass = expectStatus(
            await requestJson<{ pending: number; failed: number }>(ports, fn('deliver-usage'), {
              headers: backendHeaders(target.backendKey),
              body: {},
            }),
            200,
            'deliver-usage',
          );
          return pass.pending === 0 ? { value: pass } : { seen: `${pass.pending} pending, ${pass.failed} failed` };
        });
        // Summaries are eventually consistent (docs.stripe.com/api/billing/meter-event-summary): poll.
        const minutes = await wait('the meter summary', async () => {
          const total = await meteredMinutes(ports, state.customerId!, state.periodStart!, state.periodEnd!);
          return total === bill.billedMinutes ? { value: total } : { seen: `${total} minutes` };
        });
        return `${minutes} minutes summed`;
      },
    },
    {
      name: `rows: the call log holds the ${calls.length} calls, each billed as the domain rounds it, all sent to Stripe`,
      async run() {
        const expected = calls.map((call, i) => ({
          call_id: callId(i),
          billed_minutes: billedMinutesOf(call),
          delivered_to_stripe: true,
        }));
        const rows = await callLog(ports, fn('usage-records'), state);
        if (JSON.stringify(rows) !== JSON.stringify(expected))
          throw new Error(
            `usage-records lists ${rows.map((r) => `${r.call_id}: ${r.billed_minutes} min${r.delivered_to_stripe ? '' : ' (not sent)'}`).join(', ') || 'no call'}`,
          );
        return rows.map((r) => `${r.billed_minutes} min`).join(' + ');
      },
    },
    {
      name: 'test clock advanced past the period end',
      async run() {
        const to = state.periodEnd! + PAST_PERIOD_END_S;
        await ports.stripe.testHelpers.testClocks.advance(state.clockId!, { frozen_time: to });
        await wait('the test clock', async () => {
          const clock = await ports.stripe.testHelpers.testClocks.retrieve(state.clockId!);
          return clock.status === 'ready' ? { value: clock } : { seen: clock.status };
        });
        return new Date(to * 1000).toISOString();
      },
    },
    {
      name: 'webhooks applied: billing-summary shows the next period',
      async run() {
        const nextStart = new Date(state.periodEnd! * 1000).toISOString();
        const s = await wait<Summary>('the renewal in billing-summary', async () => {
          const now = await summary();
          return now.subscription?.current_period_start === nextStart && now.usage?.period_start === nextStart
            ? { value: now }
            : { seen: `period from ${now.subscription?.current_period_start ?? 'none'}` };
        });
        return `${s.subscription!.status}, new cycle at ${s.usage!.minutes_used} minutes`;
      },
    },
    {
      name: `renewal invoice paid: ${euros(bill.renewalInvoiceCents)} (month + ${euros(bill.overageCents)} overage)`,
      async run() {
        const invoice = await wait<Stripe.Invoice>('the renewal invoice to be paid', async () => {
          const found = await findRenewalInvoice(ports, state.subscriptionId!);
          return found?.status === 'paid' ? { value: found } : { seen: found ? `${found.id} ${found.status}` : 'none' };
        });
        const metered = amountForPrice(invoice, prices.metered);
        if (invoice.total !== bill.renewalInvoiceCents || metered !== bill.overageCents)
          throw new Error(`${invoice.id} is ${euros(invoice.total)} with ${euros(metered)} metered`);
        return invoice.id!;
      },
    },
  ];

  const results = await runSteps(ports, steps, onResult);
  const cleanup = await runSteps(ports, cleanupSteps(ports, state, { summary, wait }), onResult, {
    continueAfterFailure: true,
  });
  const remains = state.orgId
    ? [
        `organisation ${state.orgId} ("Smoke test ${runId}"), its canceled subscription and ${calls.length} calls in the database`,
        `the Auth user ${state.email}`,
      ]
    : state.email
      ? [`the Auth user ${state.email}`]
      : [];
  const ok = results.length === steps.length && [...results, ...cleanup].every((r) => r.ok);
  return { steps: results, cleanup, remains, ok };
}
