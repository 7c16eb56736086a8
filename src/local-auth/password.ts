/**
 * Password hashes for the local Auth subset: PBKDF2-SHA-256 through Web Crypto (no native module, runs on Deno
 * too). Stored as `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>` so the cost can rise without a migration.
 * Local development only — Supabase Auth (bcrypt) owns passwords in a real project.
 */
const ITERATIONS = 100_000;
const KEY_BITS = 256;

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    key,
    KEY_BITS,
  );
  return new Uint8Array(bits);
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return `pbkdf2-sha256$${ITERATIONS}$${b64(salt)}$${b64(await derive(password, salt, ITERATIONS))}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [scheme, iterations, salt, hash] = (stored ?? '').split('$');
  if (scheme !== 'pbkdf2-sha256' || !iterations || !salt || !hash) {
    // Still spend the time, so that "no such user" and "wrong password" take as long.
    await derive(password, new Uint8Array(16), ITERATIONS);
    return false;
  }
  const expected = unb64(hash);
  const actual = await derive(password, unb64(salt), Number(iterations));
  let diff = expected.length ^ actual.length;
  for (let i = 0; i < Math.min(expected.length, actual.length); i++) diff |= expected[i]! ^ actual[i]!;
  return diff === 0;
}
