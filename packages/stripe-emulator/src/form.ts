/**
 * Decodes Stripe's form encoding: `a[b][0][c]=v` becomes `{a: {b: [{c: 'v'}]}}`. The SDK writes arrays as
 * indexed keys (`expand[0]=x`, stripe-node utils.stringifyRequestData); `expand[]=x` from curl is accepted too.
 * Values stay strings: each resource parses the numbers and booleans it expects, as Stripe does.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type Params = Record<string, FormValue>;

export function parseForm(body: string): Params {
  const root: Params = {};
  if (!body) return root;
  for (const pair of body.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    assign(root, keyPath(rawKey), value);
  }
  return arraysFromIndexedObjects(root) as Params;
}

function decode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

function keyPath(key: string): string[] {
  const first = key.indexOf('[');
  if (first < 0) return [key];
  const parts = [key.slice(0, first)];
  for (const m of key.slice(first).matchAll(/\[([^\]]*)\]/g)) parts.push(m[1] ?? '');
  return parts;
}

type Mutable = { [key: string]: unknown };

function assign(root: Mutable, path: string[], value: string): void {
  let node: Mutable = root;
  for (let i = 0; i < path.length; i++) {
    let seg = path[i] as string;
    const last = i === path.length - 1;
    if (seg === '') seg = String(Object.keys(node).length); // `a[]=x` appends
    if (last) {
      node[seg] = value;
      return;
    }
    const next = node[seg];
    if (typeof next !== 'object' || next === null) node[seg] = {};
    node = node[seg] as Mutable;
  }
}

/** Objects whose keys are exactly 0..n-1 become arrays (indices may arrive in any order). */
function arraysFromIndexedObjects(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const obj = v as Mutable;
  const keys = Object.keys(obj);
  for (const k of keys) obj[k] = arraysFromIndexedObjects(obj[k]);
  const isArray =
    keys.length > 0 &&
    keys.every((k) => /^\d+$/.test(k)) &&
    keys
      .map(Number)
      .sort((a, b) => a - b)
      .every((n, i) => n === i);
  return isArray
    ? keys
        .map(Number)
        .sort((a, b) => a - b)
        .map((n) => obj[String(n)])
    : obj;
}
