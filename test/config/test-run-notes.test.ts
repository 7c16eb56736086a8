/**
 * What `npm test` tells a newcomer (issue 8 §15): without TEST_DATABASE_URL, one note at the end naming the
 * PostgreSQL suites it skipped and how to run them; a TEST_DATABASE_URL that cannot be used, one clear message
 * before any suite; a database it names that does not exist, created. CI=true still fails instead of skipping.
 * Each case runs vitest itself, with this repository's config, on one small file.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/adapters/db/postgres.ts';
import { describePostgresOnly } from '../support/database.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

function runVitest(
  file: string,
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; output: string }> {
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, CI: undefined, TEST_DATABASE_URL: undefined, ...env })) {
    // This test runs inside a vitest worker; the child must not believe it is one.
    if (value !== undefined && !key.startsWith('VITEST') && key !== 'NODE_OPTIONS') childEnv[key] = value;
  }
  const child = spawn(process.execPath, [VITEST, 'run', file], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('npm test for a newcomer', () => {
  it('without TEST_DATABASE_URL ends with one note: the PostgreSQL suites skipped, and how to run them', async () => {
    const { code, output } = await runVitest('test/stack/postgres-stack.test.ts', {});
    expect(code).toBe(0);
    expect(output.match(/Skipped \d+ PostgreSQL suite/g)).toEqual(['Skipped 1 PostgreSQL suite']);
    expect(output).toContain(
      'TEST_DATABASE_URL is not set. Run them with\n  TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm test',
    );
    expect(output).toContain('- test/stack/postgres-stack.test.ts: the local stack on PostgreSQL');
  }, 120_000);

  it('with CI=true still fails without PostgreSQL, and says nothing of skipping', async () => {
    const { code, output } = await runVitest('test/stack/postgres-stack.test.ts', { CI: 'true' });
    expect(code).toBe(1);
    expect(output).toContain('CI=true but TEST_DATABASE_URL is not set');
    expect(output).not.toContain('Skipped 1 PostgreSQL suite');
  }, 120_000);

  it('a TEST_DATABASE_URL nobody answers stops the run once, naming the variable', async () => {
    const port = await closedPort();
    const { code, output } = await runVitest('test/config/env-example.test.ts', {
      TEST_DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test`,
    });
    expect(code).toBe(1);
    expect(output).toContain(`TEST_DATABASE_URL: PostgreSQL at 127.0.0.1:${port}/test refused the connection`);
  }, 120_000);
});

describePostgresOnly('npm test with a TEST_DATABASE_URL whose database does not exist', () => {
  it('creates it through the postgres maintenance database and says so', async () => {
    const name = `aisyst_missing_${randomUUID().slice(0, 8)}`;
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    const maintenance = new URL(url);
    maintenance.pathname = '/postgres';
    try {
      const { code, output } = await runVitest('test/config/env-example.test.ts', {
        TEST_DATABASE_URL: url.toString(),
      });
      expect(output).toContain(
        `TEST_DATABASE_URL: database "${name}" did not exist; created it (through the "postgres" maintenance database).`,
      );
      expect(code).toBe(0);
    } finally {
      const admin = openPostgres(maintenance.toString(), { max: 1 });
      await admin.exec(`drop database if exists ${name} with (force)`);
      await admin.close();
    }
  }, 120_000);
});
