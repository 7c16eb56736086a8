/**
 * `schedule.*`: on Supabase, pg_cron calls backend functions on a schedule (the migrations
 * 20261201000500_schedule_deliver_usage.sql, 20261201001000_schedule_deliver_alerts.sql,
 * 20261201001700_schedule_reconcile.sql), with the functions' URL and a backend key from Vault. One check per job.
 * Where pg_cron is not available at all (PGlite, plain PostgreSQL) there is nothing to schedule: a warning, since
 * the local stack runs the deliverers itself and a deployed project must not be on such a database.
 * The fix stores the missing Vault secrets (PUBLIC_FUNCTIONS_URL, the configured backend key) and (re)schedules
 * the job. The queries and the jobs' commands are src/repositories/doctor-probes.ts.
 */
import {
  arePgCronAndPgNetInstalled,
  createVaultSecret,
  hasActiveCronJob,
  isPgCronAvailable,
  isPgCronInstalled,
  missingVaultSecrets,
  SCHEDULED_FUNCTION_JOBS,
  type ScheduledFunctionJob,
  scheduleFunctionJob,
  VAULT_KEY,
  VAULT_URL,
} from '../../../repositories/doctor-probes.ts';
import { result, type Check } from '../types.ts';

interface ScheduleCheckSpec {
  id: string;
  job: ScheduledFunctionJob;
  /** The function's name in the lines, e.g. `deliver-usage`. */
  name: string;
  /** When the job runs, in words. */
  when: string;
  /** What stands in for the job where pg_cron does not exist. */
  withoutPgCron: string;
}

function scheduleCheck({ id, job, name, when, withoutPgCron }: ScheduleCheckSpec): Check {
  return {
    id,
    async run(ctx) {
      if (!(await isPgCronAvailable(ctx.sql))) {
        return result(
          'warning',
          `pg_cron not available (local database): ${withoutPgCron}`,
          `on Supabase, run migrate: it schedules ${name}`,
        );
      }
      if (!(await arePgCronAndPgNetInstalled(ctx.sql))) {
        return result(
          'problem',
          'pg_cron or pg_net not installed',
          `run npx aisyst-billing migrate (it installs both and schedules ${name})`,
        );
      }
      const scheduled = await hasActiveCronJob(ctx.sql, job.jobName);
      const missing = await missingVaultSecrets(ctx.sql);
      if (scheduled && missing.length === 0) return result('ok', `cron job ${job.jobName} calls ${name} ${when}`);
      const parts = [
        ...(scheduled ? [] : [`no active cron job ${job.jobName}`]),
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
      for (const secret of await missingVaultSecrets(ctx.sql)) {
        const value = values[secret];
        if (value) await createVaultSecret(ctx.sql, secret, value);
      }
      await scheduleFunctionJob(ctx.sql, job);
    },
  };
}

export const scheduleDeliverUsageCheck = scheduleCheck({
  id: 'schedule.deliver_usage',
  job: SCHEDULED_FUNCTION_JOBS.deliverUsage,
  name: 'deliver-usage',
  when: 'every minute',
  withoutPgCron: 'the local stack runs the deliverer itself',
});

export const scheduleDeliverAlertsCheck = scheduleCheck({
  id: 'schedule.deliver_alerts',
  job: SCHEDULED_FUNCTION_JOBS.deliverAlerts,
  name: 'deliver-alerts',
  when: 'every minute',
  withoutPgCron: 'the local stack runs its own alert deliverer',
});

export const scheduleReconcileCheck = scheduleCheck({
  id: 'schedule.reconcile',
  job: SCHEDULED_FUNCTION_JOBS.reconcile,
  name: 'reconcile',
  when: 'daily at 04:17 UTC',
  withoutPgCron: 'run aisyst-billing reconcile yourself',
});

/** In the order doctor runs them. */
export const SCHEDULE_CHECKS: readonly Check[] = [
  scheduleDeliverUsageCheck,
  scheduleDeliverAlertsCheck,
  scheduleReconcileCheck,
];
