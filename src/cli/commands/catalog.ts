/**
 * `aisyst-billing catalog sync [--dry-run] [--live]`: makes the configured Stripe account (emulator via
 * STRIPE_API_BASE, test or live key) hold the plan catalog and writes the price ids into billing_plans.
 */
import type { Command } from '../command.ts';
import { configForStripeCommand } from '../stripe-command-config.ts';
import { ensureAuthStub } from '../../adapters/db/auth-stub.ts';
import { migrate } from '../../adapters/db/migrate.ts';
import { openDatabase } from '../../adapters/db/open-database.ts';
import { createStripeClient } from '../../adapters/stripe/client.ts';
import { silentLogger } from '../../ports/logger.ts';
import { seedPlans } from '../../usecases/seed-plans.ts';
import { formatCatalogRows, syncCatalog } from '../../usecases/sync-catalog.ts';

const HELP = `usage: aisyst-billing catalog sync [--dry-run] [--live]

Makes a Stripe account hold the AiSyst catalog: the billing meter voice_call_minutes, a product per plan with
monthly and yearly flat prices and a monthly metered (graduated) overage price, and the one-time setup fee.
Everything is found by lookup_key / metadata or created — a re-run creates nothing. A price whose amounts
differ is never edited (Stripe prices are immutable): a new one takes over its lookup key ("replaced").
The price ids are written into billing_plans of the configured database.

  --dry-run   show what would be created; change nothing
  --live      required when STRIPE_SECRET_KEY is a live key

Stripe: STRIPE_SECRET_KEY (sk_test_… / sk_live_…), or STRIPE_API_BASE (e.g. http://127.0.0.1:12111 for
\`aisyst-billing stripe-emulator\`). With neither set there is no Stripe to sync (the local stack syncs its
embedded emulator itself on start). Database: DATABASE_URL or PGLITE_DIR (must not be in use by npm start).`;

export const command: Command = {
  name: 'catalog',
  summary: 'catalog sync [--dry-run] [--live]: make a Stripe account hold the plans',
  help: HELP,
  async run(args, processEnv, terminal) {
    const [sub, ...flags] = args;
    const unknown = flags.filter((f) => f !== '--dry-run' && f !== '--live');
    if (sub !== 'sync' || unknown.length > 0) {
      terminal.err(
        `aisyst-billing catalog: ${sub !== 'sync' ? `unknown subcommand '${sub ?? ''}'` : `unknown option '${unknown[0]}'`}\n\n${HELP}`,
      );
      return 2;
    }
    const dryRun = flags.includes('--dry-run');
    const config = await configForStripeCommand('catalog sync', processEnv, terminal, {
      live: flags.includes('--live'),
      whatLiveChanges: 'catalog sync changes real products and prices',
    });
    if (typeof config === 'number') return config;
    const stripe = createStripeClient(config);
    const sql = await openDatabase(config.database);
    try {
      await ensureAuthStub(sql);
      await migrate(sql, { logger: silentLogger });
      await seedPlans(sql);
      const result = await syncCatalog(
        { stripe, mode: config.stripe.mode, sql },
        { dryRun, allowLive: flags.includes('--live') },
      );
      terminal.out(
        `Stripe ${config.stripe.mode}${config.stripe.apiBase ? ` at ${config.stripe.apiBase.origin}` : ''}${dryRun ? ' — dry run, nothing changed' : ''}\n`,
      );
      terminal.out(formatCatalogRows(result.rows));
      if (result.setupFeePriceId)
        terminal.out(`\nsetup fee price: ${result.setupFeePriceId} (STRIPE_SETUP_FEE_PRICE_ID)`);
      if (!dryRun) terminal.out('price ids written to billing_plans.');
      return 0;
    } catch (err) {
      terminal.err(`aisyst-billing catalog sync: failed: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    } finally {
      await sql.close();
    }
  },
};
