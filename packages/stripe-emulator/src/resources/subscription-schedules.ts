/**
 * Subscription schedules (docs.stripe.com/api/subscription_schedules), the subset a downgrade "at the period end"
 * needs: create `from_subscription` (one phase: the subscription's items, from its current period start to its
 * end), update `phases` (the current phase kept as it is, later phases re-pricing the items), release (the
 * subscription keeps running, unscheduled), cancel (the schedule AND its subscription end now), retrieve, list.
 * Phases are entered at renewals: billing/schedule-phases.ts.
 */
import type { Emu } from '../emu.ts';
import { invalidParam, invalidRequest, missingParam } from '../errors.ts';
import type { Params } from '../form.ts';
import { newId } from '../ids.ts';
import { allowOnly, arr, bool, int, mergeMetadata, obj, requiredStr, str } from '../params.ts';
import { addIntervals, type Interval } from '../billing/periods.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { endSchedule, mapPhaseItems, phaseEnd, phaseObject, type PhaseItem } from '../billing/schedule-phases.ts';
import { cancelSubscription } from '../billing/subscription-billing.ts';
import { itemsOf, updateSubscriptionFields } from '../billing/subscription-model.ts';
import { getSubscription } from './subscriptions.ts';

const getSchedule = (emu: Emu, id: string): Obj => emu.store.require('subscription_schedule', id);

function create(emu: Emu, p: Params): Obj {
  allowOnly(p, ['from_subscription', 'metadata', 'customer', 'phases', 'start_date', 'end_behavior']);
  const subId = str(p, 'from_subscription');
  if (!subId)
    throw invalidRequest('The emulator creates subscription schedules from_subscription only.', 'from_subscription');
  for (const key of ['customer', 'phases', 'start_date', 'end_behavior']) {
    if (p[key] !== undefined) throw invalidParam(key, `You cannot set \`${key}\` if \`from_subscription\` is set.`);
  }
  const sub = getSubscription(emu, subId, 'from_subscription');
  if (sub.schedule)
    throw invalidRequest(
      `You cannot migrate a subscription that is already attached to a schedule: \`${sub.schedule}\`.`,
      'from_subscription',
    );
  if (!['active', 'trialing', 'past_due'].includes(sub.status))
    throw invalidRequest(`A ${sub.status} subscription cannot get a schedule.`, 'from_subscription');
  const items = itemsOf(emu, sub.id);
  const start = Math.min(...items.map((i) => i.current_period_start as number));
  const end = Math.max(...items.map((i) => i.current_period_end as number)); // a yearly fee's year, not its monthly usage item's month
  const now = emu.nowFor(sub.customer);
  const phase = phaseObject(emu, sub, {
    items: items.map((i) => ({ price: i.price, quantity: i.quantity })),
    start,
    end,
    proration: 'create_prorations',
  });
  const schedule = emu.store.put({
    id: newId('sub_sched'),
    object: 'subscription_schedule',
    application: null,
    billing_mode: { type: 'flexible', flexible: { proration_discounts: 'included' }, updated_at: now },
    canceled_at: null,
    completed_at: null,
    created: now,
    current_phase: { start_date: start, end_date: end },
    customer: sub.customer,
    customer_account: null,
    default_settings: {
      application_fee_percent: null,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null },
      billing_cycle_anchor: 'automatic',
      billing_thresholds: null,
      collection_method: 'charge_automatically',
      default_payment_method: sub.default_payment_method,
      description: null,
      invoice_settings: {
        account_tax_ids: null,
        custom_fields: null,
        days_until_due: null,
        description: null,
        footer: null,
        issuer: { type: 'self' },
      },
      on_behalf_of: null,
      transfer_data: null,
    },
    end_behavior: 'release',
    livemode: false,
    metadata: mergeMetadata({}, p.metadata),
    pause_schedules: [],
    phases: [phase],
    released_at: null,
    released_subscription: null,
    status: 'active',
    subscription: sub.id,
    test_clock: sub.test_clock ?? null,
  });
  emu.emit('subscription_schedule.created', schedule);
  updateSubscriptionFields(emu, sub, { schedule: schedule.id });
  return schedule;
}

/** New phases: the first must be the current one (same start); each later one starts where the one before ends. */
function update(emu: Emu, schedule: Obj, p: Params): Obj {
  allowOnly(p, ['phases', 'end_behavior', 'metadata', 'proration_behavior', 'default_settings']);
  if (schedule.status !== 'active')
    throw invalidRequest(`You cannot update a subscription schedule that is ${schedule.status}.`);
  const previous: Obj = {};
  const endBehavior = str(p, 'end_behavior');
  if (endBehavior !== undefined && endBehavior !== 'release')
    throw invalidParam('end_behavior', 'The emulator models end_behavior=release only.');
  if (p.metadata !== undefined)
    [previous.metadata, schedule.metadata] = [schedule.metadata, mergeMetadata(schedule.metadata, p.metadata)];
  const raw = arr(p, 'phases') as Params[] | undefined;
  if (raw) {
    const sub = getSubscription(emu, schedule.subscription);
    const phases: Obj[] = [];
    raw.forEach((phase, i) => {
      const items = ((arr(phase, 'items') ?? []) as Params[]).map((it, j): PhaseItem => {
        const price = str(it, 'price') ?? '';
        if (!price) throw missingParam(`phases[${i}][items][${j}][price]`);
        emu.store.require('price', price, `phases[${i}][items][${j}][price]`);
        const quantity = int(it.quantity, `phases[${i}][items][${j}][quantity]`);
        return quantity === undefined ? { price } : { price, quantity };
      });
      if (!items.length) throw missingParam(`phases[${i}][items]`);
      const mapping = mapPhaseItems(emu, sub, items);
      if (typeof mapping === 'string') throw invalidParam(`phases[${i}][items]`, mapping);
      const start =
        i === 0
          ? (int(phase.start_date, `phases[0][start_date]`) ?? schedule.current_phase.start_date)
          : phases[i - 1]!.end_date;
      if (i === 0 && start !== schedule.current_phase.start_date) {
        throw invalidParam('phases[0][start_date]', 'You can not modify the start date of the current phase.');
      }
      const duration = obj(phase, 'duration');
      const end =
        int(phase.end_date, `phases[${i}][end_date]`) ??
        (duration
          ? addIntervals(
              start,
              str(duration, 'interval') as Interval,
              int(duration.interval_count, `phases[${i}][duration][interval_count]`) ?? 1,
              1,
            )
          : phaseEnd(emu, start, items, int(phase.iterations, `phases[${i}][iterations]`) ?? 1));
      if (end <= start) throw invalidParam(`phases[${i}][end_date]`, 'The phase end must be after its start.');
      if (i === 0 && sameItems(items, schedule.phases[0].items) === false) {
        throw invalidParam(
          'phases[0][items]',
          'The emulator does not change the current phase: schedule changes in later phases.',
        );
      }
      phases.push(
        phaseObject(emu, sub, {
          items,
          start,
          end,
          metadata: mergeMetadata({}, phase.metadata),
          proration: str(phase, 'proration_behavior') ?? 'create_prorations',
        }),
      );
    });
    previous.phases = schedule.phases;
    schedule.phases = phases;
    schedule.current_phase = { start_date: phases[0]!.start_date, end_date: phases[0]!.end_date };
  }
  emu.store.changed();
  emu.emit('subscription_schedule.updated', schedule, previous);
  return schedule;
}

const sameItems = (a: PhaseItem[], b: Obj[]) => {
  const key = (list: Obj[]) =>
    list
      .map((x) => `${x.price}×${x.quantity ?? ''}`)
      .sort()
      .join();
  return key(a) === key(b);
};

function release(emu: Emu, schedule: Obj, p: Params): Obj {
  allowOnly(p, ['preserve_cancel_date']);
  if (schedule.status !== 'active' && schedule.status !== 'not_started')
    throw invalidRequest(`You cannot release a subscription schedule that is ${schedule.status}.`);
  const sub = schedule.subscription ? emu.store.get('subscription', schedule.subscription) : undefined;
  endSchedule(emu, schedule, undefined, 'released');
  if (sub) updateSubscriptionFields(emu, sub, { schedule: null });
  return schedule;
}

function cancel(emu: Emu, schedule: Obj, p: Params): Obj {
  allowOnly(p, ['invoice_now', 'prorate']);
  if (schedule.status !== 'active' && schedule.status !== 'not_started')
    throw invalidRequest(`You cannot cancel a subscription schedule that is ${schedule.status}.`);
  const sub = schedule.subscription ? emu.store.get('subscription', schedule.subscription) : undefined;
  endSchedule(emu, schedule, sub, 'canceled');
  if (sub)
    cancelSubscription(emu, sub, {
      invoiceNow: bool(p.invoice_now, 'invoice_now') ?? true,
      reason: 'cancellation_requested',
    });
  return schedule;
}

export const subscriptionScheduleRoutes: Route[] = [
  { method: 'POST', pattern: '/v1/subscription_schedules', api: (req, emu) => create(emu, req.params) },
  {
    method: 'GET',
    pattern: '/v1/subscription_schedules/:id',
    api: (req, emu) => getSchedule(emu, req.path_params.id as string),
  },
  {
    method: 'POST',
    pattern: '/v1/subscription_schedules/:id',
    api: (req, emu) => update(emu, getSchedule(emu, req.path_params.id as string), req.params),
  },
  {
    method: 'POST',
    pattern: '/v1/subscription_schedules/:id/release',
    api: (req, emu) => release(emu, getSchedule(emu, req.path_params.id as string), req.params),
  },
  {
    method: 'POST',
    pattern: '/v1/subscription_schedules/:id/cancel',
    api: (req, emu) => cancel(emu, getSchedule(emu, req.path_params.id as string), req.params),
  },
  {
    method: 'GET',
    pattern: '/v1/subscription_schedules',
    api: (req, emu) => {
      const customer = req.params.customer === undefined ? undefined : requiredStr(req.params, 'customer');
      return emu.store.all('subscription_schedule').filter((s) => customer === undefined || s.customer === customer);
    },
  },
];
