/**
 * Verifies Supabase JWTs with jose. The algorithm is taken from the token's header only to pick the key
 * source; jose then insists the key and the algorithm agree, so `alg: none` or an HS256 token signed with a
 * public key are refused.
 */
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { isUuid } from '../../domain/uuid.ts';
import { AppError } from '../../errors.ts';
import type { JwtKeys } from './jwt-keys.ts';

const ASYMMETRIC = ['ES256', 'RS256', 'EdDSA'];

export interface UserClaims {
  userId: string;
  email: string | undefined;
}

/** A signed, unexpired JWT's payload, or undefined when the token is not one we can trust. */
export async function verifySignedJwt(
  token: string,
  keys: JwtKeys,
  options: { audience?: string } = {},
): Promise<JWTPayload | undefined> {
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
      try {
        return (await jwtVerify(token, keys.jwks, { ...verifyOptions, algorithms: ASYMMETRIC })).payload;
      } catch (err) {
        if (isJwksOutage(err))
          throw new AppError(
            'auth_unavailable',
            'Sign-in cannot be checked right now. Please try again in a moment.',
            {},
            { cause: err },
          );
        throw err;
      }
    }
    return undefined;
  } catch (err) {
    // Expired, wrong audience, bad signature, unknown key: all just "not authenticated".
    if (err instanceof errors.JOSEError) return undefined;
    throw err;
  }
}

/**
 * A JWKS that cannot be fetched is an outage, not a bad token: 503 so that the caller retries instead of signing
 * the user out. jose's remote JWKS (jose/dist/webapi/jwks/remote.js) throws JWKSTimeout, a bare JOSEError for a
 * non-200 answer or a body that is not JSON, and fetch's own TypeError for a network failure. Every token problem
 * is a JOSEError subclass (JWSSignatureVerificationFailed, JWTExpired, JWKSNoMatchingKey, …).
 */
function isJwksOutage(err: unknown): boolean {
  if (err instanceof errors.JWKSTimeout) return true;
  if (err instanceof errors.JOSEError) return err.code === errors.JOSEError.code;
  return err instanceof TypeError || (err instanceof Error && err.name === 'AbortError');
}

/** A user access token: audience `authenticated`, a uuid `sub`, not expired. */
export async function verifyUserJwt(token: string, keys: JwtKeys): Promise<UserClaims | undefined> {
  const payload = await verifySignedJwt(token, keys, { audience: 'authenticated' });
  if (!payload || typeof payload.sub !== 'string' || !isUuid(payload.sub)) return undefined;
  if (payload.role !== undefined && payload.role !== 'authenticated') return undefined;
  return { userId: payload.sub.toLowerCase(), email: typeof payload.email === 'string' ? payload.email : undefined };
}

/** The legacy service-role key is itself a JWT with `role: service_role` (no audience). */
export async function isServiceRoleJwt(token: string, keys: JwtKeys): Promise<boolean> {
  const payload = await verifySignedJwt(token, keys);
  return payload?.role === 'service_role';
}
