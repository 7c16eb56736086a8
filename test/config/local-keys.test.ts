import { decodeJwt, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SUPABASE_ANON_KEY,
  DEFAULT_SUPABASE_JWT_SECRET,
  DEFAULT_SUPABASE_SERVICE_ROLE_KEY,
} from '../../src/config/parse-config.ts';

const secret = new TextEncoder().encode(DEFAULT_SUPABASE_JWT_SECRET);

describe('local Supabase keys', () => {
  it.each([
    ['anon', DEFAULT_SUPABASE_ANON_KEY],
    ['service_role', DEFAULT_SUPABASE_SERVICE_ROLE_KEY],
  ])('the default %s key is an HS256 JWT signed with the default JWT secret', async (role, key) => {
    const { payload, protectedHeader } = await jwtVerify(key, secret, { algorithms: ['HS256'] });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.role).toBe(role);
    expect(payload.iss).toBe('supabase-demo');
  });

  it('a different secret rejects them', async () => {
    await expect(jwtVerify(DEFAULT_SUPABASE_ANON_KEY, new TextEncoder().encode('x'.repeat(32)))).rejects.toThrow();
  });

  it('they stay valid until November 2032', () => {
    expect(decodeJwt(DEFAULT_SUPABASE_SERVICE_ROLE_KEY).exp).toBe(Date.UTC(2032, 10, 11, 19, 9, 56) / 1000);
  });
});
