/**
 * The Python client's own pytest suite (clients/python/tests/, against a real local stack), run as one file of the
 * vitest run so that it overlaps with the other files instead of following them (most of its 20 s is spent waiting:
 * on retries' backoff and on the stack it starts). `npm run test:python` still runs it on its own.
 *
 * Without httpx and pytest for the chosen Python ($AISYST_PYTHON, else python3) it is skipped with the command that
 * installs them; with CI=true that is a failure instead (docs/conventions.md#tests).
 */
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PYTHON = process.env.AISYST_PYTHON || 'python3';
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const INSTALL = "pip install -e './clients/python[test]' (or apt-get install python3-httpx python3-pytest)";

const ready = spawnSync(PYTHON, ['-c', 'import httpx, pytest'], { stdio: 'ignore' }).status === 0;

(ready || IN_CI ? describe : describe.skip)(`the Python client's pytest suite (${PYTHON})`, () => {
  it('passes against the real local stack', async () => {
    expect(ready, `httpx and pytest are missing for ${PYTHON}: ${INSTALL}`).toBe(true);
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        'sh',
        ['clients/python/scripts/run-tests.sh'],
        { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code: exitCode, output: stdout + stderr });
        },
      );
    });
    // pytest's own report is the message when it fails.
    expect(code, output).toBe(0);
    expect(output).toMatch(/\d+ passed/);
    expect(output).not.toMatch(/\d+ (failed|errors?)\b/);
    if (IN_CI) expect(output).not.toMatch(/skipped/); // nothing is skipped in CI, in pytest either
  }, 300_000);
});
