/**
 * `npm run deploy:functions [-- <name>…]`: builds the deployable tree (scripts/build-functions.ts) and runs
 * `supabase functions deploy --use-api --project-ref $SUPABASE_PROJECT_REF --workdir dist/deploy` on it — the
 * Docker-less deploy, from a tree whose functions import nothing outside it. Run it after `aisyst-billing doctor`.
 *
 * The Supabase CLI is not a dependency of this repository (its npm package downloads a platform binary when
 * installed): when it is neither in node_modules/.bin nor on PATH, this says so and how to get it, and exits 1.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join, relative, resolve } from 'node:path';
import { readEnv } from '../src/config/dotenv.ts';
import { buildFunctions, DEPLOY_DIR } from './build-functions.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** A project ref is the `<ref>` of https://<ref>.supabase.co: lower-case letters and digits. */
const PROJECT_REF = /^[a-z0-9]{8,40}$/;

/** The `supabase` executable: the project's own (npm i -D supabase), else the first on PATH. */
export function findSupabaseCli(path: string | undefined): string | undefined {
  const candidates = [
    join(ROOT, 'node_modules/.bin/supabase'),
    ...(path ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'supabase')),
  ];
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export async function deployFunctions(args: string[], processEnv: NodeJS.ProcessEnv): Promise<number> {
  const env = await readEnv(ROOT, processEnv);
  const ref = env.SUPABASE_PROJECT_REF?.trim();
  if (!ref || !PROJECT_REF.test(ref)) {
    console.error(
      `deploy:functions: ${ref ? 'SUPABASE_PROJECT_REF is not a project ref' : 'SUPABASE_PROJECT_REF is not set'}: set it to your project's reference, the <ref> of https://<ref>.supabase.co (Dashboard → Project Settings → General).`,
    );
    return 1;
  }
  const files = await buildFunctions();
  const tree = relative(ROOT, join(DEPLOY_DIR, 'supabase/functions'));
  console.log(`deploy:functions: built ${files.length} functions in ${tree}/ (no import leaves it)`);
  const cli = findSupabaseCli(processEnv.PATH);
  if (!cli) {
    console.error(
      `deploy:functions: the Supabase CLI is not installed, so nothing was deployed. Install it (npm i -D supabase, or brew install supabase/tap/supabase — supabase.com/docs/guides/local-development/cli/getting-started), log in (supabase login, or SUPABASE_ACCESS_TOKEN), and run npm run deploy:functions again. Without the CLI: paste ${tree}/<name>/index.ts into Dashboard → Edge Functions, "Verify JWT" off.`,
    );
    return 1;
  }
  const deployArgs = ['functions', 'deploy', ...args, '--use-api', '--project-ref', ref, '--workdir', DEPLOY_DIR];
  console.log(`deploy:functions: ${relative(ROOT, cli) || cli} ${deployArgs.join(' ')}`);
  const code = await new Promise<number>((done) => {
    const child = spawn(cli, deployArgs, { cwd: ROOT, stdio: 'inherit', env: processEnv });
    child.on('error', (err) => {
      console.error(`deploy:functions: could not run the Supabase CLI: ${err.message}`);
      done(1);
    });
    child.on('exit', (status) => done(status ?? 1));
  });
  if (code !== 0) console.error(`deploy:functions: the Supabase CLI failed (exit ${code}); see its output above.`);
  else
    console.log(
      'deploy:functions: deployed. Next: aisyst-billing smoke-test --functions-url https://<ref>.supabase.co/functions/v1',
    );
  return code;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  process.exitCode = await deployFunctions(process.argv.slice(2), process.env);
}
