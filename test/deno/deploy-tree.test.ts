/**
 * The deployable tree `npm run build:functions` generates (dist/deploy/supabase/), offline: no import in it leaves
 * supabase/functions/ (the Supabase CLI does not find files outside when it bundles: scripts/build-functions.ts),
 * every entry resolves and checks under Deno with the tree's own deno.json, and serves requests from the tree alone.
 * And `npm run deploy:functions`: the CLI it runs and the arguments, or a clear refusal when it cannot.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions, DEPLOY_DIR } from '../../scripts/build-functions.ts';
import { FUNCTION_NAMES } from '../../src/http/routes/index.ts';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const DENO = `${ROOT}node_modules/.bin/deno`;
// A database nobody listens on and a Stripe key that is never used: these requests must not need either.
const env = {
  ...process.env,
  DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
  STRIPE_SECRET_KEY: 'sk_test_smoke',
  WEBSITE_URL: 'https://aisyst.example',
  NO_COLOR: '1',
};

/** Every module specifier a generated file imports: static, re-exported, side-effect only or dynamic. */
function specifiersOf(source: string): string[] {
  const patterns = [
    /\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  return patterns.flatMap((p) => [...source.matchAll(p)].map((m) => m[1]!));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the deployable tree (npm run build:functions)', () => {
  let deployDir: string;
  let functionsDir: string;
  beforeAll(async () => {
    // Inside the repository: Deno finds node_modules (the npm: packages, offline) by walking up from the tree.
    await mkdir(join(ROOT, 'test-artifacts'), { recursive: true });
    deployDir = await mkdtemp(join(ROOT, 'test-artifacts', 'deploy-'));
    functionsDir = join(deployDir, 'supabase/functions');
    await buildFunctions(deployDir);
  });
  afterAll(async () => {
    await rm(deployDir, { recursive: true, force: true });
  });

  it('holds one index.ts per function, the import map and the CLI config, and nothing else', () => {
    expect(readdirSync(functionsDir).sort()).toEqual([...FUNCTION_NAMES, 'deno.json'].sort());
    for (const name of FUNCTION_NAMES) expect(readdirSync(join(functionsDir, name)), name).toEqual(['index.ts']);
    expect(readFileSync(join(functionsDir, 'deno.json'), 'utf8')).toBe(
      readFileSync(join(ROOT, 'supabase/functions/deno.json'), 'utf8'),
    );
    const toml = readFileSync(join(deployDir, 'supabase/config.toml'), 'utf8');
    for (const name of FUNCTION_NAMES)
      expect(toml, name).toMatch(new RegExp(`\\[functions\\.${name}\\]\\s*\\nverify_jwt = false`));
  });

  it('has no import that leaves supabase/functions/: only npm: packages pinned as deno.json pins them', () => {
    const pinned = Object.values(
      (JSON.parse(readFileSync(join(functionsDir, 'deno.json'), 'utf8')) as { imports: Record<string, string> })
        .imports,
    );
    const leaving: string[] = [];
    for (const file of filesUnder(functionsDir).filter((f) => f.endsWith('.ts'))) {
      const specifiers = specifiersOf(readFileSync(file, 'utf8'));
      expect(specifiers.length, file).toBeGreaterThan(0);
      for (const s of specifiers) {
        if (s.startsWith('npm:')) {
          if (!pinned.some((p) => s === p || s.startsWith(`${p}/`))) leaving.push(`${file}: ${s} (not pinned)`);
        } else if (!s.startsWith('.') || relative(functionsDir, resolve(dirname(file), s)).startsWith('..'))
          leaving.push(`${relative(deployDir, file)}: ${s}`);
      }
    }
    expect(leaving).toEqual([]);
  });

  it('resolves and checks every entry under Deno with the tree’s own deno.json, offline', async () => {
    const entries = FUNCTION_NAMES.map((name) => join(functionsDir, name, 'index.ts'));
    const { stderr } = await run(
      DENO,
      ['check', '--config', join(functionsDir, 'deno.json'), '--no-remote', '--no-lock', ...entries],
      { cwd: ROOT, env },
    );
    expect(stderr).not.toMatch(/error/i);
  });

  it('serves every function from the tree alone: CORS preflight, unknown paths, wrong methods', async () => {
    const { stdout } = await run(
      DENO,
      [
        'run',
        '--config',
        join(functionsDir, 'deno.json'),
        '--no-remote',
        '--no-lock',
        '--allow-env',
        '--allow-read',
        '--allow-net=127.0.0.1',
        'test/deno/functions-smoke.deno.ts',
        ...FUNCTION_NAMES.map((name) => `${name}=${join(functionsDir, name, 'index.ts')}`),
      ],
      { cwd: ROOT, env },
    );
    const results = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, Record<string, unknown>>;
    for (const name of FUNCTION_NAMES)
      expect(results[name], name).toMatchObject({
        preflight: 204,
        unknown: 404,
        unknownError: 'not_found',
        wrongMethod: 405,
      });
  });
});

describe('npm run deploy:functions', () => {
  let binDir: string;
  beforeAll(async () => {
    binDir = await mkdtemp(join(tmpdir(), 'aisyst-fake-supabase-'));
  });
  afterAll(async () => {
    await rm(binDir, { recursive: true, force: true });
  });

  /** The script as npm runs it, with PATH = `path` only (plus /usr/bin:/bin for the fake CLI's shell). */
  async function deploy(vars: Record<string, string>, args: string[] = []) {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SUPABASE_')));
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        ['bin/run-ts.mjs', 'scripts/deploy-functions.ts', ...args],
        { cwd: ROOT, env: { ...clean, PATH: '/usr/bin:/bin', ...vars } },
      );
      return { code: 0, output: stdout + stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, output: e.stdout + e.stderr };
    }
  }

  it('refuses without a project ref, or with one that is not a ref', async () => {
    const none = await deploy({});
    expect(none.code).toBe(1);
    expect(none.output).toContain('SUPABASE_PROJECT_REF is not set');
    const bad = await deploy({ SUPABASE_PROJECT_REF: 'https://abc.supabase.co' });
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('SUPABASE_PROJECT_REF is not a project ref');
  });

  it('says the Supabase CLI is missing and exits 1, never claiming a deploy', async () => {
    const res = await deploy({ SUPABASE_PROJECT_REF: 'abcdefghijklmnopqrst' });
    expect(res.code).toBe(1);
    expect(res.output).toContain('the Supabase CLI is not installed, so nothing was deployed');
    expect(res.output).not.toMatch(/deploy:functions: deployed/);
  });

  it('runs `supabase functions deploy --use-api --project-ref <ref> --workdir dist/deploy` on the built tree, passing its exit code', async () => {
    const record = join(binDir, 'calls.txt');
    const fake = join(binDir, 'supabase');
    // The fake CLI records its arguments and what the tree it was pointed at holds at that moment.
    await writeFile(
      fake,
      `#!/bin/sh\necho "$@" >> ${record}\nfor a; do last=$a; done\nls "$last/supabase/functions" >> ${record}\nexit \${FAKE_EXIT:-0}\n`,
    );
    await chmod(fake, 0o755);
    const ok = await deploy({ SUPABASE_PROJECT_REF: 'abcdefghijklmnopqrst', PATH: `${binDir}:/usr/bin:/bin` }, [
      'report-usage',
    ]);
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toContain('deploy:functions: deployed');
    const [argsLine, ...listing] = (await readFile(record, 'utf8')).trim().split('\n');
    expect(argsLine).toBe(
      `functions deploy report-usage --use-api --project-ref abcdefghijklmnopqrst --workdir ${DEPLOY_DIR}`,
    );
    expect(listing.sort()).toEqual([...FUNCTION_NAMES, 'deno.json'].sort());

    const failed = await deploy({
      SUPABASE_PROJECT_REF: 'abcdefghijklmnopqrst',
      PATH: `${binDir}:/usr/bin:/bin`,
      FAKE_EXIT: '3',
    });
    expect(failed.code).toBe(3);
    expect(failed.output).toContain('the Supabase CLI failed (exit 3)');
    expect(failed.output).not.toMatch(/deploy:functions: deployed/);
  });
});
