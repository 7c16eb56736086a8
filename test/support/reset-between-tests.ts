/**
 * Puts a migrated test database back to the state a test started from, cheaply, or says it cannot. Restoring a
 * PGlite snapshot or cloning a PostgreSQL database costs about a second; emptying the tables a test wrote costs
 * milliseconds. Emptying is only the same as a fresh copy when nothing else changed, so a test that changed the
 * schema (any DDL: an event trigger notes it), the roles (PGlite), the session (role, settings) or the rows the
 * migrations left behind gets `false`, and the harness gives the next test a fresh copy instead.
 */
import type { Sql } from '../../src/ports/sql.ts';

const GUARD = 'aisyst_test_guard';

export interface Baseline {
  /** The tables empty in the migrated state: emptied again after each test. */
  emptyTables: string[];
  /** The tables the migrations wrote rows into (their rows are compared, never emptied). */
  filledTables: string[];
  /** Whether roles are part of the database (PGlite) rather than of a server other runs share (PostgreSQL). */
  roles: boolean;
  /** Everything else the check compares (those rows, the session, the roles). */
  state: string;
}

/**
 * Installs the DDL note (an event trigger: docs postgresql.org/docs/current/event-triggers.html) and reads the
 * state to come back to. Event triggers need a superuser: without one (PostgreSQL under a plain role), no note
 * is kept and only the rest is checked, as before this guard existed.
 */
export async function captureBaseline(sql: Sql, options: { roles: boolean }): Promise<Baseline> {
  await sql
    .exec(`
      create schema ${GUARD};
      create table ${GUARD}.schema_changes (tag text not null);
      create function ${GUARD}.note_schema_change() returns event_trigger language plpgsql security definer
        set search_path = pg_catalog as $$ begin insert into ${GUARD}.schema_changes values (tg_tag); end $$;
      create event trigger ${GUARD} on ddl_command_end execute function ${GUARD}.note_schema_change();`)
    .catch((error: { code?: string }) => {
      if (error.code !== '42501') throw error; // insufficient_privilege
    });
  const tables = await sql.query<{ name: string; filled: boolean }>(`
    select format('%I.%I', n.nspname, c.relname) as name, false as filled
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p') and not c.relispartition
       and n.nspname not in ('pg_catalog', 'information_schema', '${GUARD}') and n.nspname not like 'pg\\_%'
     order by 1`);
  const emptyTables: string[] = [];
  const filled: string[] = [];
  for (const { name } of tables) {
    const [row] = await sql.query<{ any: boolean }>(`select exists (select 1 from ${name}) as any`);
    (row!.any ? filled : emptyTables).push(name);
  }
  const partial = { emptyTables, filledTables: filled, roles: options.roles };
  return { ...partial, state: await readState(sql, partial) };
}

/** Empties what the test wrote; `false` when that is not enough to match the baseline (use a fresh copy). */
export async function resetToBaseline(sql: Sql, baseline: Baseline): Promise<boolean> {
  try {
    const written = baseline.emptyTables.map((t) => `select '${t}' as name where exists (select 1 from ${t})`);
    const dirty = written.length > 0 ? await sql.query<{ name: string }>(written.join(' union all ')) : [];
    if (dirty.length > 0)
      await sql.exec(`truncate table ${dirty.map((d) => d.name).join(', ')} restart identity cascade`);
    return (await readState(sql, baseline)) === baseline.state;
  } catch {
    return false; // e.g. the session's role may no longer read a table: the database is not as it was
  }
}

async function readState(sql: Sql, { filledTables, roles }: Omit<Baseline, 'state'>): Promise<string> {
  const session = `current_user, session_user,
      (select string_agg(name || '=' || setting, ',' order by name) from pg_settings where source = 'session')`;
  const parts = [
    session,
    ...(roles
      ? [
          `(select count(*) || ':' || max(xmin::text::bigint) from pg_authid)`,
          `(select count(*) || ':' || max(xmin::text::bigint) from pg_auth_members)`,
        ]
      : []),
    ...filledTables.map(
      (t) => `(select count(*) || ':' || md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from ${t} t)`,
    ),
  ];
  const [row] = await sql
    .query<{ state: string }>(`
    select concat_ws(' | ', (select count(*) from ${GUARD}.schema_changes), ${parts.join(', ')}) as state`)
    .catch((error: { code?: string }) => {
      if (error.code !== '42P01') throw error; // no guard table (no superuser): compare the rest
      return sql.query<{ state: string }>(`select concat_ws(' | ', ${parts.join(', ')}) as state`);
    });
  return row!.state;
}
