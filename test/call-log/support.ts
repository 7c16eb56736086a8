/**
 * Helpers of the call-log suites: the usage-records route called as the app calls it (query string and headers
 * included, CSV read as text), calls recorded through the ledger's own `record_usage`, and an RFC 4180 reader to
 * check the CSV with (a reader independent of the writer under test).
 */
import { errorResponse } from '../../src/http/error-response.ts';
import type { AppContext } from '../../src/usecases/context.ts';
import { route } from '../../src/http/routes/usage-records.ts';
import type { Sql } from '../../src/ports/sql.ts';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';

export async function askUsageRecords(
  ctx: AppContext,
  userId: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const url = new URL(`http://functions.test/functions/v1/usage-records${query}`);
  let response: Response;
  try {
    response = await route.handle(
      {
        request: new Request(url, { method: 'GET', headers }),
        url,
        caller: { kind: 'user', userId, email: undefined },
        rawBody: '',
        json: undefined,
        requestId: 'test',
      },
      ctx,
    );
  } catch (error) {
    response = errorResponse(error, ctx.logger);
  }
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined;
  return { status: response.status, body: json, text, headers: response.headers };
}

/** A finished call through record_usage (the path report-usage takes); throws unless it was counted. */
export async function recordCall(
  sql: Sql,
  orgId: string,
  call: { callId: string; seconds: number; endedAt: string },
): Promise<void> {
  const result = await recordUsage(sql, {
    orgId,
    callId: call.callId,
    durationSeconds: call.seconds,
    billedMinutes: Math.ceil(call.seconds / 60),
    endedAt: new Date(call.endedAt),
  });
  if (result.outcome !== 'recorded') throw new Error(`call ${call.callId}: ${result.outcome}`);
}

/** Every page of the JSON log, following next_cursor. */
export async function allPages(
  ctx: AppContext,
  userId: string,
  query: string,
): Promise<{ pages: any[]; calls: any[] }> {
  const pages: any[] = [];
  let cursor: string | null = null;
  do {
    const res = await askUsageRecords(ctx, userId, `${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (res.status !== 200) throw new Error(`page ${pages.length + 1}: ${res.status} ${res.text}`);
    pages.push(res.body);
    cursor = res.body.next_cursor;
  } while (cursor);
  return { pages, calls: pages.flatMap((p) => p.calls) };
}

/** RFC 4180: CRLF records, quoted fields with doubled quotes. */
export function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}
