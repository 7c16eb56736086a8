/**
 * GET usage-records as CSV: every call of the cycle, newest first, streamed batch by batch on the same key as the
 * JSON pages (so a cycle of a million calls never sits in memory, and calls recorded meanwhile neither repeat nor
 * vanish from the rows already read). The first batch is read before the answer starts: a database that is down is
 * still a clean 503, not a truncated file. A failure after that ends the stream with an error (the client sees an
 * incomplete download), and goes to the log.
 */
import type { AppContext } from '../context.ts';
import { type CallLogKey, type CallLogRow, listCallsOfCycle } from '../../repositories/call-log.ts';
import { CSV_COLUMNS, csvRow } from './call-view.ts';
import { type CallLogScope, chooseCycle } from './choose-cycle.ts';
import { csvLine, csvValue } from './csv.ts';

const BATCH = 1_000;

export interface CsvExport {
  filename: string;
  body: ReadableStream<Uint8Array>;
}

export async function exportUsageRecordsCsv(ctx: AppContext, scope: CallLogScope): Promise<CsvExport> {
  const { cycle } = await chooseCycle(ctx, scope);
  const read = (after: CallLogKey | undefined) =>
    cycle ? listCallsOfCycle(ctx.sql, { cycleId: cycle.id, after, limit: BATCH }) : Promise.resolve([]);
  let batch: CallLogRow[] | undefined = await read(undefined);
  const encoder = new TextEncoder();
  const header = csvLine(CSV_COLUMNS.map((c) => csvValue(c)));
  let headerSent = false;

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(header));
        }
        if (batch === undefined) {
          controller.close();
          return;
        }
        if (batch.length > 0) controller.enqueue(encoder.encode(batch.map(csvRow).join('')));
        const last = batch.at(-1);
        batch = batch.length === BATCH && last ? await read({ endedAt: last.ended_at_key, id: last.id }) : undefined;
      } catch (error) {
        ctx.logger.error('usage-records csv stream failed', {
          error: error instanceof Error ? error.message : 'unknown',
        });
        controller.error(error);
      }
    },
  });
  const day = cycle ? cycle.period_start.toISOString().slice(0, 10) : 'none';
  return { filename: `aisyst-calls-${day}.csv`, body };
}
