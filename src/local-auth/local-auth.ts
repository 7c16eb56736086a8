/**
 * The subset of Supabase Auth that supabase-js v2 uses for email + password, served by the local stack only
 * (docs/http-api.md#6-local-supabase-auth-subset-authv1-local-stack-only-never-deployed) so that the pages run the same
 * supabase-js code locally and against a real project:
 *   POST /auth/v1/signup · POST /auth/v1/token?grant_type=password|refresh_token · GET /auth/v1/user · POST /auth/v1/logout
 * Every request needs the `apikey` header (the anon key), as Supabase's API gateway demands. Sign-up confirms at
 * once (like `supabase start` with email confirmations off) and returns a session. Access tokens: HS256 with
 * SUPABASE_JWT_SECRET, aud/role `authenticated`, 1 h — exactly what the functions verify.
 */
import { SignJWT, jwtVerify } from 'jose';
import { matchesAnyKey } from '../domain/constant-time.ts';
import type { Config } from '../config/types.ts';
import { isUuid } from '../domain/uuid.ts';
import type { Clock } from '../ports/clock.ts';
import type { Sql } from '../ports/sql.ts';
import { authError, authJson, userJson, type AuthUserRow } from './gotrue-response.ts';
import { readBodyLimited } from '../http/read-body.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { refuseUnstorable } from './refuse-unstorable.ts';
import * as store from './sessions.ts';

export const ACCESS_TOKEN_SECONDS = 3600;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MIN_PASSWORD = 6; // GoTrue's default GOTRUE_PASSWORD_MIN_LENGTH

export interface LocalAuthDeps {
  sql: Sql;
  config: Pick<Config, 'auth'>;
  clock: Clock;
  /** The public URL of the stack; the token's `iss` is `<url>/auth/v1` as GoTrue's is. */
  issuerBase: () => string;
}

export function createLocalAuth(deps: LocalAuthDeps): (request: Request) => Promise<Response | undefined> {
  const secret = new TextEncoder().encode(deps.config.auth.jwtSecret);
  const apiKeys = [deps.config.auth.anonKey, deps.config.auth.serviceRoleKey];

  async function issueSession(user: AuthUserRow, sessionId: string, refreshToken: string): Promise<Response> {
    const now = Math.floor(deps.clock.now().getTime() / 1000);
    const accessToken = await new SignJWT({
      email: user.email,
      phone: '',
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: user.raw_user_meta_data ?? {},
      role: 'authenticated',
      aal: 'aal1',
      amr: [{ method: 'password', timestamp: now }],
      session_id: sessionId,
      is_anonymous: false,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(`${deps.issuerBase()}/auth/v1`)
      .setSubject(user.id)
      .setAudience('authenticated')
      .setIssuedAt(now)
      .setExpirationTime(now + ACCESS_TOKEN_SECONDS)
      .sign(secret);
    return authJson({
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: ACCESS_TOKEN_SECONDS,
      expires_at: now + ACCESS_TOKEN_SECONDS,
      refresh_token: refreshToken,
      user: userJson(user),
    });
  }

  async function startSession(user: AuthUserRow): Promise<Response> {
    const refreshToken = store.newRefreshToken();
    const sessionId = await store.createSession(deps.sql, user.id, refreshToken);
    return issueSession(user, sessionId, refreshToken);
  }

  async function verifiedClaims(request: Request): Promise<{ sub: string; sessionId: string } | Response> {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
    if (!token) return authError(401, 'no_authorization', 'This endpoint requires a Bearer token');
    try {
      const { payload } = await jwtVerify(token, secret, {
        algorithms: ['HS256'],
        audience: 'authenticated',
        currentDate: deps.clock.now(),
      });
      const sessionId = typeof payload.session_id === 'string' ? payload.session_id : '';
      if (typeof payload.sub !== 'string' || !isUuid(payload.sub) || !isUuid(sessionId))
        return authError(403, 'bad_jwt', 'invalid JWT: unable to parse or verify signature');
      if (!(await store.sessionExists(deps.sql, sessionId)))
        return authError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
      return { sub: payload.sub, sessionId };
    } catch {
      return authError(403, 'bad_jwt', 'invalid JWT: unable to parse or verify signature, token is expired or invalid');
    }
  }

  async function signup(body: Record<string, unknown>): Promise<Response> {
    const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const unstorable = refuseUnstorable({ email, password, data: body.data });
    if (unstorable) return unstorable;
    if (!EMAIL.test(email))
      return authError(400, 'validation_failed', 'Unable to validate email address: invalid format');
    if (password.length < MIN_PASSWORD) {
      return authError(422, 'weak_password', `Password should be at least ${MIN_PASSWORD} characters.`, {
        weak_password: { reasons: ['length'] },
      });
    }
    const meta =
      typeof body.data === 'object' && body.data !== null && !Array.isArray(body.data)
        ? (body.data as Record<string, unknown>)
        : {};
    const user = await store.insertUser(deps.sql, email, await hashPassword(password), meta);
    if (!user) return authError(422, 'user_already_exists', 'User already registered');
    return startSession(user);
  }

  async function token(grantType: string | null, body: Record<string, unknown>): Promise<Response> {
    if (grantType === 'password') {
      const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : '';
      const password = typeof body.password === 'string' ? body.password : '';
      const unstorable = refuseUnstorable({ email, password });
      if (unstorable) return unstorable;
      const user = email ? await store.findUserByEmail(deps.sql, email) : undefined;
      const ok = await verifyPassword(password, user?.encrypted_password ?? null);
      if (!user || !ok) return authError(400, 'invalid_credentials', 'Invalid login credentials');
      await store.touchSignIn(deps.sql, user.id);
      return startSession(user);
    }
    if (grantType === 'refresh_token') {
      const oldToken = typeof body.refresh_token === 'string' ? body.refresh_token : '';
      const newToken = store.newRefreshToken();
      const session = oldToken ? await store.rotateRefreshToken(deps.sql, oldToken, newToken) : undefined;
      const user = session ? await store.findUserById(deps.sql, session.userId) : undefined;
      if (!session || !user)
        return authError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
      return issueSession(user, session.sessionId, newToken);
    }
    return authError(
      400,
      'validation_failed',
      'Unsupported grant type: this local Auth supports password and refresh_token only',
    );
  }

  return async function localAuth(request) {
    const url = new URL(request.url);
    const path = url.pathname.replace(/\/$/, '');
    if (!path.startsWith('/auth/v1/')) return undefined;
    const apiKey = request.headers.get('apikey') ?? '';
    if (!apiKey) return authJson({ message: 'No API key found in request' }, 401);
    if (!matchesAnyKey(apiKey, apiKeys)) return authJson({ message: 'Invalid API key' }, 401);

    const route = `${request.method} ${path}`;
    if (route === 'GET /auth/v1/user') {
      const claims = await verifiedClaims(request);
      if (claims instanceof Response) return claims;
      const user = await store.findUserById(deps.sql, claims.sub);
      return user
        ? authJson(userJson(user))
        : authError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
    }
    if (route === 'POST /auth/v1/logout') {
      const claims = await verifiedClaims(request);
      if (claims instanceof Response) return claims;
      const scope = url.searchParams.get('scope') ?? 'global';
      await store.endSessions(
        deps.sql,
        claims.sub,
        claims.sessionId,
        scope === 'local' || scope === 'others' ? scope : 'global',
      );
      return new Response(null, { status: 204, headers: { 'x-supabase-api-version': '2024-01-01' } });
    }
    if (route !== 'POST /auth/v1/signup' && route !== 'POST /auth/v1/token')
      return authError(404, 'not_found', 'This local Auth serves email + password sign-up and sign-in only');
    const text = await readBodyLimited(request); // over 64 KiB: the app answers 413
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      body = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return authError(400, 'bad_json', 'Could not parse request body as JSON');
    }
    return route === 'POST /auth/v1/signup' ? signup(body) : token(url.searchParams.get('grant_type'), body);
  };
}
