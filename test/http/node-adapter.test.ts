/**
 * The Node adapter (src/entries/node/serve.ts) hands the app a Request as the client sent it: a small body with a
 * declared length read whole, a chunked or large one as a stream, every header kept (repeated ones too), and a
 * client that leaves mid-body costs nothing but its own request.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFetch, type NodeServer } from '../../src/entries/node/serve.ts';

/** Answers what arrived: method, path, a header, and the body's size and head. */
async function echo(request: Request): Promise<Response> {
  const body = await request.text();
  return Response.json({
    method: request.method,
    path: new URL(request.url).pathname,
    tags: request.headers.get('x-tag'),
    bytes: body.length,
    head: body.slice(0, 12),
  });
}

/** One raw request through node:http, so that the test chooses between Content-Length and chunked itself. */
function send(
  url: string,
  options: { headers?: Record<string, string | string[]>; chunks: string[]; abortAfterFirst?: boolean },
): Promise<{ status: number; json: Record<string, unknown> } | 'aborted'> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: options.headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.on('error', (error) => (options.abortAfterFirst ? resolve('aborted') : reject(error)));
    req.write(options.chunks[0]);
    if (options.abortAfterFirst) {
      setTimeout(() => req.destroy(), 50);
      return;
    }
    for (const chunk of options.chunks.slice(1)) req.write(chunk);
    req.end();
  });
}

describe('the Node adapter', () => {
  let server: NodeServer;
  beforeAll(async () => {
    server = await serveFetch(echo, { port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('gives a declared body whole, with every header, repeated ones joined', async () => {
    const body = JSON.stringify({ call_id: 'c-1', call_duration_seconds: 30 });
    const res = await send(`${server.url}/functions/v1/report-usage`, {
      headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'x-tag': ['a', 'b'] },
      chunks: [body.slice(0, 10), body.slice(10)],
    });
    expect(res).toEqual({
      status: 200,
      json: {
        method: 'POST',
        path: '/functions/v1/report-usage',
        tags: 'a, b',
        bytes: body.length,
        head: body.slice(0, 12),
      },
    });
  });

  it('streams a chunked body and one larger than it buffers', async () => {
    const piece = 'x'.repeat(16 * 1024);
    const chunked = await send(`${server.url}/echo`, { chunks: [piece, piece, piece, piece, piece] });
    expect(chunked).toMatchObject({ status: 200, json: { bytes: 5 * piece.length } });
    const large = await send(`${server.url}/echo`, {
      headers: { 'content-length': String(5 * piece.length) },
      chunks: [piece, piece, piece, piece, piece],
    });
    expect(large).toMatchObject({ status: 200, json: { bytes: 5 * piece.length } });
  });

  it('a client that leaves mid-body does not stop the next request', async () => {
    const left = await send(`${server.url}/echo`, {
      headers: { 'content-length': '1000' },
      chunks: ['{"partial":'],
      abortAfterFirst: true,
    });
    expect(left).toBe('aborted');
    const next = await send(`${server.url}/echo`, { headers: { 'content-length': '2' }, chunks: ['{}'] });
    expect(next).toMatchObject({ status: 200, json: { bytes: 2 } });
  });
});
