/**
 * The local stack's webhook signing secret when STRIPE_WEBHOOK_SECRET is unset: generated once per data
 * directory and kept beside the emulator's state, so that restarts keep verifying the endpoint the emulator
 * remembers.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function persistedWebhookSecret(stateDir: string): Promise<string> {
  const file = join(stateDir, 'stripe-webhook-secret');
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (/^whsec_\w+$/.test(existing)) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  const secret = `whsec_${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  await mkdir(stateDir, { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
