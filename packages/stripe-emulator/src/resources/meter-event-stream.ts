/**
 * The v2 meter event session and stream, as `stripe` 23.1.0 calls them
 * (docs.stripe.com/api/v2/billing/meter-event-session/create, docs.stripe.com/api/v2/billing/meter-event-stream/create):
 * - `stripe.v2.billing.meterEventSession.create()` → POST /v2/billing/meter_event_session with a secret key: a session
 *   whose `authentication_token` is valid for 15 minutes (`meterEventSessionTtlMs`).
 * - `new Stripe(token, …).v2.billing.meterEventStream.create({events})` → POST /v2/billing/meter_event_stream, JSON,
 *   `Authorization: Bearer <token>`; the SDK sends it to meter-events.stripe.com unless the client's `host` is set,
 *   so a client pointed at the emulator reaches it there too. Answers 200 `{}`; an expired token is a 401
 *   `billing_meter_event_session_expired`.
 * - Up to 100 events a request; the request's shape is checked at once (400). "Events are processed asynchronously,
 *   including validation": each event is recorded after `meterEventStreamVisibilityMs` through the same checks as a
 *   v1 meter event (meter, customer, value, timestamp window, identifier de-duplication shared with v1); an event
 *   that fails them is dropped and logged (Stripe reports it in a meter error report, which is not emulated).
 */
import type { Emu } from '../emu.ts';
import { StripeApiError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { KeyMode } from '../limits.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { createMeterEvent } from './meters.ts';
import { authenticate } from '../server.ts';

const MAX_EVENTS = 100;
const MAX_IDENTIFIER_LENGTH = 100;

/** A v2 error: `{error: {type, code, message}}` as the SDK's generateV2Error reads it. */
class V2ApiError extends StripeApiError {
  constructor(
    status: number,
    readonly v2Type: string,
    message: string,
    code?: string,
  ) {
    super(status, 'invalid_request_error', message, code);
  }

  override toJSON(): { error: Record<string, unknown> } {
    return { error: { type: this.v2Type, ...(this.code ? { code: this.code } : {}), message: this.message } };
  }
}

const invalidField = (field: string, message: string) =>
  new V2ApiError(400, 'invalid_request_error', `${field}: ${message}`, 'invalid_fields');

interface Session {
  mode: KeyMode;
  expiresAtMs: number;
}
/** Session tokens live in memory only: after a restart a client creates a new session, as after expiry. */
const sessionsByEmu = new WeakMap<Emu, Map<string, Session>>();
/** Stream events accepted but not yet processed, per emulator: run at their time, or at close. */
const pendingByEmu = new WeakMap<Emu, Set<{ timer: NodeJS.Timeout; run: () => void }>>();

function sessions(emu: Emu): Map<string, Session> {
  let map = sessionsByEmu.get(emu);
  if (!map) {
    map = new Map();
    sessionsByEmu.set(emu, map);
  }
  return map;
}

function authenticateSession(authorization: string | undefined, emu: Emu): KeyMode {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  const session = token ? sessions(emu).get(token) : undefined;
  if (!session)
    throw new StripeApiError(
      401,
      'authentication_error',
      'Invalid meter event session token. Create one with POST /v2/billing/meter_event_session.',
    );
  if (Date.now() >= session.expiresAtMs) {
    throw new V2ApiError(
      401,
      'temporary_session_expired',
      'The meter event session has expired. Create a new session.',
      'billing_meter_event_session_expired',
    );
  }
  return session.mode;
}

/** The request's shape, checked synchronously; returns the events as v1 meter event params. */
function checkEvents(body: Obj): Obj[] {
  for (const key of Object.keys(body)) if (key !== 'events') throw invalidField(key, 'Unknown field.');
  const events = body.events;
  if (!Array.isArray(events) || events.length === 0)
    throw invalidField('events', 'Required: a list of 1 to 100 meter events.');
  if (events.length > MAX_EVENTS) throw invalidField('events', `At most ${MAX_EVENTS} events per request.`);
  return events.map((e: unknown, i) => {
    const at = `events[${i}]`;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw invalidField(at, 'Must be an object.');
    const ev = e as Obj;
    for (const key of Object.keys(ev))
      if (!['event_name', 'identifier', 'payload', 'timestamp'].includes(key))
        throw invalidField(`${at}.${key}`, 'Unknown field.');
    if (typeof ev.event_name !== 'string' || !ev.event_name) throw invalidField(`${at}.event_name`, 'Required.');
    if (typeof ev.payload !== 'object' || ev.payload === null || Array.isArray(ev.payload))
      throw invalidField(`${at}.payload`, 'Required: an object of strings.');
    for (const [k, v] of Object.entries(ev.payload as Obj))
      if (typeof v !== 'string') throw invalidField(`${at}.payload.${k}`, 'Must be a string.');
    if (
      ev.identifier !== undefined &&
      (typeof ev.identifier !== 'string' || ev.identifier.length > MAX_IDENTIFIER_LENGTH)
    ) {
      throw invalidField(`${at}.identifier`, `Must be a string of at most ${MAX_IDENTIFIER_LENGTH} characters.`);
    }
    let timestamp: string | undefined;
    if (ev.timestamp !== undefined) {
      const ms = typeof ev.timestamp === 'string' ? Date.parse(ev.timestamp) : NaN;
      if (Number.isNaN(ms)) throw invalidField(`${at}.timestamp`, 'Must be an RFC 3339 timestamp.');
      timestamp = String(Math.floor(ms / 1000));
    }
    return {
      event_name: ev.event_name,
      payload: { ...ev.payload },
      ...(ev.identifier ? { identifier: ev.identifier } : {}),
      ...(timestamp ? { timestamp } : {}),
    };
  });
}

function processEvents(emu: Emu, events: Obj[]): void {
  for (const event of events) {
    try {
      createMeterEvent(emu, event);
    } catch (err) {
      if (!(err instanceof StripeApiError)) throw err;
      emu.logger.warn('meter event stream: event dropped', {
        event_name: event.event_name,
        identifier: event.identifier ?? null,
        error: err.code ?? err.type,
        message: err.message,
      });
    }
  }
}

function schedule(emu: Emu, events: Obj[]): void {
  const delay = emu.options.meterEventStreamVisibilityMs;
  if (delay <= 0) {
    processEvents(emu, events);
    return;
  }
  let pending = pendingByEmu.get(emu);
  if (!pending) {
    pending = new Set();
    pendingByEmu.set(emu, pending);
  }
  const set = pending;
  void emu.track(
    new Promise<void>((resolve) => {
      const entry = {
        run: () => {
          clearTimeout(entry.timer);
          set.delete(entry);
          processEvents(emu, events);
          resolve();
        },
        timer: setTimeout(() => entry.run(), delay),
      };
      set.add(entry);
    }),
  );
}

/** At close: whatever the stream accepted is recorded before the state is saved. */
export function processPendingStreamEvents(emu: Emu): void {
  for (const entry of [...(pendingByEmu.get(emu) ?? [])]) entry.run();
}

export const meterEventStreamRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/v2/billing/meter_event_session',
    api: (req, emu) => {
      for (const key of Object.keys(req.params)) throw invalidField(key, 'Unknown field.');
      const mode = authenticate(req.headers.authorization); // already checked by the server; the session keeps its mode
      const now = Date.now();
      const expiresAtMs = now + emu.options.meterEventSessionTtlMs;
      const token = newId(mode === 'live' ? 'mets_live' : 'mets_test', 32);
      sessions(emu).set(token, { mode, expiresAtMs });
      return {
        id: newId('mes'),
        object: 'v2.billing.meter_event_session',
        authentication_token: token,
        created: new Date(now).toISOString(),
        expires_at: new Date(expiresAtMs).toISOString(),
        livemode: mode === 'live',
      };
    },
  },
  {
    method: 'POST',
    pattern: '/v2/billing/meter_event_stream',
    authenticate: authenticateSession,
    admit: (_req, emu, mode) => {
      try {
        emu.limits.admitStream(mode);
      } catch (err) {
        if (err instanceof StripeApiError && err.status === 429)
          throw new V2ApiError(429, 'rate_limit', err.message, 'rate_limit');
        throw err;
      }
      return undefined;
    },
    api: (req, emu) => {
      schedule(emu, checkEvents(req.params));
      return {};
    },
  },
];
