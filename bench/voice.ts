/**
 * Voice platform webhooks → the ledger beside report-usage, on one stack (PostgreSQL, as bench/functions.ts), at
 * the same concurrency: requests/s and p99 of report-usage, then of voice-webhook/elevenlabs (each request a new
 * conversation, signed with the stack's demo secret as ElevenLabs signs: HMAC-SHA256 over "t.body"), and their
 * ratio. The webhook does more per call (verify, store the event, bill it, mark it). Figures only.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { benchStack, subscribedOrganisation } from './stack.ts';
import { autocannon } from './autocannon.ts';
import type { Figure } from './run.ts';

const CONCURRENCY = 16;
const DURATION_S = 6;

export async function benchVoice(): Promise<Figure[]> {
  const { stack, close } = await benchStack();
  try {
    const orgId = await subscribedOrganisation(stack);
    await stack.emulator!.waitForIdle();
    const run = randomUUID().slice(0, 8);
    const secret = stack.config.voice!.elevenlabsWebhookSecret!;
    let n = 0;
    const usage = await autocannon({
      url: `${stack.url}/functions/v1/report-usage`,
      connections: CONCURRENCY,
      duration: DURATION_S,
      requests: [
        {
          method: 'POST',
          headers: { authorization: `Bearer ${stack.config.auth.serviceRoleKey}`, 'content-type': 'application/json' },
          setupRequest: (req: Record<string, unknown>) => ({
            ...req,
            body: JSON.stringify({ org_id: orgId, call_id: `usage-${run}-${n++}`, call_duration_seconds: 30 }),
          }),
        },
      ],
    });
    let m = 0;
    const webhook = await autocannon({
      url: `${stack.url}/functions/v1/voice-webhook/elevenlabs`,
      connections: CONCURRENCY,
      duration: DURATION_S,
      requests: [
        {
          method: 'POST',
          setupRequest: (req: Record<string, unknown>) => {
            const now = Math.floor(Date.now() / 1000);
            const body = JSON.stringify({
              type: 'post_call_transcription',
              event_timestamp: now,
              data: {
                agent_id: 'agent_bench',
                conversation_id: `conv-${run}-${m++}`,
                status: 'done',
                transcript: [],
                metadata: { start_time_unix_secs: now - 40, call_duration_secs: 30 },
                conversation_initiation_client_data: { dynamic_variables: { org_id: orgId } },
              },
            });
            const signature = `t=${now},v0=${createHmac('sha256', secret).update(`${now}.${body}`).digest('hex')}`;
            return { ...req, body, headers: { 'content-type': 'application/json', 'elevenlabs-signature': signature } };
          },
        },
      ],
    });
    return [
      { name: `report-usage HTTP (c=${CONCURRENCY})`, value: usage.requests.average, unit: 'req/s' },
      { name: 'report-usage HTTP p99', value: usage.latency.p99, unit: 'ms' },
      { name: `voice-webhook/elevenlabs (c=${CONCURRENCY})`, value: webhook.requests.average, unit: 'req/s' },
      { name: 'voice-webhook/elevenlabs p99', value: webhook.latency.p99, unit: 'ms' },
      { name: 'voice-webhook non-2xx/errors', value: webhook.non2xx + webhook.errors, unit: 'responses' },
      {
        name: 'voice-webhook / report-usage',
        value: (100 * webhook.requests.average) / usage.requests.average,
        unit: '%',
      },
    ];
  } finally {
    await close();
  }
}
