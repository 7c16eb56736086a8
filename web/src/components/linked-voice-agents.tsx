/**
 * The voice platform agents linked to this organisation (billing-summary's `voice_agents`): calls they end are
 * billed here when the call itself names no organisation. Nothing is shown when none is linked.
 */
import type { BillingSummary } from '../api.ts';

const PLATFORM: Record<string, { name: string; id: string }> = {
  elevenlabs: { name: 'ElevenLabs', id: 'agent' },
  twilio: { name: 'Twilio', id: 'phone number' },
  livekit: { name: 'LiveKit', id: 'rooms named' },
};

export function LinkedVoiceAgents({ agents }: { agents: NonNullable<BillingSummary['voice_agents']> }) {
  if (agents.length === 0) return null;
  return (
    <div class="card voice-agents">
      <h3>Voice agents billed to this organisation</h3>
      <ul>
        {agents.map((a) => (
          <li key={`${a.platform}:${a.external_id}`}>
            {PLATFORM[a.platform]?.name ?? a.platform} {PLATFORM[a.platform]?.id ?? ''}{' '}
            <code>{a.platform === 'livekit' ? `${a.external_id}…` : a.external_id}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}
