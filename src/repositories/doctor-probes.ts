/**
 * What `aisyst-billing doctor` reads from (and, for `--fix`, writes to) the database besides the billing tables:
 * applied migrations, row level security, the meter backlog, the newest processed Stripe event, and the pg_cron
 * jobs with their Vault secrets that call backend functions on Supabase (SCHEDULED_FUNCTION_JOBS below).
 * Each probe is one query; the checks in src/usecases/doctor/checks/ decide what the answers mean.
 */
import type { Sql } from '../ports/sql.ts';

const exists = async (sql: Sql, query: string, params: unknown[] = []) => (await sql.query(query, params)).length > 0;

/** Versions recorded in `supabase_migrations.schema_migrations`; none when the table does not exist yet. */
export async function listAppliedMigrationVersions(sql: Sql): Promise<string[]> {
  const table = await exists(
    sql,
    `select 1 from information_schema.tables where table_schema = 'supabase_migrations' and table_name = 'schema_migrations'`,
  );
  if (!table) return [];
  return (await sql.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).map(
    (r) => r.version,
  );
}

/** Every table of schema public with whether row level security is on, by name. */
export async function listPublicTableSecurity(sql: Sql): Promise<{ relname: string; relrowsecurity: boolean }[]> {
  return sql.query<{ relname: string; relrowsecurity: boolean }>(
    `select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' order by c.relname`,
  );
}

/**
 * Calls the meter never got: pending since before `now − minutes`, failed for good, and the oldest pending call's
 * last error.
 */
export async function readUsageBacklog(
  sql: Sql,
  now: Date,
  minutes: number,
): Promise<{ stale: number; failed: number; lastError: string | null }> {
  const [row] = await sql.query<{ stale: string | number; failed: string | number; last_error: string | null }>(
    `select count(*) filter (where stripe_status = 'pending' and created_at < $1::timestamptz - make_interval(mins => $2)) as stale,
            count(*) filter (where stripe_status = 'failed') as failed,
            (select stripe_last_error from usage_records where stripe_status = 'pending' and stripe_last_error is not null
              order by created_at limit 1) as last_error
       from usage_records`,
    [now.toISOString(), minutes],
  );
  return { stale: Number(row?.stale ?? 0), failed: Number(row?.failed ?? 0), lastError: row?.last_error ?? null };
}

/** When (Unix seconds) the newest Stripe event we processed was created; undefined before the first. */
export async function newestProcessedStripeEventSeconds(sql: Sql): Promise<number | undefined> {
  const [row] = await sql.query<{ newest: number | string | null }>(
    `select extract(epoch from max(created))::bigint as newest from stripe_events where processed_at is not null`,
  );
  return row?.newest == null ? undefined : Number(row.newest);
}

/** The Vault secrets every scheduled job reads: the functions' base URL and a backend key. */
export const VAULT_URL = 'aisyst_functions_url';
export const VAULT_KEY = 'aisyst_service_key';

/** A pg_cron job that POSTs an empty body to one backend function, as a migration schedules it. */
export interface ScheduledFunctionJob {
  /** `cron.job.jobname`. */
  readonly jobName: string;
  /** Appended to the functions' base URL from Vault. */
  readonly functionPath: string;
  /** pg_cron's schedule, a cron expression (UTC). */
  readonly cron: string;
}

/** The jobs the migrations schedule, each with the migration's job name, path and schedule. */
export const SCHEDULED_FUNCTION_JOBS = {
  /** 20261201000500_schedule_deliver_usage.sql */
  deliverUsage: { jobName: 'aisyst-deliver-usage', functionPath: '/deliver-usage', cron: '* * * * *' },
  /** 20261201001000_schedule_deliver_alerts.sql */
  deliverAlerts: { jobName: 'aisyst-deliver-alerts', functionPath: '/deliver-alerts', cron: '* * * * *' },
  /** 20261201001700_schedule_reconcile.sql */
  reconcile: { jobName: 'aisyst-reconcile', functionPath: '/reconcile', cron: '17 4 * * *' },
} as const satisfies Record<string, ScheduledFunctionJob>;

/** The command a job runs: the migrations' command (whitespace aside), reading URL and key from Vault when it runs. */
export const scheduledJobCommand = (job: ScheduledFunctionJob): string => `select net.http_post(
  url := (select decrypted_secret from vault.decrypted_secrets where name = '${VAULT_URL}') || '${job.functionPath}',
  headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization',
    'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = '${VAULT_KEY}')),
  body := '{}'::jsonb)`;

/** Whether pg_cron can be installed at all (on Supabase; not on PGlite or plain PostgreSQL). */
export const isPgCronAvailable = (sql: Sql) =>
  exists(sql, `select 1 from pg_available_extensions where name = 'pg_cron'`);

export const isPgCronInstalled = (sql: Sql) => exists(sql, `select 1 from pg_extension where extname = 'pg_cron'`);

export const arePgCronAndPgNetInstalled = (sql: Sql) =>
  exists(sql, `select 1 from pg_extension where extname in ('pg_cron', 'pg_net') having count(*) = 2`);

export const hasActiveCronJob = (sql: Sql, jobName: string) =>
  exists(sql, `select 1 from cron.job where jobname = $1 and active`, [jobName]);

/** Which of the job's Vault secrets are missing (both, where Vault itself is missing). */
export async function missingVaultSecrets(sql: Sql): Promise<string[]> {
  const vault = await exists(
    sql,
    `select 1 from information_schema.views where table_schema = 'vault' and table_name = 'decrypted_secrets'`,
  );
  if (!vault) return [VAULT_URL, VAULT_KEY];
  const rows = await sql.query<{ name: string }>(`select name from vault.decrypted_secrets where name in ($1, $2)`, [
    VAULT_URL,
    VAULT_KEY,
  ]);
  return [VAULT_URL, VAULT_KEY].filter((n) => !rows.some((r) => r.name === n));
}

export async function createVaultSecret(sql: Sql, name: string, value: string): Promise<void> {
  await sql.query(`select vault.create_secret($1, $2)`, [value, name]);
}

/**
 * (Re)schedules a job; `cron.schedule` with an existing job name updates that job
 * (github.com/citusdata/pg_cron#usage), so a repeat changes nothing.
 */
export async function scheduleFunctionJob(sql: Sql, job: ScheduledFunctionJob): Promise<void> {
  await sql.query(`select cron.schedule($1, $2, $3)`, [job.jobName, job.cron, scheduledJobCommand(job)]);
}
