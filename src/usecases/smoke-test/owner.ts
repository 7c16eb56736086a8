/**
 * A throwaway owner for the run, through Supabase Auth's public HTTP API. A hosted project is asked through the
 * admin endpoint with the backend key, so that "Confirm email" does not stop the run
 * (supabase.com/docs/reference/api: POST /auth/v1/admin/users with `email_confirm: true`); the local stack's Auth
 * subset has no admin endpoint (404) and is asked to sign the owner up instead. Either way the owner then signs in
 * with the password grant, which gives the access token the owner's functions want.
 */
import { expectStatus, requestJson } from './http.ts';
import type { SmokeTestPorts, SmokeTestTarget } from './types.ts';

export interface SmokeOwner {
  email: string;
  userId: string;
  accessToken: string;
  /** How the user was made: 'admin' (hosted Auth) or 'signup' (the local stack). */
  createdBy: 'admin' | 'signup';
}

export async function createOwner(
  ports: Pick<SmokeTestPorts, 'fetch'>,
  target: SmokeTestTarget,
  email: string,
  password: string,
): Promise<SmokeOwner> {
  // A new secret key (sb_secret_…) is not a JWT: Auth takes it in `apikey` alone.
  const adminHeaders: Record<string, string> = { apikey: target.backendKey };
  if (target.backendKey.startsWith('eyJ')) adminHeaders.authorization = `Bearer ${target.backendKey}`;
  const admin = await requestJson<{ id?: string }>(ports, `${target.authUrl}/admin/users`, {
    headers: adminHeaders,
    body: { email, password, email_confirm: true },
  });
  let createdBy: SmokeOwner['createdBy'] = 'admin';
  if (admin.status === 404) {
    createdBy = 'signup';
    expectStatus(
      await requestJson(ports, `${target.authUrl}/signup`, {
        headers: { apikey: target.anonKey },
        body: { email, password },
      }),
      200,
      'Auth sign-up',
    );
  } else expectStatus(admin, [200, 201], 'Auth admin/users');

  const session = expectStatus(
    await requestJson<{ access_token?: string; user?: { id?: string } }>(
      ports,
      `${target.authUrl}/token?grant_type=password`,
      { headers: { apikey: target.anonKey }, body: { email, password } },
    ),
    200,
    'Auth sign-in',
  );
  if (!session.access_token || !session.user?.id) throw new Error('Auth sign-in gave no access token');
  return { email, userId: session.user.id, accessToken: session.access_token, createdBy };
}
