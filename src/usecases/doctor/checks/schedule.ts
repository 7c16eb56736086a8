/**
 * `schedule.deliver_usage`: on Supabase, pg_cron calls `deliver-usage` every minute (migration
 * 20261201000500_schedule_deliver_usage.sql), with the functions' URL and a backend key from Vault. Where pg_cron
 * is not available at all (PGlite, plain PostgreSQL) there is nothing to schedule: a warning, since the local
 * stack runs the deliverer itself and a deployed project must not be on such a database.
 * The fix stores the missing Vault secrets (PUBLIC_FUNCTIONS_URL, the configured backend key) and (re)schedules
 * the job. The queries are src/repositories/doctor-probes.ts.
 */
import {
  arePgCronAndPgNetInstalled,
  createVaultSecret,
  hasActiveCronJob,
  isPgCronAvailable,
  isPgCronInstalled,
  missingVaultSecrets,
  scheduleDeliverUsageJob,
  VAULT_KEY,
  VAULT_URL,
} from '../../../repositories/doctor-probes.ts';
import { result, type Check } from '../types.ts';

export const JOB_NAME = 'aisyst-deliver-usage';

export const scheduleCheck: Check = {
  id: 'schedule.deliver_usage',
  async run(ctx) {
    if (!(await isPgCronAvailable(ctx.sql))) {
      return result(
        'warning',
        'pg_cron not available (local database): the local stack runs the deliverer itself',
        'on Supabase, run migrate: it schedules deliver-usage',
      );
    }
    if (!(await arePgCronAndPgNetInstalled(ctx.sql))) {
      return result(
        'problem',
        'pg_cron or pg_net not installed',
        'run npx aisyst-billing migrate (it installs both and schedules deliver-usage)',
      );
    }
    const job = await hasActiveCronJob(ctx.sql, JOB_NAME);
    const missing = await missingVaultSecrets(ctx.sql);
    if (job && missing.length === 0) return result('ok', `cron job ${JOB_NAME} calls deliver-usage every minute`);
    const parts = [
      ...(job ? [] : [`no active cron job ${JOB_NAME}`]),
      ...(missing.length ? [`Vault secret(s) ${missing.join(', ')} missing`] : []),
    ];
    return result('problem', parts.join('; '), 'run doctor --fix (needs PUBLIC_FUNCTIONS_URL and a backend key)');
  },
  async fix(ctx) {
    if (!(await isPgCronInstalled(ctx.sql))) return;
    const values: Record<string, string | undefined> = {
      [VAULT_URL]: ctx.config.publicFunctionsUrl,
      [VAULT_KEY]: ctx.config.auth.secretKeys[0] ?? (ctx.config.auth.serviceRoleKey || undefined),
    };
    for (const name of await missingVaultSecrets(ctx.sql)) {
      const value = values[name];
      if (value) await createVaultSecret(ctx.sql, name, value);
    }
    await scheduleDeliverUsageJob(ctx.sql, JOB_NAME);
  },
};
