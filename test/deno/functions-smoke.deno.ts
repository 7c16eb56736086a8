/**
 * Run by Deno (see functions-smoke.test.ts), not by vitest: loads every supabase/functions/<name>/index.ts as the
 * Edge Runtime would, with `Deno.serve` captured instead of listening, and sends each a few requests that need
 * neither the database nor Stripe. Prints one JSON line with what each answered.
 */
declare const Deno: { serve: unknown; args: string[] };

type Handler = (request: Request) => Promise<Response>;
let captured: Handler | undefined;
Deno.serve = (handler: Handler) => {
  captured = handler;
  return { finished: Promise.resolve(), shutdown: async () => {}, ref() {}, unref() {} };
};

const results: Record<string, Record<string, number | string>> = {};
// Arguments: `<name>=<module path relative to this file>` (a source entry, or one of the deploy tree's).
for (const arg of Deno.args) {
  const [name, modulePath] = arg.split('=') as [string, string];
  captured = undefined;
  await import(modulePath);
  if (!captured) throw new Error(`${name}: index.ts did not call Deno.serve`);
  const handler: Handler = captured;
  const preflight = await handler(new Request(`http://functions.local/${name}`, { method: 'OPTIONS' }));
  const unknown = await handler(new Request('http://functions.local/no-such-function'));
  const wrongMethod = await handler(
    new Request(`http://functions.local/functions/v1/${name}`, { method: 'PUT', body: '{}' }),
  );
  results[name] = {
    preflight: preflight.status,
    cors: preflight.headers.get('access-control-allow-headers') ?? '',
    unknown: unknown.status,
    unknownError: ((await unknown.json()) as { error: string }).error,
    wrongMethod: wrongMethod.status,
  };
}
console.log(JSON.stringify(results));
