/**
 * POST report-usage (backend only): one finished call (docs/http-api.md#report-usage). Validation here, the rules in
 * usecases/record-usage.ts; the answer is sent once the call is committed, delivery to Stripe follows.
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { recordFinishedCall } from '../../usecases/record-usage.ts';
import { jsonResponse } from '../json.ts';
import type { Route } from '../route.ts';
import { PRINTABLE_MESSAGE, isPrintable } from '../text-rules.ts';
import { isoInstant, parseInput } from '../validate.ts';

/** 1–255 printable characters (code points; "printable" as text-rules.ts defines it: nothing invisible, no unpaired surrogate). */
const CallId = z
  .string('must be a string')
  .refine((s) => [...s].length >= 1 && [...s].length <= 255, 'must be 1–255 characters')
  .refine(isPrintable, PRINTABLE_MESSAGE);

const Body = z.object({
  org_id: z.guid('must be an organisation id (uuid)'),
  call_id: CallId,
  call_duration_minutes: z.number('must be a number').optional(),
  call_duration_seconds: z.number('must be a number').optional(),
  ended_at: isoInstant('must be an ISO 8601 date-time with a time zone, e.g. 2026-11-25T10:00:00Z').optional(),
});

export const route: Route = {
  name: 'report-usage',
  method: 'POST',
  auth: 'backend',
  async handle({ json }, ctx) {
    const body = parseInput(Body, json);
    const hasMinutes = body.call_duration_minutes !== undefined;
    const hasSeconds = body.call_duration_seconds !== undefined;
    if (hasMinutes === hasSeconds) {
      throw new AppError('invalid_request', 'Give exactly one of call_duration_minutes or call_duration_seconds.', {
        field: hasMinutes ? 'call_duration_seconds' : 'call_duration_minutes',
      });
    }
    const result = await recordFinishedCall(ctx, {
      orgId: body.org_id,
      callId: body.call_id,
      duration: hasMinutes ? { minutes: body.call_duration_minutes! } : { seconds: body.call_duration_seconds! },
      endedAt: body.ended_at === undefined ? undefined : new Date(body.ended_at),
    });
    return jsonResponse({
      call_id: result.callId,
      billed_minutes: result.billedMinutes,
      duplicate: result.duplicate,
      cycle: result.cycle,
    });
  },
};
