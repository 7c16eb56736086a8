/**
 * The call log's page cursor: opaque to callers, it carries the cycle being paged and the key of the last call shown
 * (repositories/call-log.ts). A cursor is checked in full before any query runs: one that was altered, truncated or
 * made up is a 400 `invalid_request` with `field: "cursor"`, never a 500 from PostgreSQL parsing a bad timestamp.
 */
import { isUuid } from '../../domain/uuid.ts';
import { AppError } from '../../errors.ts';
import type { CallLogKey } from '../../repositories/call-log.ts';

export interface PageCursor {
  cycleId: string;
  after: CallLogKey;
}

/** The ids in a cursor we wrote are as PostgreSQL prints a uuid: lower case. */
const isCursorId = (value: string) => isUuid(value) && value === value.toLowerCase();
const KEY_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;
/** A cursor we wrote is ~150 characters; anything much longer is not one. */
const MAX_CURSOR_LENGTH = 400;

export function encodePageCursor(cursor: PageCursor): string {
  const json = JSON.stringify({ c: cursor.cycleId, t: cursor.after.endedAt, i: cursor.after.id });
  return toBase64Url(new TextEncoder().encode(json));
}

export function decodePageCursor(text: string): PageCursor {
  const parsed = text.length <= MAX_CURSOR_LENGTH && /^[A-Za-z0-9_-]+$/.test(text) ? parseJson(text) : undefined;
  const c = parsed?.c;
  const t = parsed?.t;
  const i = parsed?.i;
  if (typeof c !== 'string' || typeof t !== 'string' || typeof i !== 'string' || !isCursorId(c) || !isCursorId(i)) {
    throw badCursor();
  }
  if (!isCalendarInstant(t)) throw badCursor();
  return { cycleId: c, after: { endedAt: t, id: i } };
}

export function badCursor(message = 'cursor: not a cursor this endpoint gave out (start again without one).') {
  return new AppError('invalid_request', message, { field: 'cursor' });
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(text)));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// Web-standard base64url (btoa/atob), not Node's Buffer: the same code runs in Supabase's Deno runtime.
function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/** A real UTC date and time (no 30 February, no hour 24) in the years PostgreSQL and JavaScript agree on. */
function isCalendarInstant(text: string): boolean {
  const m = KEY_TIME.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const d = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return (
    year >= 2000 &&
    d.getUTCFullYear() === year &&
    d.getUTCMonth() === month - 1 &&
    d.getUTCDate() === day &&
    d.getUTCHours() === hour &&
    d.getUTCMinutes() === minute &&
    d.getUTCSeconds() === second
  );
}
