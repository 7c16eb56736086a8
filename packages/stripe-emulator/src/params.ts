/** Request parameter checks that answer as Stripe does: unknown → parameter_unknown, missing → parameter_missing. */
import { invalidParam, missingParam, unknownParam } from './errors.ts';
import type { FormValue, Params } from './form.ts';

const ALWAYS_ALLOWED = ['expand'];

export function allowOnly(params: Params, allowed: string[]): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key) && !ALWAYS_ALLOWED.includes(key)) throw unknownParam(key);
  }
}

export function required(params: Params, key: string): FormValue {
  const v = params[key];
  if (v === undefined || v === '') throw missingParam(key);
  return v;
}

export function str(params: Params, key: string): string | undefined {
  const v = params[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidParam(key, `Invalid string: ${key}`);
  return v;
}

export function requiredStr(params: Params, key: string): string {
  required(params, key);
  return str(params, key) as string;
}

export function int(value: FormValue | undefined, param: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^-?\d+$/.test(value))
    throw invalidParam(param, `Invalid integer: ${String(value)}`);
  return Number(value);
}

export function bool(value: FormValue | undefined, param: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalidParam(param, `Invalid boolean: ${String(value)}`);
}

/** Metadata update semantics: keys merge, an empty value deletes a key, `metadata=''` clears all. */
export function mergeMetadata(current: Record<string, string>, update: FormValue | undefined): Record<string, string> {
  if (update === undefined) return current;
  if (update === '') return {};
  if (typeof update !== 'object' || Array.isArray(update)) throw invalidParam('metadata', 'Invalid hash');
  const out = { ...current };
  for (const [k, v] of Object.entries(update)) {
    if (v === '') delete out[k];
    else out[k] = String(v);
  }
  return out;
}

export function expandPaths(params: Params): string[] {
  const e = params.expand;
  if (e === undefined) return [];
  return (Array.isArray(e) ? e : [e]).map(String);
}

export function obj(params: Params, key: string): Params | undefined {
  const v = params[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParam(key, `Invalid hash: ${key}`);
  return v as Params;
}

export function arr(params: Params, key: string): FormValue[] | undefined {
  const v = params[key];
  if (v === undefined || v === '') return undefined;
  if (!Array.isArray(v)) throw invalidParam(key, `Invalid array: ${key}`);
  return v;
}
