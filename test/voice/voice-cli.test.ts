/**
 * `aisyst-billing voice-agents` and `voice-events replay` as an operator runs them (PGlite + the emulator): a call
 * kept unattributed is billed by replay once its agent is linked; a second replay does nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPglite } from '../../src/adapters/db/pglite.ts';
import { markVoiceEvent, storeVoiceEvent } from '../../src/repositories/voice-events.ts';
import { startStripeEmulator } from '@aisyst/stripe-emulator';
import { createUserAndOrganisation } from '../support/database.ts';
import { restoreMigratedPgliteDir } from '../support/pglite-snapshots.ts';
import { runCli, runCliInProcess } from '../stack/cli-process.ts';

describe('aisyst-billing voice-agents / voice-events', () => {
  it('are listed in the overview and explain themselves; bad options are usage errors (exit 2)', async () => {
    const [overview, help, badPlatform, badOrg, badSince] = await Promise.all([
      runCli(['--help']),
      runCli(['voice-agents', '--help']),
      runCli(['voice-agents', 'link', '--platform', 'vapi', '--external-id', 'a', '--org', 'x']),
      runCli(['voice-agents', 'link', '--platform', 'elevenlabs', '--external-id', 'a', '--org', 'not-a-uuid']),
      runCli(['voice-events', 'replay', '--since', 'tomorrow']),
    ]);
    expect(overview.output).toMatch(
      /voice-agents\s+voice-agents link\|unlink\|list[\s\S]*voice-events\s+voice-events replay/,
    );
    expect(help.output).toContain('--external-id');
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
      const before = await runCliInProcess(['voice-events', 'replay'], env);
      expect(before.code).toBe(1);
      expect(before.output).toMatch(/unattributed\s+elevenlabs:conv_cli/);

      expect(
        (
          await runCliInProcess(
            ['voice-agents', 'link', '--platform', 'elevenlabs', '--external-id', 'agent_cli', '--org', orgId],
            env,
          )
        ).code,
      ).toBe(0);
      expect((await runCliInProcess(['voice-agents', 'list', '--platform', 'elevenlabs'], env)).output).toMatch(
        new RegExp(`elevenlabs\\s+agent_cli\\s+${orgId}`),
      );
      const replay = await runCliInProcess(['voice-events', 'replay', '--since', '1d'], env);
      expect(replay.code).toBe(0);
      // No subscription: recorded unbilled, as report-usage would.
      expect(replay.output).toMatch(/unbilled\s+elevenlabs:conv_cli/);
      expect((await runCliInProcess(['voice-events', 'replay'], env)).output).toContain('no voice events to replay');

      expect(
        (
          await runCliInProcess(
            ['voice-agents', 'unlink', '--platform', 'elevenlabs', '--external-id', 'agent_cli'],
            env,
          )
        ).code,
      ).toBe(0);
      expect((await runCliInProcess(['voice-agents', 'list'], env)).output).toContain('no links');
    } finally {
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
