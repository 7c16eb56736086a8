/**
 * Where user JWT signatures are checked against (https://supabase.com/docs/guides/auth/jwts): the project's JWKS
 * (asymmetric ES256/RS256 keys; inline SUPABASE_JWKS or fetched from SUPABASE_URL/auth/v1/.well-known/jwks.json)
 * and/or the legacy HS256 secret.
 */
import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../../config/types.ts';
import { DEFAULT_SUPABASE_JWT_SECRET as LOCAL_JWT_SECRET } from '../../config/parse-config.ts';

export interface JwtKeys {
  /** HS256 secret, or undefined when HS256 tokens must be refused. */
  hmacSecret: Uint8Array | undefined;
  /** Asymmetric keys, or undefined when none are configured. */
  jwks: JWTVerifyGetKey | undefined;
}

export function jwtKeysFrom(auth: Config['auth']): JwtKeys {
  const hostedProject = isHostedProject(auth);
  // A deployed function that fell back to the well-known local secret would accept anyone's forged token.
  const trustSecret = auth.jwtSecret.length > 0 && !(hostedProject && auth.jwtSecret === LOCAL_JWT_SECRET);
  let jwks: JWTVerifyGetKey | undefined;
  if (auth.jwks) jwks = createLocalJWKSet(JSON.parse(auth.jwks));
  else if (auth.supabaseUrl) jwks = createRemoteJWKSet(new URL('/auth/v1/.well-known/jwks.json', auth.supabaseUrl));
  return { hmacSecret: trustSecret ? new TextEncoder().encode(auth.jwtSecret) : undefined, jwks };
}

/** SUPABASE_URL names a real project (not localhost): the well-known local secrets must not be trusted. */
export function isHostedProject(auth: Pick<Config['auth'], 'supabaseUrl'>): boolean {
  return auth.supabaseUrl !== undefined && !isLocalUrl(auth.supabaseUrl);
}

function isLocalUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === '[::1]' || host === 'kong';
  } catch {
    return false;
  }
}
