/**
 * Undo what Stripe can undo, in an order that leaves our rows true: cancel the subscription, wait until the
 * webhook has applied the cancellation (deleting the clock first would delete the subscription before its
 * `customer.subscription.deleted` is re-read, and the handler would then find nothing to apply and leave the row
 * active), then delete the test clock, which deletes its customer too. Each step runs whatever the others did.
 */
import type { Step } from './steps.ts';
import type { SmokeState, SmokeTestPorts } from './types.ts';
import type { Summary } from './verify.ts';

export function cleanupSteps(
  ports: SmokeTestPorts,
  state: SmokeState,
  deps: {
    summary: () => Promise<Summary>;
    wait: <T>(what: string, probe: () => Promise<{ value: T } | { seen: string }>) => Promise<T>;
  },
): Step[] {
  const steps: Step[] = [];
  if (state.subscriptionId)
    steps.push(
      {
        name: 'cleanup: subscription canceled',
        async run() {
          const sub = await ports.stripe.subscriptions.cancel(state.subscriptionId!);
          return `${sub.id} ${sub.status}`;
        },
      },
      {
        name: 'cleanup: cancellation applied (billing-summary)',
        async run() {
          const status = await deps.wait<string>('the cancellation in billing-summary', async () => {
            const found = (await deps.summary()).subscription?.status ?? 'none';
            return found === 'canceled' ? { value: found } : { seen: found };
          });
          return status;
        },
      },
    );
  if (state.clockId)
    steps.push({
      name: 'cleanup: test clock deleted (with its customer)',
      async run() {
        await ports.stripe.testHelpers.testClocks.del(state.clockId!);
        return state.clockId!;
      },
    });
  return steps;
}
