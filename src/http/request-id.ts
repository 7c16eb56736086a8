/** A caller-supplied x-request-id is kept when it looks like an id (so traces join up); otherwise a fresh one. */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(request: Request): string {
  const given = request.headers.get('x-request-id');
  return given && SAFE_ID.test(given) ? given : crypto.randomUUID();
}
