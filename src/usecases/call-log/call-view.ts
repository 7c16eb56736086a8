/** One call as the log shows it, in JSON and in CSV (the same columns, the same order). */
import type { CallLogRow } from '../../repositories/call-log.ts';
import { csvLine, csvText, csvValue } from './csv.ts';

export interface CallView {
  call_id: string;
  ended_at: string;
  duration_seconds: number;
  billed_minutes: number;
  /** The outbox state (docs/database.md#usage_records): pending, sent, failed or unbilled. */
  stripe_status: CallLogRow['stripe_status'];
  /** Stripe's meter has it (stripe_status `sent`): it is on the invoice of its period. */
  delivered_to_stripe: boolean;
}

export const CSV_COLUMNS = [
  'call_id',
  'ended_at',
  'duration_seconds',
  'billed_minutes',
  'stripe_status',
  'delivered_to_stripe',
] as const;

export function callView(row: CallLogRow): CallView {
  return {
    call_id: row.call_id,
    ended_at: row.ended_at.toISOString(),
    duration_seconds: Number(exactDecimal(row.duration_seconds)),
    billed_minutes: row.billed_minutes,
    stripe_status: row.stripe_status,
    delivered_to_stripe: row.stripe_status === 'sent',
  };
}

export function csvRow(row: CallLogRow): string {
  return csvLine([
    csvText(row.call_id),
    csvValue(row.ended_at.toISOString()),
    // The stored decimal as written, trailing zeros dropped: exact, never through a float.
    csvValue(exactDecimal(row.duration_seconds)),
    csvValue(row.billed_minutes),
    csvValue(row.stripe_status),
    csvValue(row.stripe_status === 'sent'),
  ]);
}

/** '61.500' → '61.5', '60.000' → '60'. */
export function exactDecimal(numeric: string): string {
  return numeric.includes('.') ? numeric.replace(/0+$/, '').replace(/\.$/, '') : numeric;
}
