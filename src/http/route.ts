import type { AppContext } from '../usecases/context.ts';

/** Who is calling, as established by the app's auth step before a handler runs. */
export type Caller =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: string; email: string | undefined }
  | { kind: 'backend' };

export interface RouteInput {
  request: Request;
  url: URL;
  caller: Caller;
  /** The body as received (≤ 64 KiB), for signature checks. */
  rawBody: string;
  /** The parsed JSON body for POSTs (invalid JSON is refused before the handler runs); undefined for GETs. */
  json: unknown;
  /** For a route with `subPaths`: what follows /<name>/ (e.g. `twilio` in voice-webhook/twilio); '' otherwise. */
  subPath?: string;
  requestId: string;
}

/**
 * One function under /functions/v1/<name>. The app does routing, method checks, body limits, JSON parsing, auth
 * and error mapping; a route only validates its input, calls its use case and shapes the success response.
 * `auth: 'stripe-signature'` / `'platform-signature'` means the route verifies the request itself from `rawBody`
 * (Stripe's, or a voice platform's signature); the body is not parsed as JSON for it.
 */
export interface Route {
  name: string;
  method: 'GET' | 'POST';
  auth: 'none' | 'user' | 'backend' | 'stripe-signature' | 'platform-signature';
  /** Also serve /<name>/<sub-path> (voice-webhook/<platform>); by default only /<name> matches. */
  subPaths?: boolean;
  /** Larger than the default 64 KiB (read-body.ts) where a platform sends more (an ElevenLabs transcript). */
  bodyLimitBytes?: number;
  /** An empty POST body counts as `{}` (deliver-usage: a scheduler may send none); otherwise it is `invalid_json`. */
  emptyBodyAllowed?: boolean;
  handle(input: RouteInput, ctx: AppContext): Promise<Response>;
}
