/**
 * `aisyst-billing voice-agents link|unlink|list`: the operators' table of which organisation pays for a voice
 * platform's agent when the call's own metadata names none (usecases/voice/bill-voice-call.ts).
 */
import type { Command } from '../command.ts';
import type { Terminal } from '../terminal.ts';
import { openDatabase } from '../../adapters/db/open-database.ts';
import { readEnv } from '../../config/dotenv.ts';
import { ConfigError, parseConfig } from '../../config/parse-config.ts';
import type { Config } from '../../config/types.ts';
import { isUuid } from '../../domain/uuid.ts';
import { findOrganisationById } from '../../repositories/organisations.ts';
import { linkVoiceAgent, listVoiceAgentLinks, unlinkVoiceAgent } from '../../repositories/voice-agent-links.ts';
import { VOICE_PLATFORMS, isVoicePlatform, type VoicePlatform } from '../../usecases/voice/voice-event.ts';

const HELP = `usage: aisyst-billing voice-agents link   --platform <p> --external-id <id> --org <org_id>
       aisyst-billing voice-agents unlink --platform <p> --external-id <id>
       aisyst-billing voice-agents list   [--platform <p>] [--org <org_id>]

Which organisation pays for a call that the voice-webhook receives when the call's own metadata names none
(ElevenLabs dynamic variable org_id, LiveKit room metadata {"org_id": …}, Twilio callback URL ?org_id=…).
  --platform      ${VOICE_PLATFORMS.join(' | ')}
  --external-id   elevenlabs: the agent_id
                  twilio:     the AiSyst phone number, E.164 (+4930…): To of an inbound call, From of an outbound one
                  livekit:    a room name PREFIX (rooms are named per call); the longest matching prefix wins
  --org           the organisation's id (uuid)

Linking moves an existing link to the new organisation. Calls already kept as unattributed are billed by
\`aisyst-billing voice-events replay\` once linked.

Database: DATABASE_URL or PGLITE_DIR (must not be in use by npm start).`;

export const command: Command = {
  name: 'voice-agents',
  summary: 'voice-agents link|unlink|list: which organisation pays for a voice platform agent',
  help: HELP,
  async run(args, processEnv, terminal) {
    const [sub, ...rest] = args;
    const options = new Map<string, string>();
    for (let i = 0; i < rest.length; i++) {
      const arg = rest[i]!;
      const [flag, inline] = arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
      if (!['--platform', '--external-id', '--org'].includes(flag!))
        return usageError(terminal, `unknown option '${arg}'`);
      const value = inline ?? rest[++i];
      if (value === undefined || value.trim() === '') return usageError(terminal, `${flag} needs a value`);
      options.set(flag!, value.trim());
    }
    const platformText = options.get('--platform');
    if (platformText !== undefined && !isVoicePlatform(platformText))
      return usageError(terminal, `--platform must be one of ${VOICE_PLATFORMS.join(', ')}`);
    const platform = platformText as VoicePlatform | undefined;
    const externalId = options.get('--external-id');
    const orgId = options.get('--org');
    if (orgId !== undefined && !isUuid(orgId)) return usageError(terminal, '--org must be an organisation id (uuid)');
    if (sub === 'link' && (!platform || !externalId || !orgId))
      return usageError(terminal, 'link needs --platform, --external-id and --org');
    if (sub === 'unlink' && (!platform || !externalId))
      return usageError(terminal, 'unlink needs --platform and --external-id');
    if (sub !== 'link' && sub !== 'unlink' && sub !== 'list')
      return usageError(terminal, `unknown subcommand '${sub ?? ''}'`);
    if (externalId !== undefined && [...externalId].length > 255)
      return usageError(terminal, '--external-id must be at most 255 characters');

    let config: Config;
    try {
      config = parseConfig(await readEnv(terminal.cwd, processEnv));
    } catch (err) {
      if (err instanceof ConfigError) {
        terminal.err(err.message);
        return 1;
      }
      throw err;
    }
    const sql = await openDatabase(config.database, { existing: true });
    try {
      if (sub === 'link') {
        if (!(await findOrganisationById(sql, orgId!))) {
          terminal.err(`aisyst-billing voice-agents: no organisation ${orgId}`);
          return 1;
        }
        await linkVoiceAgent(sql, { platform: platform!, externalId: externalId!, orgId: orgId! });
        terminal.out(`linked ${platform} ${externalId} → ${orgId}`);
      } else if (sub === 'unlink') {
        const removed = await unlinkVoiceAgent(sql, platform!, externalId!);
        terminal.out(removed ? `unlinked ${platform} ${externalId}` : `no link for ${platform} ${externalId}`);
        return removed ? 0 : 1;
      } else {
        const links = await listVoiceAgentLinks(sql, {
          ...(platform ? { platform } : {}),
          ...(orgId ? { orgId } : {}),
        });
        if (links.length === 0) terminal.out('no links');
        for (const l of links)
          terminal.out(`${l.platform.padEnd(11)} ${l.externalId.padEnd(36)} ${l.orgId}  ${l.createdAt.toISOString()}`);
      }
      return 0;
    } finally {
      await sql.close();
    }
  },
};

function usageError(terminal: Terminal, message: string): number {
  terminal.err(`aisyst-billing voice-agents: ${message}\n\n${HELP}`);
  return 2;
}
