/**
 * Switching plans from the pricing page. An upgrade changes the subscription at once and our rows follow from its
 * webhook (usually within a second), so we wait briefly for the summary to show the new plan before opening the
 * dashboard; a downgrade is scheduled for the period end and shows as a pending change. Either way the dashboard
 * greets the owner with what happened.
 */
import type { PlanChanged } from './api.ts';
import { errorSentence } from './errors.ts';
import { formatDate } from './format.ts';
import { navigate } from './router.ts';
import type { Services } from './services.ts';

const WAIT_FOR_WEBHOOK_MS = 10_000;
const POLL_EVERY_MS = 500;

/** Returns an error sentence when the switch was refused; on success the dashboard opens. */
export async function switchPlan(services: Services, planId: string, planName: string): Promise<string | undefined> {
  const { account, api } = services;
  const orgId = account.get().summary?.organisation.id;
  let answer: PlanChanged;
  try {
    answer = await api.changePlan({ plan_id: planId, ...(orgId ? { org_id: orgId } : {}) });
  } catch (error) {
    return errorSentence(error);
  }
  const scheduled = typeof answer.effective_at === 'string';
  const deadline = Date.now() + WAIT_FOR_WEBHOOK_MS;
  while (!scheduled && Date.now() < deadline) {
    const summary = await account.refreshSummary().catch(() => undefined);
    if (summary?.subscription?.plan.id === planId) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
  }
  if (scheduled) await account.refreshSummary().catch(() => undefined);
  account.setSuccess(
    scheduled
      ? `Your plan switches to ${planName} on ${formatDate(answer.effective_at!)}. Until then nothing changes.`
      : `You are now on ${planName}.`,
  );
  navigate('/dashboard');
  return undefined;
}

/** Keeps the current plan: cancels a downgrade waiting for the period end (change-plan to the plan one has). */
export async function keepCurrentPlan(services: Services, planId: string): Promise<string | undefined> {
  const { account, api } = services;
  const orgId = account.get().summary?.organisation.id;
  try {
    await api.changePlan({ plan_id: planId, ...(orgId ? { org_id: orgId } : {}) });
    await account.refreshSummary();
  } catch (error) {
    return errorSentence(error);
  }
  return undefined;
}

/** Undoes a scheduled cancellation; the webhook updates our rows, so the summary is re-read until it shows. */
export async function resumeSubscription(services: Services): Promise<string | undefined> {
  const { account, api } = services;
  const orgId = account.get().summary?.organisation.id;
  try {
    await api.resumeSubscription(orgId ? { org_id: orgId } : {});
  } catch (error) {
    return errorSentence(error);
  }
  const deadline = Date.now() + WAIT_FOR_WEBHOOK_MS;
  while (Date.now() < deadline) {
    const summary = await account.refreshSummary().catch(() => undefined);
    if (summary?.subscription && !summary.subscription.cancel_at_period_end && !summary.subscription.cancel_at) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
  }
  return undefined;
}
