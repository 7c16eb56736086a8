/**
 * Turns request headers into a caller: a Supabase user (Bearer user JWT) or the backend (service-role key,
 * a `sb_secret_…` key, or a JWT with role=service_role — in `Authorization: Bearer` or `apikey`).
 * Built once per app so that a remote JWKS is fetched and cached once.
 */
import type { Config } from '../../config/types.ts';
import { DEFAULT_SUPABASE_ANON_KEY, DEFAULT_SUPABASE_SERVICE_ROLE_KEY } from '../../config/parse-config.ts';
import { matchesAnyKey } from '../../domain/constant-time.ts';
import { jwtKeysFrom, trustsPublicDefaults } from './jwt-keys.ts';
import { isServiceRoleJwt, verifyUserJwt, type UserClaims } from './verify-jwt.ts';

export interface Authenticator {
  user(headers: Headers): Promise<UserClaims | undefined>;
  backend(headers: Headers): Promise<boolean>;
}

export function createAuthenticator(auth: Config['auth']): Authenticator {
  const keys = jwtKeysFrom(auth);
  // The demo keys `supabase start` prints are public: only the local stack accepts the service-role one as a
  // backend key; a deployed function or a hosted project refuses it (and the default secret, see jwt-keys.ts).
  const publicDemoKeys = trustsPublicDefaults(auth)
    ? [DEFAULT_SUPABASE_ANON_KEY]
    : [DEFAULT_SUPABASE_SERVICE_ROLE_KEY, DEFAULT_SUPABASE_ANON_KEY];
  const backendKeys = [auth.serviceRoleKey, ...auth.secretKeys].filter(
    (k) => k.length > 0 && !publicDemoKeys.includes(k) && k !== auth.anonKey,
  );
  return {
    async user(headers) {
      const token = bearerToken(headers);
      return token ? verifyUserJwt(token, keys) : undefined;
    },
    async backend(headers) {
      for (const token of [bearerToken(headers), headers.get('apikey')?.trim()]) {
        if (!token) continue;
        if (matchesAnyKey(token, backendKeys)) return true;
        if (token.startsWith('eyJ') && (await isServiceRoleJwt(token, keys))) return true;
      }
      return false;
    },
  };
}

export function bearerToken(headers: Headers): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.get('authorization') ?? '');
  return match?.[1];
}
