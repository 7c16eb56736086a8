/** Aggregates a meter's usage for one customer over [from, to) by the meter's formula. */
import type { Emu } from '../emu.ts';
import type { Obj } from '../store.ts';

export function usageTotal(emu: Emu, meter: Obj, customer: string, from: number, to: number): number {
  const events = (emu.store.state.usage[meter.event_name as string] ?? []).filter(
    (u) => u.customer === customer && u.timestamp >= from && u.timestamp < to && !u.canceled,
  );
  switch (meter.default_aggregation.formula) {
    case 'count':
      return events.length;
    case 'last': {
      const last = events.reduce<(typeof events)[number] | undefined>(
        (a, e) => (!a || e.timestamp >= a.timestamp ? e : a),
        undefined,
      );
      return last?.value ?? 0;
    }
    default:
      return events.reduce((sum, e) => sum + e.value, 0);
  }
}
