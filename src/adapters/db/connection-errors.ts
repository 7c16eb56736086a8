/**
 * Why a PostgreSQL connection could not be made, in words an operator can act on. The caller names the variable
 * that holds the URL (DATABASE_URL, TEST_DATABASE_URL); nothing here prints the URL's user or password.
 */
import { connectTimeoutSeconds, describeDatabaseUrl } from '../../config/database-url.ts';

/** Opening the database failed before any query of ours ran: `reason` says why, without secrets. */
export class DatabaseConnectionError extends Error {
  constructor(
    readonly reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(reason, options);
    this.name = 'DatabaseConnectionError';
  }
}

const TLS_FAILURE = /TLS|SSL|certificate|self[- ]signed|altname/i;

/** A sentence for a connection-time failure, or undefined when `error` is something else (a failing query). */
export function explainConnectionError(error: unknown, url: string): string | undefined {
  const err = error as { code?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = typeof err?.message === 'string' ? err.message : '';
  const where = describeDatabaseUrl(url);
  const sslmode = safeParam(url, 'sslmode');
  switch (code) {
    case 'CONNECT_TIMEOUT':
      return (
        `${where} did not answer within ${connectTimeoutSeconds(url)} s. Is the host right and the server up? ` +
        '(add ?connect_timeout=<seconds> to the URL to wait longer)'
      );
    case 'ECONNREFUSED':
      return `${where} refused the connection: nothing listens on that port. Is PostgreSQL running, and is the port right?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host "${safeHost(url)}" of ${where} was not found (DNS). Is the host name right?`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} cannot be reached from this machine (${code}). Is the host right?`;
    case '3D000':
      return `${where}: ${message}. Create it (createdb) or correct the database name in the URL.`;
    case '28P01':
    case '28000':
      return `${where} refused the login: ${message}. Check the user and password in the URL.`;
    case '57P03':
      return `${where} is starting up or shutting down: ${message}. Try again in a moment.`;
    case '53300':
      return `${where} has no free connection slots: ${message}.`;
  }
  if (TLS_FAILURE.test(message) || code.startsWith('ERR_TLS') || /CERT|SELF_SIGNED/.test(code)) {
    return (
      `the TLS handshake with ${where} failed (sslmode=${sslmode ?? 'unset'}): ${message}. A local server without TLS ` +
      'needs no sslmode (or sslmode=disable); Supabase needs sslmode=require.'
    );
  }
  if (
    code === 'ECONNRESET' ||
    code === 'CONNECTION_CLOSED' ||
    code === 'CONNECTION_ENDED' ||
    code === 'CONNECTION_DESTROYED'
  ) {
    return `${where} closed the connection before it was ready (${code}). Is that port a PostgreSQL server?`;
  }
  return undefined;
}

function safeParam(url: string, name: string): string | null {
  try {
    return new URL(url).searchParams.get(name);
  } catch {
    return null;
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '?';
  }
}
