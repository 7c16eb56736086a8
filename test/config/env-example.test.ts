import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadDotEnv } from '../../src/config/dotenv.ts';
import { parseConfig } from '../../src/config/parse-config.ts';

const DOCUMENTED_VARIABLES = [
  'PORT',
  'STRIPE_EMULATOR_PORT',
  'DATABASE_URL',
  'PGLITE_DIR',
  'STRIPE_SECRET_KEY',
  'STRIPE_API_BASE',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_SETUP_FEE_PRICE_ID',
  'WEBSITE_URL',
  'SUPABASE_URL',
  'SUPABASE_JWKS',
  'SUPABASE_JWT_SECRET',
  'SUPABASE_ANON_KEY',
  'SUPABASE_SERVICE_ROLE_KEY',
  'SUPABASE_SECRET_KEYS',
  'PUBLIC_FUNCTIONS_URL',
  'ELEVENLABS_WEBHOOK_SECRET',
  'TWILIO_AUTH_TOKEN',
  'LIVEKIT_API_KEY',
  'LIVEKIT_API_SECRET',
  'PAST_DUE_GRACE_DAYS',
  'SMTP_URL',
  'MAIL_FROM',
  'SMTP_PORT',
];

describe('.env.example', () => {
  it('documents every variable of docs/configuration.md', async () => {
    const text = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    for (const name of DOCUMENTED_VARIABLES) expect(text).toMatch(new RegExp(`^#?${name}=`, 'm'));
  });

  it('copied as is, it sets nothing and the local stack starts on defaults', async () => {
    const text = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    expect(loadDotEnv(text)).toEqual({});
    expect(parseConfig(loadDotEnv(text))).toEqual(parseConfig({}));
  });

  it('its local-stack defaults, uncommented, parse to the same config as no variables', async () => {
    const text = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    const localBlock = text.split('# ----')[1] ?? '';
    const uncommented = loadDotEnv(localBlock.replace(/^#(?=[A-Z_]+=)/gm, ''));
    expect(Object.keys(uncommented).length).toBeGreaterThan(5);
    expect(parseConfig(uncommented)).toEqual(parseConfig({}));
  });
});
