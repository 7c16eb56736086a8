/** The entitlement rule (src/domain/entitlement.ts), case by case at its edges. */
import { describe, expect, it } from 'vitest';
import { decideEntitlement, type EntitlementInput } from '../../src/domain/entitlement.ts';

const NOW = new Date('2026-12-04T00:00:00Z');
const base: EntitlementInput = { status: 'active', paymentFailedAt: null, capReached: false, now: NOW, graceDays: 3 };
const decide = (over: Partial<EntitlementInput>) => decideEntitlement({ ...base, ...over });

describe('decideEntitlement', () => {
  it('active and trialing are ok; the cap reached refuses them', () => {
    expect(decide({})).toMatchObject({ allowed: true, reason: 'ok' });
    expect(decide({ status: 'trialing' })).toMatchObject({ allowed: true, reason: 'ok' });
    expect(decide({ capReached: true })).toMatchObject({ allowed: false, reason: 'spend_cap_reached' });
  });

  it('no subscription, incomplete, incomplete_expired and paused are no_subscription; canceled is canceled', () => {
    for (const status of [null, 'incomplete', 'incomplete_expired', 'paused'])
      expect(decide({ status })).toMatchObject({ allowed: false, reason: 'no_subscription' });
    expect(decide({ status: 'canceled' })).toMatchObject({ allowed: false, reason: 'canceled' });
  });

  it('past_due: allowed until exactly the grace after the failure, refused from then on; unpaid refused', () => {
    const failedAt = new Date(NOW.getTime() - 3 * 86_400_000);
    expect(decide({ status: 'past_due', paymentFailedAt: new Date(failedAt.getTime() + 1) })).toMatchObject({
      allowed: true,
      reason: 'past_due',
    });
    expect(decide({ status: 'past_due', paymentFailedAt: failedAt })).toMatchObject({
      allowed: false,
      reason: 'past_due',
      graceEndsAt: NOW,
    });
    expect(decide({ status: 'past_due', paymentFailedAt: failedAt, graceDays: 4 })).toMatchObject({ allowed: true });
    expect(decide({ status: 'past_due', paymentFailedAt: null })).toMatchObject({ allowed: true, reason: 'past_due' });
    expect(decide({ status: 'unpaid' })).toMatchObject({ allowed: false, reason: 'past_due' });
  });

  it('past_due within the grace but over the cap is refused for the cap', () => {
    expect(decide({ status: 'past_due', paymentFailedAt: NOW, capReached: true })).toMatchObject({
      allowed: false,
      reason: 'spend_cap_reached',
    });
  });
});
