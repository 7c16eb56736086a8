/**
 * Serves the built customer pages (web/dist) on the local stack, beside the functions. An adapter for the Node
 * entry: it reads files with node:fs. In production the same files are static hosting's job (README: put a
 * config.json next to index.html), so nothing here is deployed.
 *
 * - `/config.json` comes from the stack's own config, so the one build works for every environment.
 * - App routes (/pricing, /dashboard, …) answer index.html; the SPA routes in the browser.
 * - Vite's hashed files under /assets/ never change, so they are cached for a year as immutable; index.html is
 *   revalidated every time so a new build is picked up at once.
 * - Anything else (functions, auth, health, unknown paths) returns undefined for the app to handle.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

export interface PagesRuntimeConfig {
  functionsUrl: string;
  supabaseUrl: string;
  supabaseAnonKey: string;
}

export const APP_ROUTES = ['/', '/pricing', '/dashboard', '/admin', '/signin', '/signup', '/onboarding'] as const;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

export function createPagesHandler(options: { distDir: string; runtimeConfig: PagesRuntimeConfig }) {
  const root = resolve(options.distDir);
  const configBody = JSON.stringify(options.runtimeConfig);
  const immutable = new Map<string, Uint8Array>();

  return async function handlePages(req: Request): Promise<Response | undefined> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    const pathname = new URL(req.url).pathname;
    const head = req.method === 'HEAD';

    if (pathname === '/config.json') {
      return respond(head, configBody, { 'content-type': CONTENT_TYPES['.json']!, 'cache-control': 'no-store' });
    }
    if ((APP_ROUTES as readonly string[]).includes(pathname.replace(/(.)\/+$/, '$1'))) {
      const html = await readIfFile(resolve(root, 'index.html'));
      if (!html) {
        return respond(
          head,
          'The pages are not built. Run `npm run build:web` (npm start does it for you).',
          {
            'content-type': CONTENT_TYPES['.txt']!,
          },
          503,
        );
      }
      return respond(head, html, { 'content-type': CONTENT_TYPES['.html']!, 'cache-control': 'no-cache' });
    }

    const file = resolveInside(root, pathname);
    if (!file || !(extname(file) in CONTENT_TYPES)) return undefined;
    const hashed = pathname.startsWith('/assets/');
    // A hashed file's content never changes under its name, so it is read from disk once.
    const body = (hashed ? immutable.get(file) : undefined) ?? (await readIfFile(file));
    if (!body) return undefined;
    if (hashed && immutable.size < 256) immutable.set(file, body);
    return respond(head, body, {
      'content-type': CONTENT_TYPES[extname(file)]!,
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    });
  };
}

/** The file a URL path names inside `root`, or undefined for anything that could escape it. */
export function resolveInside(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.length === 0 || segments.some((s) => s === '..' || s === '.' || s.startsWith('.'))) return undefined;
  const file = resolve(root, ...segments);
  return file.startsWith(root + sep) ? file : undefined;
}

async function readIfFile(file: string): Promise<Uint8Array | undefined> {
  try {
    if (!(await stat(file)).isFile()) return undefined;
    return new Uint8Array(await readFile(file));
  } catch {
    return undefined;
  }
}

function respond(head: boolean, body: string | Uint8Array, headers: Record<string, string>, status = 200): Response {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return new Response(head ? null : (bytes as BodyInit), {
    status,
    headers: { ...SECURITY_HEADERS, ...headers, 'content-length': String(bytes.byteLength) },
  });
}
