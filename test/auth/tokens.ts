/** Signs test JWTs the way Supabase Auth does (HS256 with the project secret). */
import { SignJWT } from 'jose';
import { DEFAULT_SUPABASE_JWT_SECRET } from '../../src/config/parse-config.ts';

export async function signToken(
  claims: Record<string, unknown>,
  options: { secret?: string; expiresIn?: string | number; audience?: string | null } = {},
): Promise<string> {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt();
  if (options.audience !== null) jwt = jwt.setAudience(options.audience ?? 'authenticated');
  jwt = jwt.setExpirationTime(options.expiresIn ?? '1h');
  return jwt.sign(new TextEncoder().encode(options.secret ?? DEFAULT_SUPABASE_JWT_SECRET));
}

export const userToken = (userId: string, options: Parameters<typeof signToken>[1] = {}) =>
  signToken({ sub: userId, role: 'authenticated', email: 'owner@example.com' }, options);
