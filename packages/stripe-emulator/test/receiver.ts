/** A local webhook endpoint for tests: records raw deliveries and answers with a status the test chooses. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  body: string;
  signature: string;
  at: number;
}

export async function startReceiver(status: (attempt: number) => number = () => 200) {
  const deliveries: Delivery[] = [];
  let attempts = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['stripe-signature'] ?? ''),
        at: Date.now(),
      });
      res.writeHead(status(attempts++)).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    deliveries,
    types: () => deliveries.map((d) => (JSON.parse(d.body) as { type: string }).type),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
