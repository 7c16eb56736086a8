/**
 * JSON over HTTP to the deployed functions and to Supabase Auth, as any client of the public API would. An answer
 * that is not the expected status throws with the status and the error code, never the body of a success.
 */
import type { SmokeTestPorts } from './types.ts';

export interface JsonAnswer<T> {
  status: number;
  json: T;
}

export async function requestJson<T>(
  ports: Pick<SmokeTestPorts, 'fetch'>,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<JsonAnswer<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await ports.fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json: json as T };
}

/** The answer's JSON when its status is `expected`; else an error naming the call, status and error code. */
export function expectStatus<T>(answer: JsonAnswer<T>, expected: number | number[], what: string): T {
  const wanted = ([] as number[]).concat(expected);
  if (wanted.includes(answer.status)) return answer.json;
  const body = answer.json as { error?: unknown; error_code?: unknown; msg?: unknown; message?: unknown } | undefined;
  const code = body?.error ?? body?.error_code ?? '';
  const message = body?.message ?? body?.msg ?? '';
  throw new Error(
    `${what} answered ${answer.status}${code ? ` ${String(code)}` : ''}${message ? `: ${String(message)}` : ''}`,
  );
}

/** Headers for a backend key: `apikey` always, `Authorization` too (docs/http-api.md#authentication). */
export const backendHeaders = (key: string): Record<string, string> => ({
  apikey: key,
  authorization: `Bearer ${key}`,
});
