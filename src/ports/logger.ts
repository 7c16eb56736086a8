/**
 * Structured logging: one JSON object per line. Callers pass fields, never pre-formatted strings with
 * secrets in them; `redact` below is the last line of defence.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const SECRET_PATTERNS: RegExp[] = [
  /\b(sk|rk)_(test|live)_[A-Za-z0-9]+/g, // Stripe secret / restricted keys
  /\bwhsec_[A-Za-z0-9+/=]+/g, // webhook signing secrets
  /\bsb_secret_[A-Za-z0-9_-]+/g, // Supabase secret keys
  /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, // JWTs
  /\b(?:\d[ -]?){13,19}\b/g, // card numbers
];

export function redact(text: string): string {
  return SECRET_PATTERNS.reduce((acc, re) => acc.replace(re, (m) => `${m.slice(0, 7)}…[redacted]`), text);
}

export function jsonLogger(
  write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  base: LogFields = {},
): Logger {
  const emit = (level: string, msg: string, fields?: LogFields) =>
    write(redact(JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields })));
  return {
    info: (msg, f) => emit('info', msg, f),
    warn: (msg, f) => emit('warn', msg, f),
    error: (msg, f) => emit('error', msg, f),
    child: (f) => jsonLogger(write, { ...base, ...f }),
  };
}

/** For tests: keeps the lines so that a test can assert nothing secret was logged. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    jsonLogger((l) => lines.push(l)),
    { lines },
  );
}

export const silentLogger: Logger = jsonLogger(() => {});
