/**
 * Buying a plan, across the detours a new customer takes: not signed in → sign up → name the organisation →
 * Checkout. The chosen plan waits in localStorage (so a new tab still knows it; forgotten on sign-out) until every
 * step is done.
 */
import type { PendingCheckout } from './account.ts';
import type { BillingSummary } from './api.ts';
import { errorSentence } from './errors.ts';
import { navigate } from './router.ts';
import type { Services } from './services.ts';

/** Returns an error sentence when Checkout could not start; on success the browser leaves for Stripe. */
export async function startCheckout(services: Services, choice: PendingCheckout): Promise<string | undefined> {
  const { account, api } = services;
  const state = account.get();
  if (!state.session) {
    account.setPendingCheckout(choice);
    navigate('/signup');
    return undefined;
  }
  let summary = state.summary;
  try {
    if (summary === undefined) summary = await account.refreshSummary();
    if (summary === null || summary === undefined) {
      // No organisation yet: name one. Several and none chosen: pick one on the dashboard. Then back to here.
      account.setPendingCheckout(choice);
      navigate(summary === null ? '/onboarding' : '/dashboard');
      return undefined;
    }
    const session = await api.createCheckoutSession({
      plan_id: choice.plan_id,
      billing_period: choice.billing_period,
      org_id: summary.organisation.id,
    });
    account.setPendingCheckout(undefined);
    services.redirect(session.checkout_url);
    return undefined;
  } catch (error) {
    account.setPendingCheckout(undefined);
    return errorSentence(error);
  }
}

/** Where a person goes once signed in (or once their organisation exists). */
export async function continueAfterSignIn(services: Services): Promise<void> {
  const { account } = services;
  let summary: BillingSummary | null | undefined;
  try {
    summary = await account.refreshSummary();
  } catch (error) {
    account.setFlash(errorSentence(error));
    navigate('/dashboard');
    return;
  }
  if (summary === null) {
    navigate('/onboarding');
    return;
  }
  if (summary === undefined) {
    navigate('/dashboard'); // several organisations: the dashboard asks which one, then comes back here
    return;
  }
  const pending = account.pendingCheckout();
  if (!pending) {
    navigate('/dashboard');
    return;
  }
  const problem = await startCheckout(services, pending);
  if (problem) {
    account.setFlash(problem);
    navigate('/pricing');
  }
}
