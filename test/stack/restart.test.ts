/**
 * Stopping and starting the stack on the same data directory keeps everything: users and their sessions, the
 * Stripe emulator's objects, the webhook secret — and the start-up steps find what they made before instead of
 * making it twice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestStack } from '../support/stack.ts';

describe('restarting the local stack on the same data directory', () => {
  let dir: string;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps users, organisations, Stripe objects and the webhook secret, and duplicates nothing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisyst-restart-'));
    const first = await startTestStack({ dir });
    const user = await first.signUp('restart@example.com', 'a restart password');
    const org = await first.createOrganisation(user.accessToken, 'Survivor Ltd');
    const products = (await first.stripe.products.list({ limit: 100 })).data.map((p) => p.id).sort();
    const secret = first.config.stripe.webhookSecret;
    const prices = await first.sql.query(
      'select code, stripe_price_id, stripe_yearly_price_id, stripe_metered_price_id from billing_plans order by code',
    );
    await first.close();

    const second = await startTestStack({ dir });
    try {
      expect(second.config.stripe.webhookSecret).toBe(secret);
      expect((await second.stripe.products.list({ limit: 100 })).data.map((p) => p.id).sort()).toEqual(products);
      expect(
        await second.sql.query(
          'select code, stripe_price_id, stripe_yearly_price_id, stripe_metered_price_id from billing_plans order by code',
        ),
      ).toEqual(prices);
      const signIn = await second.call('/auth/v1/token?grant_type=password', {
        body: { email: 'restart@example.com', password: 'a restart password' },
        headers: { apikey: second.anonKey },
      });
      expect(signIn.status).toBe(200);
      const summary = await second.call(`billing-summary?org_id=${org.id}`, { token: signIn.json.access_token });
      expect(summary.json.organisation).toEqual({ id: org.id, name: 'Survivor Ltd' });
      // The random port changed, so the old endpoint was replaced, not kept beside the new one.
      const urls = (await second.stripe.webhookEndpoints.list({ limit: 100 })).data.map((e) => e.url);
      expect(urls).toEqual([`${second.url}/functions/v1/stripe-webhook-handler`]);
    } finally {
      await second.close();
    }
  });
});
