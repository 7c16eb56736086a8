/**
 * One route's handler called as dispatch-route.ts calls it once the caller is known and the body parsed, with
 * failures answered by the app's one error mapper (src/http/error-response.ts): what a client would receive,
 * without HTTP or auth in the way.
 */
import { errorResponse } from '../../src/http/error-response.ts';
import type { AppContext } from '../../src/usecases/context.ts';
import type { Caller, Route } from '../../src/http/route.ts';

export interface RouteCall {
  caller: Caller;
  json?: unknown;
  /** Query string included, e.g. `?org_id=…`. */
  path?: string;
}

export async function handleRoute(
  route: Route,
  ctx: AppContext,
  call: RouteCall,
): Promise<{ status: number; body: any }> {
  const url = new URL(`http://functions.test/functions/v1/${route.name}${call.path ?? ''}`);
  let response: Response;
  try {
    response = await route.handle(
      {
        request: new Request(url, { method: route.method }),
        url,
        caller: call.caller,
        rawBody: JSON.stringify(call.json ?? null),
        json: call.json,
        requestId: 'test',
      },
      ctx,
    );
  } catch (error) {
    response = errorResponse(error, ctx.logger);
  }
  return { status: response.status, body: await response.json() };
}
