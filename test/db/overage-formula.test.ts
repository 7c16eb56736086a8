/**
 * One overage formula per language (issue 14): SQL's `public.overage_minutes` / `public.overage_cost_cents`
 * (supabase/migrations/20261201000700_one_overage_formula.sql), which record_usage and the plan-change split use,
 * and TypeScript's `cycleTotals` (src/domain/cycles.ts). Both must give the same figures on the same inputs,
 * including counters past 2^31 (the columns are bigint) up to what a JS number holds exactly.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { cycleTotals } from '../../src/domain/cycles.ts';
import { listCycles } from '../../src/repositories/billing-cycles.ts';
import { splitCycleAtPlanChange } from '../../src/repositories/split-cycle.ts';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import { createSubscriptionWithCycle, createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';

const INT32_MAX = 2 ** 31 - 1; // included_minutes and overage_rate_cents are integer columns
const NOV = { periodStart: new Date('2026-11-01T00:00:00Z'), periodEnd: new Date('2026-12-01T00:00:00Z') };

/**
 * Terms and usage whose overage cost a JS number holds exactly, even after `headroom` more minutes; usage as often
 * past 2^31 as below it.
 */
const cycleInputs = (maxUsed = Number.MAX_SAFE_INTEGER, headroom = 0) =>
  fc
    .record({
      includedMinutes: fc.integer({ min: 0, max: INT32_MAX }),
      minutesUsed: fc.oneof(fc.integer({ min: 0, max: INT32_MAX }), fc.integer({ min: INT32_MAX + 1, max: maxUsed })),
    })
    .chain(({ includedMinutes, minutesUsed }) => {
      const overage = Math.max(0, minutesUsed + headroom - includedMinutes);
      const maxRate = Math.min(INT32_MAX, Math.floor(Number.MAX_SAFE_INTEGER / Math.max(1, overage)));
      return fc.record({
        includedMinutes: fc.constant(includedMinutes),
        minutesUsed: fc.constant(minutesUsed),
        overageRateCents: fc.integer({ min: 0, max: maxRate }),
      });
    });

describeEachDatabase('one overage formula', (db) => {
  it('property: the SQL functions and cycleTotals agree, past 2^31 too', async () => {
    await fc.assert(
      fc.asyncProperty(cycleInputs(), async (input) => {
        const [row] = await db.sql.query<{ minutes: string; cost: string }>(
          `select public.overage_minutes($1::bigint, $2::bigint)::text as minutes,
                  public.overage_cost_cents($1::bigint, $2::bigint, $3::bigint)::text as cost`,
          [String(input.includedMinutes), String(input.minutesUsed), String(input.overageRateCents)],
        );
        const totals = cycleTotals(input);
        expect(row).toEqual({ minutes: String(totals.overageMinutes), cost: String(totals.overageCostCents) });
      }),
      {
        numRuns: 300,
        examples: [
          [{ includedMinutes: 500, minutesUsed: 500, overageRateCents: 50 }],
          [{ includedMinutes: 500, minutesUsed: 501, overageRateCents: 50 }],
          [{ includedMinutes: 0, minutesUsed: Number.MAX_SAFE_INTEGER, overageRateCents: 1 }],
          [{ includedMinutes: 2_000, minutesUsed: 43_000_001, overageRateCents: 50 }], // €21.5 M: past 2^31 cents
        ],
      },
    );
  });

  it("property: record_usage leaves a cycle's overage as cycleTotals computes it", async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const { cycleId } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(
        cycleInputs(2 ** 40, 1_440),
        fc.integer({ min: 0, max: 1_440 }),
        async (before, billedMinutes) => {
          await db.sql.query(
            `update billing_cycles set included_minutes = $2, overage_rate_cents = $3, minutes_used = $4,
             overage_minutes = 0, overage_cost_cents = 0 where id = $1`,
            [cycleId, before.includedMinutes, before.overageRateCents, before.minutesUsed],
          );
          const result = await recordUsage(db.sql, {
            orgId,
            callId: `call-${++calls}`,
            durationSeconds: billedMinutes * 60,
            billedMinutes,
            endedAt: new Date('2026-11-20T00:00:00Z'),
          });
          const totals = cycleTotals({ ...before, minutesUsed: before.minutesUsed + billedMinutes });
          expect(result.cycle).toMatchObject({
            minutes_used: totals.minutesUsed,
            overage_minutes: totals.overageMinutes,
            overage_cost_cents: totals.overageCostCents,
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('property: a plan-change split recomputes both parts as cycleTotals does', async () => {
    await fc.assert(
      fc.asyncProperty(
        cycleInputs(2 ** 40),
        fc.integer({ min: 0, max: INT32_MAX }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 1, max: 1_440 }),
        async (before, newIncluded, newRate, movedMinutes) => {
          const { orgId } = await createUserAndOrganisation(db.sql);
          const { subscriptionId, cycleId } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
          await db.sql.query(
            'update billing_cycles set included_minutes = $2, overage_rate_cents = $3, minutes_used = $4 where id = $1',
            [cycleId, before.includedMinutes, before.overageRateCents, before.minutesUsed],
          );
          await recordUsage(db.sql, {
            orgId,
            callId: `after-the-change-${cycleId}`,
            durationSeconds: movedMinutes * 60,
            billedMinutes: movedMinutes,
            endedAt: new Date('2026-11-20T00:00:00Z'),
          });
          await db.sql.transaction((tx) =>
            splitCycleAtPlanChange(tx, {
              subscriptionId,
              changedAt: new Date('2026-11-16T00:00:00Z'),
              ...NOV,
              includedMinutes: newIncluded,
              overageRateCents: newRate,
            }),
          );
          const [old, fresh] = await listCycles(db.sql, subscriptionId);
          const figures = (t: ReturnType<typeof cycleTotals>) => ({
            minutes_used: t.minutesUsed,
            overage_minutes: t.overageMinutes,
            overage_cost_cents: t.overageCostCents,
          });
          expect(old).toMatchObject(figures(cycleTotals(before)));
          expect(fresh).toMatchObject(
            figures(
              cycleTotals({ includedMinutes: newIncluded, overageRateCents: newRate, minutesUsed: movedMinutes }),
            ),
          );
        },
      ),
      { numRuns: 15 },
    );
  });
});
