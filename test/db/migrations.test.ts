import { expect, it } from 'vitest';
import { applyAuthStub, ensureAuthStub } from '../../src/adapters/db/auth-stub.ts';
import { listMigrations, migrate } from '../../src/adapters/db/migrate.ts';
import { memoryLogger } from '../../src/ports/logger.ts';
import { describeEachDatabase } from '../support/database.ts';

const ALL = listMigrations().map((m) => `${m.version}_${m.name}`);

describeEachDatabase('migrations', (db) => {
  it('apply to an empty database, then find nothing left to do on the second run', async () => {
    const sql = await db.openEmpty();
    expect(await ensureAuthStub(sql)).toBe(true);

    const logger = memoryLogger();
    const first = await migrate(sql, { logger });
    expect(first).toEqual({ applied: ALL, alreadyApplied: [] });
    expect(logger.lines.filter((l) => l.includes('migration applied'))).toHaveLength(ALL.length);

    const second = await migrate(sql);
    expect(second).toEqual({ applied: [], alreadyApplied: ALL });
  });

  it('are recorded like the Supabase CLI records them (version, name, statements)', async () => {
    const rows = await db.sql.query<{ version: string; name: string; statements: string[] }>(
      'select version, name, statements from supabase_migrations.schema_migrations order by version',
    );
    expect(rows.map((r) => `${r.version}_${r.name}`)).toEqual(ALL);
    expect(rows[0]!.statements[0]).toContain('create table if not exists public.billing_plans');
  });

  it('leave the auth stub alone where an auth schema exists, and the stub itself is idempotent', async () => {
    expect(await ensureAuthStub(db.sql)).toBe(false);
    await applyAuthStub(db.sql);
    const roles = await db.sql.query<{ rolname: string; rolbypassrls: boolean }>(
      `select rolname, rolbypassrls from pg_roles where rolname in ('anon', 'authenticated', 'service_role') order by rolname`,
    );
    expect(roles).toEqual([
      { rolname: 'anon', rolbypassrls: false },
      { rolname: 'authenticated', rolbypassrls: false },
      { rolname: 'service_role', rolbypassrls: true },
    ]);
  });

  it('roll a failing migration back completely and record nothing', async () => {
    const sql = await db.openEmpty();
    await ensureAuthStub(sql);
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'aisyst-migrations-'));
    writeFileSync(join(dir, '20990101000000_half_done.sql'), 'create table public.half_done (id int);\nselect 1 / 0;');
    await expect(migrate(sql, { migrationsDir: dir })).rejects.toThrow(/division by zero/);
    expect(await sql.query(`select 1 from pg_tables where tablename = 'half_done'`)).toEqual([]);
    expect(await sql.query(`select 1 from supabase_migrations.schema_migrations`)).toEqual([]);
  });

  it('create every table with row level security enabled', async () => {
    const rows = await db.sql.query<{ relname: string; relrowsecurity: boolean }>(
      `select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r' order by c.relname`,
    );
    expect(rows).toEqual(
      [
        'billing_cycles',
        'billing_plans',
        'checkout_sessions',
        'duplicate_subscription_refunds',
        'operator_actions',
        'organisations',
        'reconciliation_runs',
        'stripe_events',
        'subscriptions',
        'usage_alerts',
        'usage_records',
        'voice_agent_links',
        'voice_events',
      ].map((relname) => ({ relname, relrowsecurity: true })),
    );
  });
});
