/**
 * Verifies Supabase JWTs with jose. The algorithm is taken from the token's header only to pick the key
 * source; jose then insists the key and the algorithm agree, so `alg: none` or an HS256 token signed with a
 * public key are refused.
 */
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { JwtKeys } from './jwt-keys.ts';

const ASYMMETRIC = ['ES256', 'RS256', 'EdDSA'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface UserClaims {
  userId: string;
  email: string | undefined;
}

/** A signed, unexpired JWT's payload, or undefined when the token is not one we can trust. */
export async function verifySignedJwt(token: string, keys: JwtKeys, options: { audience?: string } = {}): Promise<JWTPayload | undefined> {
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
  const verifyOptions = { ...(options.audience ? { audience: options.audience } : {}), requiredClaims: ['exp'] };
  try {
    if (alg === 'HS256' && keys.hmacSecret) {
      return (await jwtVerify(token, keys.hmacSecret, { ...verifyOptions, algorithms: ['HS256'] })).payload;
    }
    if (alg && ASYMMETRIC.includes(alg) && keys.jwks) {
      return (await jwtVerify(token, keys.jwks, { ...verifyOptions, algorithms: ASYMMETRIC })).payload;
    }
    return undefined;
  } catch (err) {
    // Expired, wrong audience, bad signature, unknown key: all just "not authenticated". A JWKS that
    // cannot be fetched is an outage, not a bad token — let it surface as a 5xx.
    if (err instanceof errors.JOSEError && !(err instanceof errors.JWKSTimeout)) return undefined;
    throw err;
  }
}

/** A user access token: audience `authenticated`, a uuid `sub`, not expired. */
export async function verifyUserJwt(token: string, keys: JwtKeys): Promise<UserClaims | undefined> {
  const payload = await verifySignedJwt(token, keys, { audience: 'authenticated' });
  if (!payload || typeof payload.sub !== 'string' || !UUID.test(payload.sub)) return undefined;
  if (payload.role !== undefined && payload.role !== 'authenticated') return undefined;
  return { userId: payload.sub.toLowerCase(), email: typeof payload.email === 'string' ? payload.email : undefined };
}

/** The legacy service-role key is itself a JWT with `role: service_role` (no audience). */
export async function isServiceRoleJwt(token: string, keys: JwtKeys): Promise<boolean> {
  const payload = await verifySignedJwt(token, keys);
  return payload?.role === 'service_role';
}
