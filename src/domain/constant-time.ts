/**
 * Secret comparison in time independent of where two texts differ, so a guesser learns nothing from timing about
 * how much of a guess was right. Pure and synchronous: a digest per comparison (Web Crypto's only constant-time
 * route) cost an eighth of report-usage's CPU under load, for no gain over this loop (issue 13 §0).
 */
const encoder = new TextEncoder();

export function constantTimeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** True when `candidate` equals any of `keys` (empty keys never match); every key is compared, no early exit. */
export function matchesAnyKey(candidate: string, keys: readonly string[]): boolean {
  let matched = false;
  for (const key of keys) if (key.length > 0 && constantTimeEqual(candidate, key)) matched = true;
  return matched;
}
