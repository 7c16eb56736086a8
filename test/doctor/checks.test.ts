/** The checks that need neither Stripe nor a database, and the runner's rules (exit code, a failing fix). */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/types.ts';
import { configCheck } from '../../src/usecases/doctor/checks/config.ts';
import { doctorExitCode, formatDoctorTable, runDoctor } from '../../src/usecases/doctor/runner.ts';
import type { Check, DoctorContext } from '../../src/usecases/doctor/types.ts';
import { eventsDiffer, handledEventTypes } from '../../src/usecases/doctor/webhook-events.ts';
import { testConfig } from '../support/billing-fixtures.ts';

const ctx = (config: Config, live = false) =>
  ({ config, live, state: { secretsToSet: [], fixesRun: new Set() } }) as unknown as DoctorContext;
const deployed = (mode: 'test' | 'live'): Config => {
  const c = testConfig();
  return {
    ...c,
    websiteUrl: 'https://app.example.com',
    publicFunctionsUrl: 'https://ref.supabase.co/functions/v1',
    database: { kind: 'postgres', url: 'postgres://x@db.example.com/postgres' },
    stripe: { ...c.stripe, mode, secretKey: `sk_${mode}_x` },
  };
};

describe('doctor: config', () => {
  it('is ok for a complete deployment, in test mode and in live mode with --live', async () => {
    expect((await configCheck.run(ctx(deployed('test')))).status).toBe('ok');
    expect((await configCheck.run(ctx(deployed('live'), true))).status).toBe('ok');
  });

  it('names what a valid configuration still gets wrong for a deployment', async () => {
    const local = {
      ...deployed('test'),
      websiteUrl: 'http://127.0.0.1:54321',
      publicFunctionsUrl: 'http://localhost:54321/functions/v1',
      database: { kind: 'pglite', dir: '.data/pglite' },
    } as Config;
    const found = await configCheck.run(ctx({ ...local, stripe: { ...local.stripe, webhookSecret: undefined } }, true));
    expect(found.status).toBe('problem');
    expect(found.detail).toBe(
      '--live given but STRIPE_SECRET_KEY is a test key; STRIPE_WEBHOOK_SECRET unset; DATABASE_URL unset: doctor would check a local PGlite, not the project; ' +
        'WEBSITE_URL is local: Checkout would return customers to localhost; PUBLIC_FUNCTIONS_URL is local: Stripe cannot reach it',
    );
    const http = await configCheck.run(
      ctx({ ...deployed('live'), publicFunctionsUrl: 'http://ref.example.com/functions/v1' }, true),
    );
    expect(http.detail).toBe('PUBLIC_FUNCTIONS_URL must be https in live mode');
  });
});

describe('doctor: the webhook events', () => {
  it('are exactly the types the handler applies', () => {
    expect(handledEventTypes()).toEqual([
      'checkout.session.completed',
      'customer.subscription.created',
      'customer.subscription.deleted',
      'customer.subscription.updated',
      'invoice.paid',
      'invoice.payment_failed',
    ]);
    expect(eventsDiffer(['*', 'invoice.paid'])).toEqual({
      missing: handledEventTypes().filter((t) => t !== 'invoice.paid'),
      extra: ['*'],
    });
  });
});

describe('doctor: the runner', () => {
  const broken = (id: string, fix?: () => Promise<void>): Check => ({
    id,
    run: async () => ({ status: 'problem', detail: 'broken', hint: 'fix it' }),
    ...(fix ? { fix } : {}),
  });

  it('exits 1 while a problem remains, 0 with warnings only', () => {
    expect(
      doctorExitCode([
        { id: 'a', status: 'warning', detail: '', hint: '' },
        { id: 'b', status: 'fixed', detail: '', hint: '' },
      ]),
    ).toBe(0);
    expect(doctorExitCode([{ id: 'a', status: 'problem', detail: '', hint: '' }])).toBe(1);
  });

  it('reports a fix that throws as a problem, a check that throws as one, and runs the rest', async () => {
    const throwing: Check = {
      id: 'throws',
      run: async () => {
        throw new Error('boom\nsecond line');
      },
    };
    const results = await runDoctor(
      ctx(deployed('test')),
      [
        broken('a', async () => {
          throw new Error('Stripe said no');
        }),
        throwing,
        broken('c'),
      ],
      { fix: true },
    );
    expect(results).toEqual([
      { id: 'a', status: 'problem', detail: 'fix failed: Stripe said no', hint: 'fix it' },
      { id: 'throws', status: 'problem', detail: 'could not check: boom', hint: '' },
      { id: 'c', status: 'problem', detail: 'broken', hint: 'fix it' },
    ]);
    expect(formatDoctorTable(results)).toContain(
      'a       problem  fix failed: Stripe said no\n                 → fix it',
    );
  });
});
