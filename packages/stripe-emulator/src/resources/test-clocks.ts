/**
 * Test clocks (docs.stripe.com/billing/testing/test-clocks/api-advanced-usage): `advance` answers at once with
 * status `advancing`; the billing work the clock passes then runs in time order with the clock standing at each
 * moment, and the clock becomes `ready` (event `test_helpers.test_clock.ready`).
 */
import type Stripe from 'stripe';
import type { Emu } from '../emu.ts';
import { invalidParam, invalidRequest } from '../errors.ts';
import { newId } from '../ids.ts';
import { allowOnly, int, str } from '../params.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { addIntervals, type Interval } from '../billing/periods.ts';
import { itemsOf, priceOf } from '../billing/subscription-model.ts';

function getClock(emu: Emu, id: string): Obj {
  return emu.store.require('test_helpers.test_clock', id);
}

/** After a restart from a state file, finishes advances that were cut short. */
export function resumeAdvances(emu: Emu): void {
  for (const clock of emu.store.all('test_helpers.test_clock').filter((c) => c.status === 'advancing')) {
    clock.status = 'ready';
    advance(emu, clock, clock.status_details?.advancing?.target_frozen_time ?? clock.frozen_time);
  }
}

function advance(emu: Emu, clock: Obj, target: number): void {
  clock.status = 'advancing';
  clock.status_details = { advancing: { target_frozen_time: target } };
  emu.store.changed();
  emu.emit('test_helpers.test_clock.advancing', clock);
  void emu.track(
    new Promise<void>((resolve) =>
      setImmediate(() => {
        try {
          emu.scheduler.runDue(clock.id, target, (at) => {
            clock.frozen_time = Math.max(clock.frozen_time as number, Math.floor(at));
          });
        } finally {
          clock.frozen_time = target;
          clock.status = 'ready';
          clock.status_details = {};
          emu.store.changed();
          emu.emit('test_helpers.test_clock.ready', clock);
          resolve();
        }
      }),
    ),
  );
}

/**
 * "Cannot be more than two intervals in the future from the shortest subscription in this test clock. If there
 * are no subscriptions in this test clock, it cannot be more than two years in the future."
 * (docs.stripe.com/api/test_clocks/advance)
 */
function advanceLimit(emu: Emu, clock: Obj): number {
  const from = clock.frozen_time as number;
  const subs = emu.store
    .all('subscription')
    .filter((s) => s.test_clock === clock.id && s.status !== 'canceled' && s.status !== 'incomplete_expired');
  const limits = subs
    .flatMap((s) => itemsOf(emu, s.id))
    .map((i) => {
      const rec = priceOf(emu, i).recurring as { interval: Interval; interval_count: number };
      return addIntervals(from, rec.interval, rec.interval_count, 2);
    });
  return limits.length ? Math.min(...limits) : addIntervals(from, 'year', 1, 2);
}

export const testClockRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/v1/test_helpers/test_clocks',
    api: (req, emu) => {
      allowOnly(req.params, ['frozen_time', 'name']);
      const frozen = int(req.params.frozen_time, 'frozen_time');
      if (frozen === undefined)
        throw invalidParam('frozen_time', 'Missing required param: frozen_time.', 'parameter_missing');
      const clock: Partial<Stripe.TestHelpers.TestClock> = {
        id: newId('clock'),
        object: 'test_helpers.test_clock',
        created: emu.realNow(),
        deletes_after: emu.realNow() + 30 * 86400,
        frozen_time: frozen,
        livemode: false,
        name: str(req.params, 'name') ?? null,
        status: 'ready',
        status_details: {},
      };
      const stored = emu.store.put(clock as Obj);
      emu.emit('test_helpers.test_clock.created', stored);
      return stored;
    },
  },
  {
    method: 'GET',
    pattern: '/v1/test_helpers/test_clocks/:id',
    api: (req, emu) => getClock(emu, req.path_params.id as string),
  },
  {
    method: 'GET',
    pattern: '/v1/test_helpers/test_clocks',
    api: (_req, emu) => emu.store.all('test_helpers.test_clock'),
  },
  {
    method: 'POST',
    pattern: '/v1/test_helpers/test_clocks/:id/advance',
    api: (req, emu) => {
      allowOnly(req.params, ['frozen_time']);
      const clock = getClock(emu, req.path_params.id as string);
      const target = int(req.params.frozen_time, 'frozen_time');
      if (target === undefined)
        throw invalidParam('frozen_time', 'Missing required param: frozen_time.', 'parameter_missing');
      if (clock.status !== 'ready')
        throw invalidRequest('The test clock is already advancing; wait until its status is `ready`.');
      if (target <= clock.frozen_time)
        throw invalidParam(
          'frozen_time',
          'The test clock can only move forward: frozen_time must be after the current frozen_time.',
        );
      const limit = advanceLimit(emu, clock);
      if (target > limit) {
        throw invalidParam(
          'frozen_time',
          `Cannot advance the test clock more than two intervals of the shortest subscription on it (or two years without subscriptions): the furthest allowed frozen_time is ${limit}.`,
        );
      }
      advance(emu, clock, target);
      return clock;
    },
  },
  {
    method: 'DELETE',
    pattern: '/v1/test_helpers/test_clocks/:id',
    api: (req, emu) => {
      const clock = getClock(emu, req.path_params.id as string);
      // Deleting a clock deletes the customers (and so the subscriptions) living on it.
      for (const c of emu.store.all('customer').filter((c) => c.test_clock === clock.id))
        emu.store.remove('customer', c.id);
      emu.store.state.tasks = emu.store.state.tasks.filter((t) => t.clock !== clock.id);
      emu.store.remove('test_helpers.test_clock', clock.id);
      emu.emit('test_helpers.test_clock.deleted', clock);
      return { id: clock.id, object: 'test_helpers.test_clock', deleted: true };
    },
  },
];
