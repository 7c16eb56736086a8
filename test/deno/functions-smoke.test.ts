/**
 * The Supabase Edge Function entries on Deno (installed from npm as `deno`), offline: npm: imports resolve from
 * node_modules ("nodeModulesDir": "manual" in supabase/functions/deno.json), --no-remote forbids any URL import.
 * Each entry type-checks, loads, and answers requests that touch neither the database nor Stripe.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isBrowserFacing } from '../../src/http/cors.ts';
import { FUNCTION_NAMES, allRoutes } from '../../src/http/routes/index.ts';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const DENO = `${ROOT}node_modules/.bin/deno`;
const FLAGS = ['--config', 'supabase/functions/deno.json', '--no-remote', '--no-lock'];
const entries = FUNCTION_NAMES.map((name) => `supabase/functions/${name}/index.ts`);
// A database nobody listens on and a Stripe key that is never used: these requests must not need either.
const env = {
  ...process.env,
  DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
  STRIPE_SECRET_KEY: 'sk_test_smoke',
  WEBSITE_URL: 'https://aisyst.example',
  NO_COLOR: '1',
};

describe('Supabase Edge Functions on Deno', () => {
  it('has an entry for every function of the app, and nothing else', () => {
    const dirs = readdirSync(`${ROOT}supabase/functions`, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
      .map((d) => d.name);
    expect(dirs.sort()).toEqual([...FUNCTION_NAMES].sort());
  });

  it('turns the gateway’s JWT check off for every function in supabase/config.toml (they verify callers in code)', () => {
    const toml = readFileSync(`${ROOT}supabase/config.toml`, 'utf8');
    for (const name of FUNCTION_NAMES)
      expect(toml, name).toMatch(new RegExp(`\\[functions\\.${name}\\]\\s*\\nverify_jwt = false`));
  });

  it('pins the same package versions as package-lock.json, as npm: imports only', () => {
    const lock = JSON.parse(readFileSync(`${ROOT}package-lock.json`, 'utf8')) as {
      packages: Record<string, { version: string }>;
    };
    const denoJson = JSON.parse(readFileSync(`${ROOT}supabase/functions/deno.json`, 'utf8')) as {
      imports: Record<string, string>;
    };
    for (const [pkg, specifier] of Object.entries(denoJson.imports)) {
      expect(specifier).toBe(`npm:${pkg}@${lock.packages[`node_modules/${pkg}`]!.version}`);
    }
  });

  it('type-checks every entry with deno check', async () => {
    const { stderr } = await run(DENO, ['check', ...FLAGS, ...entries], { cwd: ROOT, env });
    expect(stderr).not.toMatch(/error/i);
  });

  it('loads every entry and answers the CORS preflight, unknown paths and wrong methods', async () => {
    const results = await smoke(FUNCTION_NAMES.map((name) => `${name}=../../supabase/functions/${name}/index.ts`));
    for (const name of FUNCTION_NAMES) {
      expect(results[name], name).toMatchObject({
        preflight: 204,
        unknown: 404,
        unknownError: 'not_found',
        wrongMethod: 405,
      });
      // Backend-only functions (a backend key or Stripe's signature) send no CORS headers (src/http/cors.ts).
      if (isBrowserFacing(allRoutes().find((r) => r.name === name)))
        expect(results[name]!.cors, name).toContain('apikey');
      else expect(results[name]!.cors, name).toBe('');
    }
  });

  it('answers a bare 500 when deployed without its secrets, logging which variables (never values)', async () => {
    const { STRIPE_SECRET_KEY: _key, WEBSITE_URL: _site, ...partial } = env;
    const { stdout } = await run(
      DENO,
      [
        'run',
        ...FLAGS,
        '--allow-env',
        '--allow-read',
        '--allow-net=127.0.0.1',
        'test/deno/functions-smoke.deno.ts',
        'plans=../../supabase/functions/plans/index.ts',
      ],
      { cwd: ROOT, env: partial },
    );
    const lines = stdout.trim().split('\n');
    expect(JSON.parse(lines.at(-1)!).plans).toMatchObject({ preflight: 500, unknown: 500, unknownError: 'internal' });
    expect(stdout).toMatch(/configuration invalid.*STRIPE_SECRET_KEY.*WEBSITE_URL/);
  });
});

/** Runs test/deno/functions-smoke.deno.ts on `name=module` pairs; returns what each function answered. */
async function smoke(
  args: string[],
  withEnv: NodeJS.ProcessEnv = env,
): Promise<Record<string, Record<string, unknown>>> {
  const { stdout } = await run(
    DENO,
    [
      'run',
      ...FLAGS,
      '--allow-env',
      '--allow-read',
      '--allow-net=127.0.0.1',
      'test/deno/functions-smoke.deno.ts',
      ...args,
    ],
    { cwd: ROOT, env: withEnv },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, Record<string, unknown>>;
}
