/**
 * Compares two secrets without leaking, through timing, how much of a guess was right: both sides are hashed
 * first (so lengths do not matter either) and the digests compared without an early exit. Web Crypto only.
 */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [da, db] = await Promise.all([
    crypto.subtle.digest('SHA-256', enc.encode(a)),
    crypto.subtle.digest('SHA-256', enc.encode(b)),
  ]);
  const x = new Uint8Array(da);
  const y = new Uint8Array(db);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

/** True when `candidate` equals any of `keys`; every key is compared (no early exit on a match). */
export async function matchesAnyKey(candidate: string, keys: readonly string[]): Promise<boolean> {
  const results = await Promise.all(keys.filter((k) => k.length > 0).map((k) => constantTimeEqual(candidate, k)));
  return results.some(Boolean);
}
