/**
 * All emulator state in one JSON-serialisable value, so that `stateFile` persistence is a plain dump/load.
 * Objects are kept in Stripe's shape per kind (insertion-ordered: lists are newest first by reversal);
 * derived parts (a subscription's `items`, an invoice's `lines`) are rendered on read (render.ts).
 */
import { notFound } from './errors.ts';
import { kindOfId } from './ids.ts';
import type { Task } from './billing/scheduler.ts';

// Stored objects are Stripe-shaped JSON; resources cast them to the SDK's types when they hand them out.
// biome-ignore lint/suspicious/noExplicitAny: Stripe objects are open-ended JSON; each resource module reads its own fields
export type Obj = Record<string, any>;

export interface UsageRecord {
  customer: string;
  timestamp: number;
  value: number;
  identifier: string;
  /** Wall-clock ms Stripe received it: a cancellation is possible for 24 hours after. Absent in older state files. */
  received?: number;
  /** Cancelled by a meter event adjustment: no longer counted. */
  canceled?: boolean;
}

export interface State {
  objects: Record<string, Record<string, Obj>>;
  /** Meter usage by event name, in arrival order. */
  usage: Record<string, UsageRecord[]>;
  /** Meter event identifier → wall-clock ms when first seen (dedup window). */
  identifiers: Record<string, number>;
  /** Payment method id → how charges on it behave (from the test token it was made from). */
  cards: Record<string, CardBehaviour>;
  /** Webhook endpoint id → signing secret (Stripe shows it only in the create response). */
  secrets: Record<string, string>;
  tasks: Task[];
}

export type CardBehaviour = 'succeeds' | 'declines' | 'fails_later';

export function emptyState(): State {
  return { objects: {}, usage: {}, identifiers: {}, cards: {}, secrets: {}, tasks: [] };
}

export class Store {
  constructor(
    public state: State = emptyState(),
    private onChange: () => void = () => {},
  ) {}

  collection(kind: string): Record<string, Obj> {
    const objects = this.state.objects[kind] ?? {};
    this.state.objects[kind] = objects;
    return objects;
  }

  put<T extends Obj>(obj: T): T {
    this.collection(obj.object as string)[obj.id as string] = obj;
    this.onChange();
    return obj;
  }

  get(kind: string, id: string): Obj | undefined {
    return this.state.objects[kind]?.[id];
  }

  /** The object, or Stripe's 404 `resource_missing` (naming `param` when the id came from a parameter). */
  require(kind: string, id: string, param?: string): Obj {
    const obj = this.get(kind, id);
    if (!obj) throw notFound(kind, id, param);
    return obj;
  }

  byId(id: string): Obj | undefined {
    const kind = kindOfId(id);
    return kind ? this.get(kind, id) : undefined;
  }

  remove(kind: string, id: string): void {
    delete this.state.objects[kind]?.[id];
    this.onChange();
  }

  /** Newest first, as Stripe lists. */
  all(kind: string): Obj[] {
    return Object.values(this.collection(kind)).reverse();
  }

  changed(): void {
    this.onChange();
  }
}
