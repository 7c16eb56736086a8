/**
 * Switching plans from the pricing page. Stripe changes the subscription at once; our rows follow from its webhook
 * (usually within a second), so we wait briefly for the summary to show the new plan before opening the dashboard.
 */
import { errorSentence } from './errors.ts';
import { navigate } from './router.ts';
import type { Services } from './services.ts';

const WAIT_FOR_WEBHOOK_MS = 10_000;
const POLL_EVERY_MS = 500;

/** Returns an error sentence when the switch was refused; on success the dashboard opens. */
export async function switchPlan(services: Services, planId: string): Promise<string | undefined> {
  const { account, api } = services;
  const orgId = account.get().summary?.organisation.id;
  try {
    await api.changePlan({ plan_id: planId, ...(orgId ? { org_id: orgId } : {}) });
  } catch (error) {
    return errorSentence(error);
  }
  const deadline = Date.now() + WAIT_FOR_WEBHOOK_MS;
  while (Date.now() < deadline) {
    const summary = await account.refreshSummary().catch(() => undefined);
    if (summary?.subscription?.plan.id === planId) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
  }
  navigate('/dashboard');
  return undefined;
}
