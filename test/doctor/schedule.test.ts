/**
 * The `schedule.*` checks: one per pg_cron job the migrations schedule. Neither PGlite nor the test PostgreSQL has
 * pg_cron, so where it "exists" here it is a stand-in with pg_cron's and Vault's names, inside one transaction:
 * `cron.job` / `cron.schedule` (an existing job name updates that job, as pg_cron's does), `vault.decrypted_secrets`
 * / `vault.create_secret`, and catalog views listing pg_cron and pg_net, put ahead of pg_catalog on the search_path.
 * The jobs' commands are compared with the migrations' own text.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  SCHEDULED_FUNCTION_JOBS,
  scheduledJobCommand,
  type ScheduledFunctionJob,
} from '../../src/repositories/doctor-probes.ts';
import type { Sql } from '../../src/ports/sql.ts';
import { SCHEDULE_CHECKS } from '../../src/usecases/doctor/checks/schedule.ts';
import { runDoctor } from '../../src/usecases/doctor/runner.ts';
import type { CheckResult, DoctorContext } from '../../src/usecases/doctor/types.ts';
import { testConfig } from '../support/billing-fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';

const FUNCTIONS_URL = 'https://ref.supabase.co/functions/v1';
const BACKEND_KEY = 'sb_secret_doctor_test';

const doctorContext = (sql: Sql) => {
  const config = testConfig();
  return {
    config: { ...config, publicFunctionsUrl: FUNCTIONS_URL, auth: { ...config.auth, secretKeys: [BACKEND_KEY] } },
    sql,
    live: false,
    state: { secretsToSet: [], fixesRun: new Set() },
  } as unknown as DoctorContext;
};

const statuses = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r.status]));

const STAND_IN_PG_CRON = `
      create schema stand_in_catalog;
      create view stand_in_catalog.pg_available_extensions as
        select name from (values ('pg_cron'::name), ('pg_net'::name)) v(name)
        union all select name from pg_catalog.pg_available_extensions;
      create view stand_in_catalog.pg_extension as
        select extname from (values ('pg_cron'::name), ('pg_net'::name)) v(extname)
        union all select extname from pg_catalog.pg_extension;
      create schema cron;
      create table cron.job (jobid bigserial primary key, schedule text not null, command text not null,
        jobname text unique, active boolean not null default true);
      create function cron.schedule(job_name text, schedule text, command text) returns bigint language sql as $$
        insert into cron.job (jobname, schedule, command) values (job_name, schedule, command)
        on conflict (jobname) do update set schedule = excluded.schedule, command = excluded.command
        returning jobid $$;
      create schema vault;
      create table vault.secrets (name text primary key, secret text not null);
      create view vault.decrypted_secrets as select name, secret as decrypted_secret from vault.secrets;
      create function vault.create_secret(new_secret text, new_name text) returns text language sql as $$
        insert into vault.secrets (name, secret) values (new_name, new_secret) returning name $$;`;

/** Runs `work` with the stand-in pg_cron and Vault, in one transaction that is rolled back afterwards. */
async function withStandInPgCron(sql: Sql, work: (tx: Sql) => Promise<void>): Promise<void> {
  const rollback = new Error('roll the stand-in back');
  await sql
    .transaction(async (tx) => {
      await tx.exec(STAND_IN_PG_CRON);
      await tx.query(
        `select set_config('search_path', 'stand_in_catalog, pg_catalog, ' || current_setting('search_path'), true)`,
      );
      await work(tx);
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
}

const jobs = (tx: Sql) =>
  tx.query<{ jobid: string; jobname: string; schedule: string; command: string }>(
    'select jobid::text, jobname, schedule, command from cron.job order by jobname',
  );

const expectedJob = (job: ScheduledFunctionJob) => ({
  jobname: job.jobName,
  schedule: job.cron,
  command: scheduledJobCommand(job),
});

describeEachDatabase('doctor: the pg_cron schedules', (db) => {
  it('where pg_cron is not available, each job is a warning, and --fix leaves it so', async () => {
    const found = await runDoctor(doctorContext(db.sql), SCHEDULE_CHECKS, { fix: true });
    expect(found).toEqual([
      {
        id: 'schedule.deliver_usage',
        status: 'warning',
        detail: 'pg_cron not available (local database): the local stack runs the deliverer itself',
        hint: 'on Supabase, run migrate: it schedules deliver-usage',
      },
      {
        id: 'schedule.deliver_alerts',
        status: 'warning',
        detail: 'pg_cron not available (local database): the local stack runs its own alert deliverer',
        hint: 'on Supabase, run migrate: it schedules deliver-alerts',
      },
      {
        id: 'schedule.reconcile',
        status: 'warning',
        detail: 'pg_cron not available (local database): run aisyst-billing reconcile yourself',
        hint: 'on Supabase, run migrate: it schedules reconcile',
      },
    ]);
  });

  it('names each missing job; --fix stores the Vault secrets and schedules all three; a second --fix changes nothing', async () => {
    await withStandInPgCron(db.sql, async (tx) => {
      const first = await runDoctor(doctorContext(tx), SCHEDULE_CHECKS, { fix: false });
      expect(first.map((r) => [r.id, r.status, r.detail])).toEqual([
        [
          'schedule.deliver_usage',
          'problem',
          'no active cron job aisyst-deliver-usage; Vault secret(s) aisyst_functions_url, aisyst_service_key missing',
        ],
        [
          'schedule.deliver_alerts',
          'problem',
          'no active cron job aisyst-deliver-alerts; Vault secret(s) aisyst_functions_url, aisyst_service_key missing',
        ],
        [
          'schedule.reconcile',
          'problem',
          'no active cron job aisyst-reconcile; Vault secret(s) aisyst_functions_url, aisyst_service_key missing',
        ],
      ]);

      const fixed = await runDoctor(doctorContext(tx), SCHEDULE_CHECKS, { fix: true });
      expect(statuses(fixed)).toEqual({
        'schedule.deliver_usage': 'fixed',
        'schedule.deliver_alerts': 'fixed',
        'schedule.reconcile': 'fixed',
      });
      expect(fixed.map((r) => r.detail)).toEqual([
        'cron job aisyst-deliver-usage calls deliver-usage every minute',
        'cron job aisyst-deliver-alerts calls deliver-alerts every minute',
        'cron job aisyst-reconcile calls reconcile daily at 04:17 UTC',
      ]);
      const scheduled = await jobs(tx);
      expect(scheduled.map(({ jobid: _, ...job }) => job)).toEqual([
        expectedJob(SCHEDULED_FUNCTION_JOBS.deliverAlerts),
        expectedJob(SCHEDULED_FUNCTION_JOBS.deliverUsage),
        expectedJob(SCHEDULED_FUNCTION_JOBS.reconcile),
      ]);
      expect(await tx.query('select name, decrypted_secret from vault.decrypted_secrets order by name')).toEqual([
        { name: 'aisyst_functions_url', decrypted_secret: FUNCTIONS_URL },
        { name: 'aisyst_service_key', decrypted_secret: BACKEND_KEY },
      ]);

      // Nothing left to fix: all ok, and the same three jobs and two secrets.
      const again = await runDoctor(doctorContext(tx), SCHEDULE_CHECKS, { fix: true });
      expect(statuses(again)).toEqual({
        'schedule.deliver_usage': 'ok',
        'schedule.deliver_alerts': 'ok',
        'schedule.reconcile': 'ok',
      });
      expect(await jobs(tx)).toEqual(scheduled);
      expect(await tx.query('select count(*)::int as n from vault.secrets')).toEqual([{ n: 2 }]);
    });
  });

  it('a job missing alone is a problem of its own check only; --fix reschedules it, twice changing nothing', async () => {
    for (const [id, job] of [
      ['schedule.deliver_usage', SCHEDULED_FUNCTION_JOBS.deliverUsage],
      ['schedule.deliver_alerts', SCHEDULED_FUNCTION_JOBS.deliverAlerts],
      ['schedule.reconcile', SCHEDULED_FUNCTION_JOBS.reconcile],
    ] as const) {
      await withStandInPgCron(db.sql, async (tx) => {
        await runDoctor(doctorContext(tx), SCHEDULE_CHECKS, { fix: true });
        await tx.query('delete from cron.job where jobname = $1', [job.jobName]);

        const found = await runDoctor(doctorContext(tx), SCHEDULE_CHECKS, { fix: false });
        expect(found.filter((r) => r.status !== 'ok')).toEqual([
          {
            id,
            status: 'problem',
            detail: `no active cron job ${job.jobName}`,
            hint: 'run doctor --fix (needs PUBLIC_FUNCTIONS_URL and a backend key)',
          },
        ]);
        const fixed = await runDoctor(doctorContext(tx), SCHEDULE_CHECKS, { fix: true });
        expect(fixed.filter((r) => r.status !== 'ok').map((r) => [r.id, r.status])).toEqual([[id, 'fixed']]);
        const after = await jobs(tx);
        const twice = await runDoctor(doctorContext(tx), SCHEDULE_CHECKS, { fix: true });
        expect(twice.every((r) => r.status === 'ok')).toBe(true);
        expect(await jobs(tx)).toEqual(after);
        expect(after.find((j) => j.jobname === job.jobName)).toMatchObject(expectedJob(job));
      });
    }
  });

  it('says pg_cron or pg_net is not installed where it is available but not created', async () => {
    await withStandInPgCron(db.sql, async (tx) => {
      await tx.exec(`create or replace view stand_in_catalog.pg_extension as
        select extname from pg_catalog.pg_extension`);
      const found = await runDoctor(doctorContext(tx), SCHEDULE_CHECKS, { fix: false });
      expect(found.map((r) => [r.id, r.status, r.detail, r.hint])).toEqual(
        ['deliver-usage', 'deliver-alerts', 'reconcile'].map((name) => [
          `schedule.${name.replace('-', '_')}`,
          'problem',
          'pg_cron or pg_net not installed',
          `run npx aisyst-billing migrate (it installs both and schedules ${name})`,
        ]),
      );
    });
  });
});

describe('doctor: the scheduled jobs are the migrations’ jobs', () => {
  /** `cron.schedule('<name>', '<cron>', $job$<command>$job$)` as each migration calls it. */
  const scheduledByMigration = (file: string) => {
    const text = readFileSync(new URL(`../../supabase/migrations/${file}`, import.meta.url), 'utf8');
    const call = /cron\.schedule\('([^']+)', '([^']+)', \$job\$([\s\S]*?)\$job\$\)/.exec(text);
    if (!call) throw new Error(`${file} schedules no job`);
    return { jobname: call[1], schedule: call[2], command: call[3]!.replace(/\s+/g, ' ').trim() };
  };
  const inRepository = (job: ScheduledFunctionJob) => ({
    ...expectedJob(job),
    command: scheduledJobCommand(job).replace(/\s+/g, ' ').trim(),
  });

  it('has each migration’s job name, schedule and command (whitespace aside)', () => {
    expect(inRepository(SCHEDULED_FUNCTION_JOBS.deliverUsage)).toEqual(
      scheduledByMigration('20261201000500_schedule_deliver_usage.sql'),
    );
    expect(inRepository(SCHEDULED_FUNCTION_JOBS.deliverAlerts)).toEqual(
      scheduledByMigration('20261201001000_schedule_deliver_alerts.sql'),
    );
    expect(inRepository(SCHEDULED_FUNCTION_JOBS.reconcile)).toEqual(
      scheduledByMigration('20261201001700_schedule_reconcile.sql'),
    );
  });
});
