/**
 * Where user JWT signatures are checked against (https://supabase.com/docs/guides/auth/jwts): the project's JWKS
 * (asymmetric ES256/RS256 keys; inline SUPABASE_JWKS or fetched from SUPABASE_URL/auth/v1/.well-known/jwks.json)
 * and/or the legacy HS256 secret.
 */
import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../../config/types.ts';
import { DEFAULT_SUPABASE_JWT_SECRET, DEFAULT_SUPABASE_SERVICE_ROLE_KEY } from '../../config/parse-config.ts';

export interface JwtKeys {
  /** HS256 secret, or undefined when HS256 tokens must be refused. */
  hmacSecret: Uint8Array | undefined;
  /** Asymmetric keys, or undefined when none are configured. */
  jwks: JWTVerifyGetKey | undefined;
}

export function jwtKeysFrom(auth: Config['auth']): JwtKeys {
  // Anyone can sign with the well-known local secret: trusting it outside the local stack accepts forged tokens.
  const trustSecret =
    auth.jwtSecret.length > 0 && !(auth.jwtSecret === DEFAULT_SUPABASE_JWT_SECRET && !trustsPublicDefaults(auth));
  let jwks: JWTVerifyGetKey | undefined;
  if (auth.jwks) jwks = createLocalJWKSet(JSON.parse(auth.jwks));
  else if (auth.supabaseUrl) jwks = createRemoteJWKSet(new URL('/auth/v1/.well-known/jwks.json', auth.supabaseUrl));
  return { hmacSecret: trustSecret ? new TextEncoder().encode(auth.jwtSecret) : undefined, jwks };
}

/**
 * Only the local stack may trust the public defaults `supabase start` uses. A deployed Edge Function never does:
 * self-hosted Supabase hands functions SUPABASE_URL=http://kong:8000 and a Node deployment may have no SUPABASE_URL
 * at all, so the URL alone cannot tell "local" apart.
 */
export function trustsPublicDefaults(auth: Pick<Config['auth'], 'supabaseUrl' | 'deployed'>): boolean {
  return auth.deployed !== true && !isHostedProject(auth);
}

/** The variables whose value is a public local default that this configuration refuses (for a start-up log). */
export function refusedPublicDefaults(auth: Config['auth']): string[] {
  if (trustsPublicDefaults(auth)) return [];
  return [
    ...(auth.jwtSecret === DEFAULT_SUPABASE_JWT_SECRET ? ['SUPABASE_JWT_SECRET'] : []),
    ...(auth.serviceRoleKey === DEFAULT_SUPABASE_SERVICE_ROLE_KEY ? ['SUPABASE_SERVICE_ROLE_KEY'] : []),
    ...(auth.secretKeys.includes(DEFAULT_SUPABASE_SERVICE_ROLE_KEY) ? ['SUPABASE_SECRET_KEYS'] : []),
  ];
}

/** SUPABASE_URL names a real project (not localhost): the well-known local secrets must not be trusted. */
export function isHostedProject(auth: Pick<Config['auth'], 'supabaseUrl'>): boolean {
  return auth.supabaseUrl !== undefined && !isLocalUrl(auth.supabaseUrl);
}

/** Loopback only. Not `kong`: that is the gateway of a self-hosted (deployed) Supabase, not a developer's machine. */
function isLocalUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === '[::1]';
  } catch {
    return false;
  }
}
