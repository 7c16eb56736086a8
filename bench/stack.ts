/**
 * What the billing benchmarks share: a scratch PostgreSQL database, the local stack on it (emulator embedded),
 * and organisations subscribed through the public API and the emulated Checkout, as customers subscribe.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import { parseConfig } from '../src/config/parse-config.ts';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../src/entries/node/local-stack.ts';
import { silentLogger } from '../src/ports/logger.ts';

/** A scratch database on the server of `adminUrl`, dropped by the returned function. */
export async function scratchDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `aisyst_bench_${process.pid}_${randomUUID().slice(0, 8)}`;
  const admin = openPostgres(adminUrl, { max: 1 });
  await admin.exec(`create database ${name}`).finally(() => admin.close());
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = openPostgres(adminUrl, { max: 1 });
      await a.exec(`drop database if exists ${name} with (force)`).finally(() => a.close());
    },
  };
}

/** The local stack on a scratch PostgreSQL database (TEST_DATABASE_URL's server, else the local one). */
export async function benchStack(
  env: Record<string, string> = {},
  opts: LocalStackOptions = {},
): Promise<{ stack: LocalStack; databaseUrl: string; close(): Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const db = await scratchDatabase(adminUrl);
  const stateDir = await mkdtemp(join(tmpdir(), 'aisyst-bench-'));
  const stack = await startLocalStack(
    parseConfig({ PORT: '0', STRIPE_EMULATOR_PORT: '0', DATABASE_URL: db.url, ...env }),
    {
      logger: silentLogger,
      stateDir,
      emulator: { webhookRetryScheduleMs: [50, 100] },
      ...opts,
    },
  );
  return {
    stack,
    databaseUrl: db.url,
    close: async () => {
      await stack.close();
      await db.drop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export async function post(url: string, body: unknown, headers: Record<string, string>): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Sign up, create an organisation and buy Enterprise monthly through the public API and the emulated Checkout. */
export async function subscribedOrganisation(stack: LocalStack): Promise<string> {
  const auth = await post(
    `${stack.url}/auth/v1/signup`,
    { email: `bench-${randomUUID()}@example.com`, password: 'bench password 123' },
    { apikey: stack.config.auth.anonKey },
  );
  const user = { authorization: `Bearer ${auth.access_token}` };
  const org = await post(`${stack.url}/functions/v1/organisations`, { name: 'Bench Voice' }, user);
  const plans = await (await fetch(`${stack.url}/functions/v1/plans`)).json();
  const plan = plans.plans.find((p: { name: string }) => p.name === 'Enterprise');
  const checkout = await post(
    `${stack.url}/functions/v1/create-checkout-session`,
    { plan_id: plan.id, billing_period: 'monthly' },
    user,
  );
  const done = await fetch(`${stack.emulatorUrl}/v1/test_helpers/checkout/sessions/${checkout.session_id}/complete`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${stack.config.stripe.secretKey}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'payment_method=pm_card_visa',
  });
  await done.arrayBuffer();
  return org.id;
}

/** `count` subscribed organisations, `parallel` sign-ups at a time; resolves once every subscription is active. */
export async function subscribedOrganisations(stack: LocalStack, count: number, parallel = 8): Promise<string[]> {
  const ids: string[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (started < count) {
        started++;
        ids.push(await subscribedOrganisation(stack));
      }
    }),
  );
  await stack.emulator!.waitForIdle();
  for (;;) {
    const [row] = await stack.sql.query<{ n: number }>(
      `select count(*)::int as n from billing_cycles where status = 'active'`,
    );
    if ((row?.n ?? 0) >= count) return ids;
    await new Promise((r) => setTimeout(r, 100));
  }
}
