/**
 * `.env` files in the dotenv format (github.com/motdotla/dotenv#rules): `KEY=VALUE` lines, optional `export `
 * prefix, `#` comment lines, values in '…' (literal), "…" (\n, \r, \t, \" and \\ expanded) or `…` (literal), quoted
 * values may span lines, later keys win. One deliberate difference: an unquoted `#` starts a comment only at the
 * start of the value or after whitespace, so that `DATABASE_URL=postgres://u:pa#ss@h/db` survives.
 * `loadDotEnv` is pure; `readEnv` is the Node-side helper for entries and imports node:fs lazily.
 */
const LINE_START = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

export function loadDotEnv(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  let rest = text.replace(/\r\n?/g, '\n');
  while (rest.length > 0) {
    const newline = rest.indexOf('\n');
    const line = newline === -1 ? rest : rest.slice(0, newline);
    const start = LINE_START.exec(line);
    if (!start) {
      rest = newline === -1 ? '' : rest.slice(newline + 1); // blank, comment or malformed line: ignored, as dotenv does
      continue;
    }
    const key = start[1] as string;
    const afterEquals = rest.slice(start[0].length);
    const quote = afterEquals[0];
    const close = quote === '"' || quote === "'" || quote === '`' ? findClosingQuote(afterEquals, quote) : -1;
    if (close > 0) {
      const inner = afterEquals.slice(1, close);
      result[key] = quote === '"' ? inner.replace(/\\([nrt"\\])/g, (_, c: string) => ESCAPES[c] as string) : inner;
      const endOfLine = afterEquals.indexOf('\n', close);
      rest = endOfLine === -1 ? '' : afterEquals.slice(endOfLine + 1); // anything after the closing quote is a comment
    } else {
      const valueLine = newline === -1 ? afterEquals : afterEquals.slice(0, afterEquals.indexOf('\n'));
      result[key] = valueLine.replace(/(^|[ \t])#.*$/, '').trim();
      rest = newline === -1 ? '' : rest.slice(newline + 1);
    }
  }
  return result;
}

/** Index of the quote closing the one at index 0 (a backslash escapes it inside "…"), or -1. */
function findClosingQuote(text: string, quote: string): number {
  for (let i = 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

/**
 * `.env` values under the process environment: a variable set in the process wins, except an empty one, since an
 * empty string means unset everywhere in the configuration (parse-config.ts).
 */
export function mergeEnv(
  fileEnv: Record<string, string>,
  processEnv: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = { ...fileEnv };
  for (const [key, value] of Object.entries(processEnv))
    if (value !== undefined && (value !== '' || !(key in merged))) merged[key] = value;
  return merged;
}

/** Node-side: reads `<cwd>/.env` if present and merges it under `processEnv`. */
export async function readEnv(
  cwd: string,
  processEnv: Record<string, string | undefined>,
): Promise<Record<string, string | undefined>> {
  return (await readEnvWithOrigins(cwd, processEnv)).env;
}

/**
 * `readEnv`, and which variables took their value from `.env` (so that an error can say where to fix it:
 * "DATABASE_URL (from .env)").
 */
export async function readEnvWithOrigins(
  cwd: string,
  processEnv: Record<string, string | undefined>,
): Promise<{ env: Record<string, string | undefined>; fromDotEnv: ReadonlySet<string> }> {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  let text: string;
  try {
    text = await readFile(join(cwd, '.env'), 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return { env: { ...processEnv }, fromDotEnv: new Set() };
    throw error;
  }
  const fileEnv = loadDotEnv(text);
  const env = mergeEnv(fileEnv, processEnv);
  return {
    env,
    fromDotEnv: new Set(
      Object.keys(fileEnv).filter((key) => env[key] === fileEnv[key] && processEnv[key] !== fileEnv[key]),
    ),
  };
}
