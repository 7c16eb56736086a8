/** The built pages on a real port (node:http) for browser tests that mock the API with page.route(). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createPagesHandler } from '../../../src/http/static-pages.ts';

export const WEB_DIST = join(import.meta.dirname, '..', '..', '..', 'web', 'dist');

export async function servePages(): Promise<{ url: string; close(): Promise<void> }> {
  let origin = '';
  const handler = (req: Request) =>
    createPagesHandler({
      distDir: WEB_DIST,
      runtimeConfig: { functionsUrl: `${origin}/functions/v1`, supabaseUrl: origin, supabaseAnonKey: 'test-anon-key' },
    })(req);
  const server: Server = createServer(async (req, res) => {
    const response = await handler(new Request(`${origin}${req.url ?? '/'}`, { method: req.method ?? 'GET' }));
    if (!response) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":"not_found","message":"Not served by the pages."}');
      return;
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: origin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
