/** GET /health: is the database answering, and which Stripe is behind us (SPEC.md §3). */
import type { AppContext } from './route.ts';
import { describeCause } from './error-response.ts';
import { jsonResponse } from './json.ts';

export async function healthResponse(ctx: AppContext): Promise<Response> {
  const body = { database: ctx.sql.dialect, stripe: ctx.config.stripe.mode };
  try {
    await ctx.sql.query('select 1');
    return jsonResponse({ ok: true, ...body });
  } catch (err) {
    ctx.logger.error('health check: database failed', { cause: describeCause(err) });
    return jsonResponse({ ok: false, ...body }, 503);
  }
}
