/**
 * What DATABASE_URL may say beyond being a postgres:// URL, checked before any connection is tried: the
 * `sslmode` and `connect_timeout` parameters, with libpq's names and values
 * (postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS), which postgres.js reads from the URL too.
 */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

/** Seconds to wait for the server to answer before start-up stops; `?connect_timeout=<seconds>` overrides it. */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

/** Problems with the URL's parameters, each naming `variable`; [] when it is fine. Never echoes the URL. */
export function databaseUrlProblems(url: string, variable = 'DATABASE_URL'): string[] {
  let params: URLSearchParams;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
      return [`${variable} must be a postgres:// or postgresql:// URL`];
    params = parsed.searchParams;
  } catch {
    return [`${variable} must be a postgres:// or postgresql:// URL`];
  }
  const problems: string[] = [];
  const sslmode = params.get('sslmode');
  if (sslmode !== null && !(SSL_MODES as readonly string[]).includes(sslmode)) {
    problems.push(`${variable} has sslmode=${sslmode.slice(0, 20)}, which is not one of ${SSL_MODES.join(', ')}`);
  }
  const timeout = params.get('connect_timeout');
  if (timeout !== null && !/^[1-9]\d{0,4}$/.test(timeout))
    problems.push(`${variable} has a connect_timeout that is not a whole number of seconds (1 or more)`);
  return problems;
}

/** The connect timeout the URL asks for, or the default. */
export function connectTimeoutSeconds(url: string): number {
  try {
    const text = new URL(url).searchParams.get('connect_timeout');
    return text !== null && /^[1-9]\d{0,4}$/.test(text) ? Number(text) : DEFAULT_CONNECT_TIMEOUT_SECONDS;
  } catch {
    return DEFAULT_CONNECT_TIMEOUT_SECONDS;
  }
}

/**
 * Whether the URL is a transaction-mode pooler (port 6543: Supavisor, or PgBouncer in transaction mode), which hands
 * each transaction to any server connection, so a named prepared statement made in an earlier one may not exist
 * there. Direct connections and session mode (5432) keep them (supabase.com/kb/troubleshooting/disabling-prepared-statements-qL8lEL).
 */
export function isTransactionPooler(url: string): boolean {
  try {
    return new URL(url).port === '6543';
  } catch {
    return false;
  }
}

/** "PostgreSQL at host:port/database", never the user or password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `PostgreSQL at ${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}
