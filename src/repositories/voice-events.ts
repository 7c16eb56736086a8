/**
 * Voice platform events as received (table voice_events, migration 20261201000600): stored once per
 * (platform, event id) before the webhook answers, then marked with what billing made of them.
 */
import type { Sql } from '../ports/sql.ts';
import type { VoiceCall, VoiceEvent, VoicePlatform } from '../usecases/voice/voice-event.ts';

export type VoiceEventStatus = 'received' | 'billed' | 'unbilled' | 'unattributed' | 'failed' | 'ignored';

export interface StoredVoiceEvent {
  platform: VoicePlatform;
  eventId: string;
  eventType: string;
  status: VoiceEventStatus;
  reason: string | null;
  orgId: string | null;
  receivedAt: Date;
  call: VoiceCall | undefined;
}

interface Row {
  platform: VoicePlatform;
  event_id: string;
  event_type: string;
  status: VoiceEventStatus;
  reason: string | null;
  org_id: string | null;
  received_at: Date | string;
  call_id: string | null;
  duration_seconds: string | number | null;
  ended_at: Date | string | null;
  metadata_org_id: string | null;
  external_id: string | null;
}

const COLUMNS =
  'platform, event_id, event_type, status, reason, org_id, received_at, call_id, duration_seconds, ended_at, metadata_org_id, external_id';

/** Inserts the event unless (platform, event id) is stored already; returns the stored row and whether it is new. */
export async function storeVoiceEvent(
  sql: Sql,
  event: VoiceEvent,
): Promise<{ stored: StoredVoiceEvent; inserted: boolean }> {
  const c = event.call;
  const inserted = await sql.query<Row>(
    `insert into voice_events (platform, event_id, event_type, status, call_id, duration_seconds, ended_at, metadata_org_id, external_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (platform, event_id) do nothing returning ${COLUMNS}`,
    [
      event.platform,
      event.eventId,
      event.eventType,
      c ? 'received' : 'ignored',
      c?.callId ?? null,
      c ? String(c.durationSeconds) : null,
      c?.endedAt.toISOString() ?? null,
      c?.metadataOrgId ?? null,
      c?.externalId ?? null,
    ],
  );
  if (inserted[0]) return { stored: fromRow(inserted[0]), inserted: true };
  const [existing] = await sql.query<Row>(`select ${COLUMNS} from voice_events where platform = $1 and event_id = $2`, [
    event.platform,
    event.eventId,
  ]);
  return { stored: fromRow(existing!), inserted: false };
}

export async function markVoiceEvent(
  sql: Sql,
  key: { platform: VoicePlatform; eventId: string },
  outcome: { status: VoiceEventStatus; reason: string | null; orgId: string | null },
): Promise<void> {
  await sql.query(
    `update voice_events set status = $3, reason = $4, org_id = $5, processed_at = now() where platform = $1 and event_id = $2`,
    [key.platform, key.eventId, outcome.status, outcome.reason, outcome.orgId],
  );
}

/** The events billing has not settled: never processed (a crash), unattributed, or refused. Oldest first. */
export async function listUnsettledVoiceEvents(sql: Sql, since: Date | undefined): Promise<StoredVoiceEvent[]> {
  const rows = await sql.query<Row>(
    `select ${COLUMNS} from voice_events where status in ('received', 'unattributed', 'failed') and ($1::timestamptz is null or received_at >= $1)
     order by received_at, platform, event_id`,
    [since?.toISOString() ?? null],
  );
  return rows.map(fromRow);
}

function fromRow(r: Row): StoredVoiceEvent {
  return {
    platform: r.platform,
    eventId: r.event_id,
    eventType: r.event_type,
    status: r.status,
    reason: r.reason,
    orgId: r.org_id,
    receivedAt: new Date(r.received_at),
    call:
      r.call_id === null
        ? undefined
        : {
            callId: r.call_id,
            durationSeconds: Number(r.duration_seconds),
            endedAt: new Date(r.ended_at!),
            metadataOrgId: r.metadata_org_id ?? undefined,
            externalId: r.external_id ?? undefined,
          },
  };
}
