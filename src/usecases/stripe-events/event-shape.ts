/**
 * A signed event is still input: the signature proves who sent the bytes, not that they make an event. Before
 * anything is recorded we check the fields the pipeline reads (docs.stripe.com/api/events/object: `id`, `type`,
 * `created`, `data.object`), and for the types we act on the ids it passes to Stripe. A malformed event is a 400
 * `invalid_request` naming the field, and nothing is written — never a 500 from the database or a TypeError.
 */
import type Stripe from 'stripe';
import { AppError } from '../../errors.ts';

/** Printable ASCII, as Stripe's ids are; also keeps NUL (which PostgreSQL text refuses) out of the database. */
const ID = /^[\x21-\x7e]{1,255}$/;
const TYPE = /^[a-z0-9_.]{1,100}$/i;
/** 9999-12-31T23:59:59Z: PostgreSQL's to_timestamp takes any second up to there. */
const MAX_UNIX = 253_402_300_799;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function refuse(field: string, what: string): never {
  throw new AppError('invalid_request', `The signed event is malformed: ${field} ${what}.`, { field });
}

export function assertStripeEventShape(event: unknown): asserts event is Stripe.Event {
  if (!isObject(event)) return refuse('event', 'must be a JSON object');
  if (typeof event.id !== 'string' || !ID.test(event.id)) refuse('id', 'must be an event id');
  if (typeof event.type !== 'string' || !TYPE.test(event.type)) refuse('type', 'must be an event type');
  const created = event.created;
  if (typeof created !== 'number' || !Number.isSafeInteger(created) || created < 0 || created > MAX_UNIX)
    refuse('created', 'must be a Unix time');
  if (!isObject(event.data)) return refuse('data', 'must be an object');
  const object = event.data.object;
  if (!isObject(object)) return refuse('data.object', 'must be an object');
  const type = event.type as string;
  if (SUBSCRIPTION_EVENTS.has(type) || INVOICE_EVENTS.has(type)) {
    if (typeof object.id !== 'string' || !ID.test(object.id)) refuse('data.object.id', 'must be an id');
  }
  if (INVOICE_EVENTS.has(type)) assertInvoiceLines(object);
}

/** The types handlers.ts acts on by the object's own id (others are acknowledged without reading more). */
const SUBSCRIPTION_EVENTS = new Set([
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
]);
const INVOICE_EVENTS = new Set(['invoice.paid', 'invoice.payment_failed']);

/** record-invoice.ts reads each line's period. */
function assertInvoiceLines(invoice: Record<string, unknown>): void {
  const lines = invoice.lines;
  if (lines === undefined || !isObject(lines) || !Array.isArray(lines.data))
    refuse('data.object.lines', 'must be a list of invoice lines');
  for (const line of lines.data) {
    const period = isObject(line) ? line.period : undefined;
    if (!isObject(period) || typeof period.start !== 'number' || typeof period.end !== 'number') {
      refuse('data.object.lines.data.period', 'must have a start and an end');
    }
  }
}
