/**
 * POST spend-cap refuses bad input with a 4xx and a code, and changes nothing: a negative, fractional, string or
 * missing cap, and another owner's organisation (docs/http-api.md#spend-cap).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpWithOrganisation, startWorld } from '../scenarios/world.ts';
import type { TestStack } from '../support/stack.ts';

describe('spend-cap: bad input changes nothing', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const capOf = async (orgId: string) =>
    (
      await stack.sql.query<{ cap: string | null }>(
        'select monthly_overage_cap_cents as cap from organisations where id = $1',
        [orgId],
      )
    )[0]!.cap;

  it.each([
    ['a negative cap', { monthly_overage_cap_cents: -1 }],
    ['a fractional cap', { monthly_overage_cap_cents: 10.5 }],
    ['a string', { monthly_overage_cap_cents: '1000' }],
    ['no cap at all', {}],
    ['a cap too large for JSON to carry exactly', { monthly_overage_cap_cents: 2 ** 53 }],
  ])('%s → 400 invalid_request naming monthly_overage_cap_cents', async (_, body) => {
    const org = await signUpWithOrganisation(stack, `Careful ${Math.random()}`);
    await stack.call('spend-cap', { token: org.token, body: { monthly_overage_cap_cents: 700 } });
    const res = await stack.call('spend-cap', { token: org.token, body });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'invalid_request', field: 'monthly_overage_cap_cents' });
    expect(Number(await capOf(org.orgId))).toBe(700);
  });

  it("someone else's organisation → 404 organisation_not_found, their cap untouched", async () => {
    const victim = await signUpWithOrganisation(stack, 'Victim Ltd');
    const intruder = await signUpWithOrganisation(stack, 'Intruder Ltd');
    const res = await stack.call('spend-cap', {
      token: intruder.token,
      body: { org_id: victim.orgId, monthly_overage_cap_cents: 0 },
    });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: 'organisation_not_found', field: 'org_id' });
    expect(await capOf(victim.orgId)).toBeNull();
  });

  it('without a token → 401; a malformed org_id → 400; a good request answers the cap set', async () => {
    const org = await signUpWithOrganisation(stack, 'Good Input Ltd');
    expect((await stack.call('spend-cap', { body: { monthly_overage_cap_cents: 5 } })).status).toBe(401);
    const bad = await stack.call('spend-cap', {
      token: org.token,
      body: { org_id: 'nope', monthly_overage_cap_cents: 5 },
    });
    expect(bad.json).toMatchObject({ error: 'invalid_request', field: 'org_id' });
    const ok = await stack.call('spend-cap', { token: org.token, body: { monthly_overage_cap_cents: 12_345 } });
    expect(ok).toMatchObject({ status: 200, json: { org_id: org.orgId, monthly_overage_cap_cents: 12_345 } });
    expect(Number(await capOf(org.orgId))).toBe(12_345);
  });
});
