/**
 * `aisyst-billing voice-agents` and `voice-events replay` as an operator runs them (PGlite + the emulator): a call
 * kept unattributed is billed by replay once its agent is linked; a second replay does nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openPglite } from '../../src/adapters/db/pglite.ts';
import { markVoiceEvent, storeVoiceEvent } from '../../src/repositories/voice-events.ts';
import { startStripeEmulator } from '@aisyst/stripe-emulator';
import { createUserAndOrganisation } from '../support/database.ts';
import { restoreMigratedPgliteDir } from '../support/pglite-snapshots.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const exec = promisify(execFile);

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['bin/aisyst-billing.mjs', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('aisyst-billing voice-agents / voice-events', () => {
  it('are listed in the overview and explain themselves; bad options are usage errors (exit 2)', async () => {
    const [overview, help, badPlatform, badOrg, badSince] = await Promise.all([
      cli(['--help']),
      cli(['voice-agents', '--help']),
      cli(['voice-agents', 'link', '--platform', 'vapi', '--external-id', 'a', '--org', 'x']),
      cli(['voice-agents', 'link', '--platform', 'elevenlabs', '--external-id', 'a', '--org', 'not-a-uuid']),
      cli(['voice-events', 'replay', '--since', 'tomorrow']),
    ]);
    expect(overview.out).toMatch(
      /voice-agents\s+voice-agents link\|unlink\|list[\s\S]*voice-events\s+voice-events replay/,
    );
    expect(help.out).toContain('--external-id');
    expect(badPlatform.code).toBe(2);
    expect(badOrg.code).toBe(2);
    expect(badSince.code).toBe(2);
  });

  it('link → list → replay bills the unattributed call → unlink', async () => {
    const emulator = await startStripeEmulator({ port: 0 });
    const dir = await mkdtemp(join(tmpdir(), 'aisyst-voice-cli-'));
    try {
      const env = { STRIPE_API_BASE: emulator.url, PGLITE_DIR: join(dir, 'pglite') };
      await restoreMigratedPgliteDir(env.PGLITE_DIR); // as `migrate` leaves it
      const sql = await openPglite({ dataDir: env.PGLITE_DIR });
      let orgId: string;
      try {
        ({ orgId } = await createUserAndOrganisation(sql));
        const { stored } = await storeVoiceEvent(sql, {
          platform: 'elevenlabs',
          eventId: 'conv_cli:post_call_transcription',
          eventType: 'post_call_transcription',
          call: {
            callId: 'elevenlabs:conv_cli',
            durationSeconds: 61,
            endedAt: new Date(Date.now() - 60_000),
            metadataOrgId: undefined,
            externalId: 'agent_cli',
          },
        });
        await markVoiceEvent(sql, stored, {
          status: 'unattributed',
          reason: 'no link for elevenlabs agent_id agent_cli',
          orgId: null,
        });
      } finally {
        await sql.close();
      }
      const before = await cli(['voice-events', 'replay'], env);
      expect(before.code).toBe(1);
      expect(before.out).toMatch(/unattributed\s+elevenlabs:conv_cli/);

      expect(
        (
          await cli(
            ['voice-agents', 'link', '--platform', 'elevenlabs', '--external-id', 'agent_cli', '--org', orgId],
            env,
          )
        ).code,
      ).toBe(0);
      expect((await cli(['voice-agents', 'list', '--platform', 'elevenlabs'], env)).out).toMatch(
        new RegExp(`elevenlabs\\s+agent_cli\\s+${orgId}`),
      );
      const replay = await cli(['voice-events', 'replay', '--since', '1d'], env);
      expect(replay.code).toBe(0);
      // No subscription: recorded unbilled, as report-usage would.
      expect(replay.out).toMatch(/unbilled\s+elevenlabs:conv_cli/);
      expect((await cli(['voice-events', 'replay'], env)).out).toContain('no voice events to replay');

      expect(
        (await cli(['voice-agents', 'unlink', '--platform', 'elevenlabs', '--external-id', 'agent_cli'], env)).code,
      ).toBe(0);
      expect((await cli(['voice-agents', 'list'], env)).out).toContain('no links');
    } finally {
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
