/**
 * Billing meters, meter events and event summaries (docs.stripe.com/api/billing/meter,
 * docs.stripe.com/billing/subscriptions/usage-based/recording-usage-api).
 * - `identifier` is at most 100 characters (docs.stripe.com/api/billing/meter-event/create) and deduplicated for
 *   at least 24 hours (wall clock; `meterEventIdentifierTtlMs`): a longer one or a repeat is a 400.
 * - Summaries leave out events cancelled by a meter event adjustment (meter-event-adjustments.ts).
 * - `timestamp` must lie within the past 35 days and at most 5 minutes ahead, measured on the customer's
 *   clock, i.e. the test clock's frozen time when the customer is on one.
 * - Usage for a customer without a metered subscription item is accepted and simply never billed.
 */
import type Stripe from 'stripe';
import type { Emu } from '../emu.ts';
import { invalidParam, invalidRequest, missingParam } from '../errors.ts';
import { newId } from '../ids.ts';
import { allowOnly, int, obj, requiredStr, str } from '../params.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { usageTotal } from '../billing/usage.ts';

const PAST_WINDOW_S = 35 * 86400;
const FUTURE_WINDOW_S = 5 * 60;
const MAX_IDENTIFIER_LENGTH = 100;

function getMeter(emu: Emu, id: string): Obj {
  return emu.store.require('billing.meter', id);
}

export const meterRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/v1/billing/meters',
    api: (req, emu) => {
      const p = req.params;
      allowOnly(p, [
        'display_name',
        'event_name',
        'default_aggregation',
        'customer_mapping',
        'value_settings',
        'event_time_window',
      ]);
      const eventName = requiredStr(p, 'event_name');
      if (emu.store.all('billing.meter').some((m) => m.event_name === eventName && m.status === 'active')) {
        throw invalidParam('event_name', `An active meter with event_name \`${eventName}\` already exists.`);
      }
      const formula = obj(p, 'default_aggregation')?.formula as string | undefined;
      if (!formula) throw missingParam('default_aggregation[formula]');
      const now = emu.realNow();
      const meter: Partial<Stripe.Billing.Meter> = {
        id: newId('mtr'),
        object: 'billing.meter',
        created: now,
        customer_mapping: {
          event_payload_key: String(obj(p, 'customer_mapping')?.event_payload_key ?? 'stripe_customer_id'),
          type: 'by_id',
        },
        default_aggregation: { formula: formula as Stripe.Billing.Meter.DefaultAggregation.Formula },
        display_name: requiredStr(p, 'display_name'),
        event_name: eventName,
        event_time_window: (str(p, 'event_time_window') ?? null) as Stripe.Billing.Meter.EventTimeWindow | null,
        livemode: false,
        status: 'active',
        status_transitions: { deactivated_at: null },
        updated: now,
        value_settings: { event_payload_key: String(obj(p, 'value_settings')?.event_payload_key ?? 'value') },
      };
      return emu.store.put(meter as Obj);
    },
  },
  { method: 'GET', pattern: '/v1/billing/meters/:id', api: (req, emu) => getMeter(emu, req.path_params.id as string) },
  {
    method: 'GET',
    pattern: '/v1/billing/meters',
    api: (req, emu) =>
      emu.store.all('billing.meter').filter((m) => req.params.status === undefined || m.status === req.params.status),
  },
  {
    method: 'POST',
    pattern: '/v1/billing/meters/:id/deactivate',
    api: (req, emu) => {
      const m = getMeter(emu, req.path_params.id as string);
      Object.assign(m, {
        status: 'inactive',
        status_transitions: { deactivated_at: emu.realNow() },
        updated: emu.realNow(),
      });
      return m;
    },
  },
  {
    method: 'POST',
    pattern: '/v1/billing/meter_events',
    api: (req, emu) => createMeterEvent(emu, req.params),
    admit: (req, emu, mode) =>
      emu.limits.admitMeterEvent(
        mode,
        customerOf(emu, req.params),
        typeof req.params.event_name === 'string' ? req.params.event_name : undefined,
      ),
  },
  {
    method: 'GET',
    pattern: '/v1/billing/meters/:id/event_summaries',
    api: (req, emu) => {
      const meter = getMeter(emu, req.path_params.id as string);
      const q = req.params;
      const customer = requiredStr(q, 'customer');
      const start = int(q.start_time, 'start_time');
      const end = int(q.end_time, 'end_time');
      if (start === undefined) throw missingParam('start_time');
      if (end === undefined) throw missingParam('end_time');
      // Summaries are minute-granular: both bounds must sit on a minute boundary.
      if (start % 60 !== 0) throw invalidParam('start_time', 'start_time must be aligned to minute boundaries.');
      if (end % 60 !== 0) throw invalidParam('end_time', 'end_time must be aligned to minute boundaries.');
      const window =
        q.value_grouping_window === 'hour' ? 3600 : q.value_grouping_window === 'day' ? 86400 : end - start;
      const out: Obj[] = [];
      for (let t = start; t < end; t += window) {
        const to = Math.min(end, t + window);
        out.push({
          id: newId('mtrusum'),
          object: 'billing.meter_event_summary',
          aggregated_value: usageTotal(emu, meter, customer, t, to),
          end_time: to,
          livemode: false,
          meter: meter.id,
          start_time: t,
        });
      }
      return out;
    },
  },
];

/** The customer a meter event is for, by its meter's `customer_mapping` (for the per-customer limit). */
function customerOf(emu: Emu, p: Obj): string | undefined {
  const meter = emu.store.all('billing.meter').find((m) => m.event_name === p.event_name && m.status === 'active');
  const customer = (p.payload as Obj | undefined)?.[meter?.customer_mapping.event_payload_key ?? 'stripe_customer_id'];
  return typeof customer === 'string' ? customer : undefined;
}

/** Validates and records one meter event (v1, and each event of a v2 stream request once it is processed). */
export function createMeterEvent(emu: Emu, p: Obj): Obj {
  allowOnly(p, ['event_name', 'payload', 'identifier', 'timestamp']);
  const eventName = requiredStr(p, 'event_name');
  const payload = obj(p, 'payload');
  if (!payload) throw missingParam('payload');
  const meter = emu.store.all('billing.meter').find((m) => m.event_name === eventName && m.status === 'active');
  if (!meter) throw invalidParam('event_name', `No active meter was found for event_name \`${eventName}\`.`);
  const customerKey = meter.customer_mapping.event_payload_key as string;
  const valueKey = meter.value_settings.event_payload_key as string;
  const customer = payload[customerKey];
  if (typeof customer !== 'string' || !customer) throw missingParam(`payload[${customerKey}]`);
  const rawValue = payload[valueKey] ?? (meter.default_aggregation.formula === 'count' ? '1' : undefined);
  if (rawValue === undefined) throw missingParam(`payload[${valueKey}]`);
  if (typeof rawValue !== 'string' || !/^\d+$/.test(rawValue))
    throw invalidParam(`payload[${valueKey}]`, `The value of \`payload[${valueKey}]\` must be a whole number.`);
  const now = emu.nowFor(customer);
  const timestamp = int(p.timestamp, 'timestamp') ?? now;
  if (timestamp < now - PAST_WINDOW_S || timestamp > now + FUTURE_WINDOW_S) {
    throw invalidParam(
      'timestamp',
      'Timestamp must be within the past 35 days and no more than 5 minutes in the future.',
      'timestamp_out_of_range',
    );
  }
  const identifier = str(p, 'identifier') ?? newId('mev');
  if (identifier.length > MAX_IDENTIFIER_LENGTH) {
    throw invalidParam('identifier', `Invalid identifier: must be at most ${MAX_IDENTIFIER_LENGTH} characters long.`);
  }
  const seen = emu.store.state.identifiers[identifier];
  if (seen !== undefined && Date.now() - seen < emu.options.meterEventIdentifierTtlMs) {
    throw invalidRequest(
      `An event with identifier \`${identifier}\` already exists. Meter event identifiers must be unique within 24 hours.`,
      'identifier',
    );
  }
  emu.store.state.identifiers[identifier] = Date.now();
  const events = emu.store.state.usage[eventName] ?? [];
  emu.store.state.usage[eventName] = events;
  events.push({ customer, timestamp, value: Number(rawValue), identifier, received: Date.now() });
  emu.store.changed();
  return {
    object: 'billing.meter_event',
    created: now,
    event_name: eventName,
    identifier,
    livemode: false,
    payload: { ...payload },
    timestamp,
  };
}
