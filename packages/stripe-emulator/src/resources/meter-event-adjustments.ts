/**
 * Meter event adjustments (docs.stripe.com/api/billing/meter-event-adjustment/create): `type=cancel` with
 * `cancel[identifier]` cancels one meter event, which then no longer counts in event summaries nor in a draft
 * invoice's metered line. A finalised invoice keeps what it billed ("If you cancel usage that's included on a
 * finalized invoice, we won't update the invoice", docs.stripe.com/billing/subscriptions/usage-based/recording-usage).
 * Only events Stripe received within the last 24 hours (wall clock) can be cancelled; of two events sharing an
 * identifier (accepted again after the dedupe window) the most recent one is cancelled.
 *
 * Simplification: Stripe answers `status: "pending"` and applies the adjustment asynchronously, reporting a
 * failure later; the emulator applies it at once (answering `complete`) and refuses what it cannot cancel (no such
 * event, older than 24 hours, already cancelled) with a 400, so that a caller sees the outcome.
 */
import type { Emu } from '../emu.ts';
import { invalidParam, invalidRequest, missingParam } from '../errors.ts';
import { allowOnly, obj, requiredStr } from '../params.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';

const CANCEL_WINDOW_MS = 24 * 3600 * 1000;

export const meterEventAdjustmentRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/v1/billing/meter_event_adjustments',
    api: (req, emu) => createAdjustment(emu, req.params),
  },
];

function createAdjustment(emu: Emu, p: Obj): Obj {
  allowOnly(p, ['event_name', 'type', 'cancel']);
  const eventName = requiredStr(p, 'event_name');
  const type = requiredStr(p, 'type');
  if (type !== 'cancel') throw invalidParam('type', 'Invalid type: must be `cancel`.');
  const identifier = obj(p, 'cancel')?.identifier;
  if (typeof identifier !== 'string' || !identifier) throw missingParam('cancel[identifier]');
  if (!emu.store.all('billing.meter').some((m) => m.event_name === eventName && m.status === 'active')) {
    throw invalidParam('event_name', `No active meter was found for event_name \`${eventName}\`.`);
  }
  const now = Date.now();
  const event = (emu.store.state.usage[eventName] ?? [])
    .filter((u) => u.identifier === identifier && !u.canceled && now - (u.received ?? 0) < CANCEL_WINDOW_MS)
    .at(-1);
  if (!event) {
    throw invalidRequest(
      `No meter event with identifier \`${identifier}\` received within the last 24 hours can be canceled.`,
      'cancel[identifier]',
    );
  }
  event.canceled = true;
  emu.store.changed();
  return {
    object: 'billing.meter_event_adjustment',
    cancel: { identifier },
    event_name: eventName,
    livemode: false,
    status: 'complete',
    type: 'cancel',
  };
}
