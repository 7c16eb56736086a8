/**
 * The Node adapter: node:http ↔ fetch Request/Response, a few lines as in hono's adapters. Everything else is the
 * web-standard app. Listens on 127.0.0.1 by default (a local stack is nobody else's business).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

export type FetchHandler = (request: Request) => Promise<Response>;

export interface NodeServer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Thrown when the port is taken, with a message that says what to do. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    variable: string,
  ) {
    super(`Port ${port} is in use — set ${variable}=… to another port or stop the other process`);
    this.name = 'PortInUseError';
  }
}

export async function serveFetch(
  handler: FetchHandler,
  options: { port: number; host?: string; portVariable?: string },
): Promise<NodeServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    void respond(handler, req, res, host);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(options.port, options.portVariable ?? 'PORT') : err),
    );
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still in flight get a moment; then their sockets go too.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      }),
  };
}

/**
 * A body whose length is declared and small is read here, in Node, and handed to the Request whole: wrapping the
 * socket as a web stream (`Readable.toWeb`) cost a tenth of the stack's main thread on report-usage under load
 * (issue 13 §0). Node's parser never passes more bytes than Content-Length declares. Anything else (chunked, or
 * larger) is streamed, so that the app's reader can refuse it without buffering it (http/read-body.ts).
 */
const BUFFERED_BODY_BYTES = 64 * 1024;

export async function toRequest(req: IncomingMessage, host: string): Promise<Request> {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
  const init: RequestInit & { duplex?: 'half' } = { method: req.method ?? 'GET', headers };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared <= BUFFERED_BODY_BYTES) init.body = (await readWhole(req)) as Uint8Array<ArrayBuffer>;
    else {
      init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      init.duplex = 'half';
    }
  }
  return new Request(url, init);
}

function readWhole(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('the client closed the request before its body ended'));
    });
  });
}

async function respond(handler: FetchHandler, req: IncomingMessage, res: ServerResponse, host: string): Promise<void> {
  try {
    const response = await handler(await toRequest(req, host));
    const headers: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      if (name === 'set-cookie') return;
      headers[name] = value;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) headers['set-cookie'] = cookies;
    // The app never streams an answer (JSON, pages, redirects): the whole body goes out with its length in one
    // write, instead of a write per chunk of a web stream (measured on report-usage under load, issue 13 §0).
    const body = response.body ? new Uint8Array(await response.arrayBuffer()) : undefined;
    if (body) headers['content-length'] = String(body.byteLength);
    res.writeHead(response.status, headers);
    res.end(body);
  } catch {
    // The app maps every error itself; reaching here means the socket died mid-answer.
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end(res.headersSent ? undefined : '{"error":"internal","message":"Something went wrong on our side."}');
  }
}
