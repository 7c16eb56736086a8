/**
 * The call log as the Calls section reads it (docs/http-api.md#usage-records): a page of calls, the minutes per day,
 * and the whole cycle as a CSV file. Loaded with the section (calls-lazy.tsx), so none of it is in the entry bundle.
 * Failures throw `ApiError` with the server's code, as the main client does (api.ts).
 */
import type { listUsageRecords } from '../../../src/usecases/call-log/list-usage-records.ts';
import type { sumDailyMinutes } from '../../../src/usecases/call-log/sum-daily-minutes.ts';
import { ApiError } from '../api.ts';
import { loadRuntimeConfig, type RuntimeConfig } from '../config.ts';
import type { Services } from '../services.ts';

/** The response shapes are the server's own (types only, erased by the build). */
export type CallLogPage = Awaited<ReturnType<typeof listUsageRecords>>;
export type CallView = CallLogPage['calls'][number];
export type DailyMinutes = Awaited<ReturnType<typeof sumDailyMinutes>>;

export interface CallsQuery {
  orgId: string;
  /** A cycle id; undefined = the current cycle. */
  cycleId?: string | undefined;
}

export interface CallsClient {
  page(query: CallsQuery & { cursor?: string | null; limit: number }): Promise<CallLogPage>;
  daily(query: CallsQuery): Promise<DailyMinutes>;
  /** The whole cycle as CSV, named as the server suggests when the browser may read its header (else `fallbackName`). */
  csv(query: CallsQuery, fallbackName: string): Promise<{ blob: Blob; filename: string }>;
}

let config: Promise<RuntimeConfig> | undefined;

export function createCallsClient(services: Pick<Services, 'supabase'>, fetchFn: typeof fetch = fetch): CallsClient {
  async function get(query: CallsQuery, extra: Record<string, string>): Promise<Response> {
    // index.html preloads /config.json, so this is answered from the browser's cache.
    config ??= loadRuntimeConfig(fetchFn);
    const { functionsUrl, supabaseAnonKey } = await config;
    const token = (await (await services.supabase).auth.getSession()).data.session?.access_token;
    const params = new URLSearchParams({ org_id: query.orgId, ...extra });
    if (query.cycleId) params.set('cycle', query.cycleId);
    const headers: Record<string, string> = { apikey: supabaseAnonKey };
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetchFn(`${functionsUrl}/usage-records?${params}`, { headers });
    } catch {
      throw new ApiError('network', 'The network request failed.', 0);
    }
    if (!response.ok) {
      const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      const { error, message, ...details } = payload;
      throw new ApiError(
        typeof error === 'string' ? error : 'internal',
        typeof message === 'string' ? message : '',
        response.status,
        details,
      );
    }
    return response;
  }

  return {
    page: async ({ cursor, limit, ...query }) =>
      (await get(query, { limit: String(limit), ...(cursor ? { cursor } : {}) })).json() as Promise<CallLogPage>,
    daily: async (query) => (await get(query, { view: 'daily' })).json() as Promise<DailyMinutes>,
    csv: async (query, fallbackName) => {
      const response = await get(query, { format: 'csv' });
      const named = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '');
      return { blob: await response.blob(), filename: named?.[1] ?? fallbackName };
    },
  };
}
