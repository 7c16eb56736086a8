/** GET /health: is the database answering, and which Stripe is behind us (docs/http-api.md#4-health). */
import type { AppContext } from '../usecases/context.ts';
import { methodNotAllowed } from './dispatch-route.ts';
import { RETRY_AFTER_SECONDS, describeCause } from './error-response.ts';
import { jsonResponse } from './json.ts';

export async function healthResponse(ctx: AppContext, method: string): Promise<Response> {
  if (method !== 'GET' && method !== 'HEAD')
    return methodNotAllowed('/health accepts GET and HEAD only.', 'GET, HEAD', ctx.logger);
  const body = { database: ctx.sql.dialect, stripe: ctx.config.stripe.mode };
  try {
    await ctx.sql.query('select 1');
    return jsonResponse({ ok: true, ...body });
  } catch (err) {
    ctx.logger.error('health check: database failed', { cause: describeCause(err) });
    return jsonResponse({ ok: false, ...body }, 503, { 'retry-after': RETRY_AFTER_SECONDS });
  }
}
