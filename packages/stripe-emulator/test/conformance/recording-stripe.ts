/** The official SDK pointed at an emulator, keeping the raw JSON body of every successful response it receives. */
import Stripe from 'stripe';
import type { RunningStripeEmulator } from '../../src/index.ts';

export interface Recorded {
  request: string;
  body: unknown;
}

export function recordingStripe(emulator: RunningStripeEmulator, recorded: Recorded[]): Stripe {
  const inner = Stripe.createNodeHttpClient();
  const httpClient: typeof inner = Object.create(inner);
  httpClient.makeRequest = async (host, port, path, method, ...rest) => {
    const response = await inner.makeRequest(host, port, path, method, ...rest);
    const body = response.toJSON() as Promise<unknown>;
    // The SDK reads the body through this copy and turns decimal strings into Decimal objects in place:
    // record a clone of the wire JSON, taken before the SDK's own handler runs.
    const copy: typeof response = Object.create(response);
    copy.toJSON = () => body;
    if (response.getStatusCode() < 300)
      void body.then(
        (json) => recorded.push({ request: `${method} ${path.split('?')[0]}`, body: structuredClone(json) }),
        () => {},
      );
    return copy;
  };
  return new Stripe('sk_test_emulator', {
    host: emulator.host,
    port: emulator.port,
    protocol: 'http',
    maxNetworkRetries: 0,
    httpClient,
  });
}
