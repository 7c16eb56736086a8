/**
 * `schedule.deliver_usage`: on Supabase, pg_cron calls `deliver-usage` every minute (migration
 * 20261201000500_schedule_deliver_usage.sql), with the functions' URL and a backend key from Vault. Where pg_cron
 * is not available at all (PGlite, plain PostgreSQL) there is nothing to schedule: a warning, since the local
 * stack runs the deliverer itself and a deployed project must not be on such a database.
 * The fix stores the missing Vault secrets (PUBLIC_FUNCTIONS_URL, the configured backend key) and (re)schedules
 * the job; `cron.schedule` with an existing job name updates that job (github.com/citusdata/pg_cron#usage).
 */
import { result, type Check, type DoctorContext } from '../types.ts';

export const JOB_NAME = 'aisyst-deliver-usage';
const VAULT_URL = 'aisyst_functions_url';
const VAULT_KEY = 'aisyst_service_key';
/** The same job as the migration's. */
const JOB_COMMAND = `select net.http_post(
  url := (select decrypted_secret from vault.decrypted_secrets where name = '${VAULT_URL}') || '/deliver-usage',
  headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization',
    'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = '${VAULT_KEY}')),
  body := '{}'::jsonb)`;

const exists = async (ctx: DoctorContext, query: string, params: unknown[] = []) =>
  (await ctx.sql.query(query, params)).length > 0;

async function missingVaultSecrets(ctx: DoctorContext): Promise<string[]> {
  if (
    !(await exists(
      ctx,
      `select 1 from information_schema.views where table_schema = 'vault' and table_name = 'decrypted_secrets'`,
    ))
  )
    return [VAULT_URL, VAULT_KEY];
  const rows = await ctx.sql.query<{ name: string }>(
    `select name from vault.decrypted_secrets where name in ($1, $2)`,
    [VAULT_URL, VAULT_KEY],
  );
  return [VAULT_URL, VAULT_KEY].filter((n) => !rows.some((r) => r.name === n));
}

export const scheduleCheck: Check = {
  id: 'schedule.deliver_usage',
  async run(ctx) {
    if (!(await exists(ctx, `select 1 from pg_available_extensions where name = 'pg_cron'`))) {
      return result(
        'warning',
        'pg_cron not available (local database): the local stack runs the deliverer itself',
        'on Supabase, run migrate: it schedules deliver-usage',
      );
    }
    if (!(await exists(ctx, `select 1 from pg_extension where extname in ('pg_cron', 'pg_net') having count(*) = 2`))) {
      return result(
        'problem',
        'pg_cron or pg_net not installed',
        'run npx aisyst-billing migrate (it installs both and schedules deliver-usage)',
      );
    }
    const job = await exists(ctx, `select 1 from cron.job where jobname = $1 and active`, [JOB_NAME]);
    const missing = await missingVaultSecrets(ctx);
    if (job && missing.length === 0) return result('ok', `cron job ${JOB_NAME} calls deliver-usage every minute`);
    const parts = [
      ...(job ? [] : [`no active cron job ${JOB_NAME}`]),
      ...(missing.length ? [`Vault secret(s) ${missing.join(', ')} missing`] : []),
    ];
    return result('problem', parts.join('; '), 'run doctor --fix (needs PUBLIC_FUNCTIONS_URL and a backend key)');
  },
  async fix(ctx) {
    if (!(await exists(ctx, `select 1 from pg_extension where extname = 'pg_cron'`))) return;
    const values: Record<string, string | undefined> = {
      [VAULT_URL]: ctx.config.publicFunctionsUrl,
      [VAULT_KEY]: ctx.config.auth.secretKeys[0] ?? (ctx.config.auth.serviceRoleKey || undefined),
    };
    for (const name of await missingVaultSecrets(ctx)) {
      if (values[name]) await ctx.sql.query(`select vault.create_secret($1, $2)`, [values[name], name]);
    }
    await ctx.sql.query(`select cron.schedule($1, '* * * * *', $2)`, [JOB_NAME, JOB_COMMAND]);
  },
};
