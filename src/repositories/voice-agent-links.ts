/**
 * Operators' links from a platform's agent to the organisation that pays (table voice_agent_links): the
 * ElevenLabs agent_id, the AiSyst phone number of a Twilio call, or a LiveKit room name PREFIX (rooms are named
 * per call, e.g. `acme-<uuid>`; the longest matching prefix wins).
 */
import type { Sql } from '../ports/sql.ts';
import type { VoicePlatform } from '../usecases/voice/voice-event.ts';

export interface VoiceAgentLink {
  platform: VoicePlatform;
  externalId: string;
  orgId: string;
  createdAt: Date;
}

export async function findLinkedOrg(
  sql: Sql,
  platform: VoicePlatform,
  externalId: string,
): Promise<string | undefined> {
  const rows = await sql.query<{ org_id: string }>(
    platform === 'livekit'
      ? `select org_id from voice_agent_links where platform = $1 and left($2, length(external_id)) = external_id order by length(external_id) desc limit 1`
      : `select org_id from voice_agent_links where platform = $1 and external_id = $2`,
    [platform, externalId],
  );
  return rows[0]?.org_id;
}

/** Creates the link, or moves it to another organisation. */
export async function linkVoiceAgent(
  sql: Sql,
  link: { platform: VoicePlatform; externalId: string; orgId: string },
): Promise<void> {
  await sql.query(
    `insert into voice_agent_links (platform, external_id, org_id) values ($1, $2, $3)
     on conflict (platform, external_id) do update set org_id = excluded.org_id, created_at = now()`,
    [link.platform, link.externalId, link.orgId],
  );
}

export async function unlinkVoiceAgent(sql: Sql, platform: VoicePlatform, externalId: string): Promise<boolean> {
  const rows = await sql.query(`delete from voice_agent_links where platform = $1 and external_id = $2 returning 1`, [
    platform,
    externalId,
  ]);
  return rows.length > 0;
}

export async function listVoiceAgentLinks(
  sql: Sql,
  filter: { platform?: VoicePlatform; orgId?: string } = {},
): Promise<VoiceAgentLink[]> {
  const rows = await sql.query<{
    platform: VoicePlatform;
    external_id: string;
    org_id: string;
    created_at: Date | string;
  }>(
    `select platform, external_id, org_id, created_at from voice_agent_links
     where ($1::text is null or platform = $1) and ($2::uuid is null or org_id = $2) order by platform, external_id`,
    [filter.platform ?? null, filter.orgId ?? null],
  );
  return rows.map((r) => ({
    platform: r.platform,
    externalId: r.external_id,
    orgId: r.org_id,
    createdAt: new Date(r.created_at),
  }));
}
