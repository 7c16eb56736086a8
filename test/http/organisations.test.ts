/**
 * POST organisations and the ownership rules of the organisations repository, through the real stack:
 * a user creates organisations and can reach only their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import {
  findOwnedOrganisations,
  getOrganisationForOwner,
  resolveOrganisation,
  setStripeCustomerIdIfMissing,
} from '../../src/repositories/organisations.ts';
import { userToken } from '../auth/tokens.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof AppError ? e.code : String(e)),
  );

describe('POST organisations', () => {
  it('creates an organisation owned by the signed-in user', async () => {
    const { userId, accessToken } = await stack.signUp();
    const res = await stack.call('organisations', { token: accessToken, body: { name: '  Acme Voice Ltd  ' } });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Acme Voice Ltd',
      owner_id: userId,
    });
  });

  it('answers a repeat with the same name (a double click, a retry) with the first organisation, 200, creating nothing', async () => {
    const { userId, accessToken } = await stack.signUp();
    const first = await stack.call('organisations', { token: accessToken, body: { name: 'Acme Voice Ltd' } });
    const again = await stack.call('organisations', { token: accessToken, body: { name: ' Acme Voice Ltd ' } });
    expect(first.status).toBe(201);
    expect(again).toMatchObject({ status: 200, json: first.json });
    const other = await stack.call('organisations', { token: accessToken, body: { name: 'Acme Labs' } });
    expect(other.status).toBe(201);
    expect((await findOwnedOrganisations(stack.sql, userId)).map((o) => o.name)).toEqual([
      'Acme Voice Ltd',
      'Acme Labs',
    ]);
  });

  const badBodies: Array<[string, unknown, string]> = [
    ['no name', {}, 'name'],
    ['an empty name', { name: '' }, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a name over 200 characters', { name: 'x'.repeat(201) }, 'name'],
    ['a name that is a number', { name: 42 }, 'name'],
    ['a name that is null', { name: null }, 'name'],
    // PostgreSQL text cannot hold NUL: these reached the database and answered 500.
    ['a name containing NUL', { name: 'Acme\u0000Ltd' }, 'name'],
    ['a name with an unpaired surrogate', { name: 'Acme \ud800' }, 'name'],
    ['a name with a control character', { name: 'Acme\u0007Ltd' }, 'name'],
    ['a name with a line separator', { name: 'Acme\u2028Ltd' }, 'name'],
    ['a name with a right-to-left override', { name: 'Acme \u202eLtd' }, 'name'],
  ];
  it('accepts names that need joiners: emoji sequences and Persian', async () => {
    const { accessToken } = await stack.signUp();
    for (const name of ['👩\u200d💻 Studio', 'می\u200cخواهم']) {
      const res = await stack.call('organisations', { token: accessToken, body: { name } });
      expect(res).toMatchObject({ status: 201, json: { name } });
    }
  });

  it.each(badBodies.map(([what, body, field]) => ({ what, body, field })))(
    'refuses $what with 400 invalid_request naming the field, writing nothing',
    async ({ body, field }) => {
      const { userId, accessToken } = await stack.signUp();
      const res = await stack.call('organisations', { token: accessToken, body });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: 'invalid_request', field });
      expect(await findOwnedOrganisations(stack.sql, userId)).toEqual([]);
    },
  );

  it.each([
    ['a JSON array', '[]'],
    ['a JSON string', '"Acme"'],
  ])('refuses %s as the body', async (_what, body) => {
    const { accessToken } = await stack.signUp();
    expect((await stack.call('organisations', { token: accessToken, body })).json.error).toBe('invalid_request');
  });

  it('refuses non-JSON, oversized bodies, wrong methods and missing or bad tokens', async () => {
    const { accessToken } = await stack.signUp();
    expect((await stack.call('organisations', { token: accessToken, body: 'name=Acme' })).json.error).toBe(
      'invalid_json',
    );
    expect((await stack.call('organisations', { token: accessToken, body: { name: 'x'.repeat(70_000) } })).status).toBe(
      413,
    );
    expect((await stack.call('organisations', { token: accessToken })).status).toBe(405);
    expect((await stack.call('organisations', { body: { name: 'Acme' } })).json.error).toBe('unauthorized');
    expect((await stack.call('organisations', { token: stack.anonKey, body: { name: 'Acme' } })).json.error).toBe(
      'unauthorized',
    );
    expect(
      (
        await stack.call('organisations', {
          token: await userToken(crypto.randomUUID(), { expiresIn: Math.floor(Date.now() / 1000) - 5 }),
          body: { name: 'Acme' },
        })
      ).status,
    ).toBe(401);
  });

  it('answers 401 (not 500) for a valid token whose user no longer exists', async () => {
    const res = await stack.call('organisations', {
      token: await userToken(crypto.randomUUID()),
      body: { name: 'Ghost' },
    });
    expect(res.status).toBe(401);
  });
});

describe('organisations repository: ownership', () => {
  it('lets an owner reach their organisation and answers another user exactly as for a missing one', async () => {
    const alice = await stack.signUp();
    const bob = await stack.signUp();
    const acme = await stack.createOrganisation(alice.accessToken, 'Acme');
    expect((await getOrganisationForOwner(stack.sql, acme.id, alice.userId)).name).toBe('Acme');
    expect(await codeOf(getOrganisationForOwner(stack.sql, acme.id, bob.userId))).toBe('organisation_not_found');
    expect(await codeOf(getOrganisationForOwner(stack.sql, crypto.randomUUID(), bob.userId))).toBe(
      'organisation_not_found',
    );
    expect(await codeOf(getOrganisationForOwner(stack.sql, 'not-a-uuid', alice.userId))).toBe('organisation_not_found');
  });

  it('resolves the only organisation, requires org_id among several, and refuses a user without one', async () => {
    const carol = await stack.signUp();
    expect(await codeOf(resolveOrganisation(stack.sql, carol.userId))).toBe('organisation_not_found');
    const first = await stack.createOrganisation(carol.accessToken, 'First');
    expect((await resolveOrganisation(stack.sql, carol.userId)).id).toBe(first.id);
    const second = await stack.createOrganisation(carol.accessToken, 'Second');
    expect(await codeOf(resolveOrganisation(stack.sql, carol.userId))).toBe('org_id_required');
    expect((await resolveOrganisation(stack.sql, carol.userId, second.id)).name).toBe('Second');
    const dave = await stack.signUp();
    expect(await codeOf(resolveOrganisation(stack.sql, dave.userId, second.id))).toBe('organisation_not_found');
  });

  it('keeps the first Stripe customer id stored and returns it to a later writer', async () => {
    const erin = await stack.signUp();
    const org = await stack.createOrganisation(erin.accessToken);
    expect(await setStripeCustomerIdIfMissing(stack.sql, org.id, 'cus_first')).toBe('cus_first');
    expect(await setStripeCustomerIdIfMissing(stack.sql, org.id, 'cus_second')).toBe('cus_first');
    expect((await getOrganisationForOwner(stack.sql, org.id, erin.userId)).stripeCustomerId).toBe('cus_first');
  });
});

describe('the stack’s logs', () => {
  it('never contain tokens, keys, passwords or card numbers', async () => {
    const { accessToken, refreshToken } = await stack.signUp(undefined, 'my very secret password');
    await stack.call('organisations', { token: accessToken, body: { name: 'Card 4242 4242 4242 4242' } });
    await stack.call('plans?card=4000000000000341');
    const logs = stack.logs.join('\n');
    expect(stack.logs.length).toBeGreaterThan(0);
    for (const secret of [
      accessToken,
      refreshToken,
      'my very secret password',
      stack.serviceRoleKey,
      stack.config.stripe.webhookSecret!,
      stack.config.stripe.secretKey,
      '4242 4242 4242 4242',
      '4000000000000341',
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});
