/** /onboarding: the first sign-in without an organisation asks for its name and creates it (POST organisations). */
import { useEffect, useState } from 'preact/hooks';
import { useAccountState } from '../account.ts';
import { continueAfterSignIn } from '../checkout.ts';
import { Notice } from '../components/notice.tsx';
import { errorSentence } from '../errors.ts';
import { navigate } from '../router.ts';
import { useServices } from '../services.ts';

export function OnboardingPage() {
  const services = useServices();
  const state = useAccountState(services.account);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();

  useEffect(() => {
    if (state.session === null) navigate('/signin', { replace: true });
    // While submitting, continueAfterSignIn decides where to go (maybe Checkout), not this effect.
    else if (state.summary && !busy) navigate('/dashboard', { replace: true });
  }, [state.session, state.summary, busy]);

  async function submit(event: Event) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget as HTMLFormElement).get('organisation') ?? '').trim();
    if (!name) {
      setProblem('Please enter the name of your organisation.');
      return;
    }
    setBusy(true);
    setProblem(undefined);
    try {
      const organisation = await services.api.createOrganisation(name);
      services.account.rememberOrganisation(organisation.id);
      await continueAfterSignIn(services);
    } catch (error) {
      setBusy(false);
      setProblem(errorSentence(error));
    }
  }

  return (
    <section class="narrow card">
      {services.account.pendingCheckout() && <p class="step">Step 2 of 3</p>}
      <h1 tabIndex={-1}>Name your organisation</h1>
      <p class="lede">This is the name your subscription and invoices are kept under.</p>
      {problem && (
        <Notice tone="error" title="We could not create your organisation">
          {problem}
        </Notice>
      )}
      <form onSubmit={submit} class="form">
        <div class="field">
          <label for="organisation">Organisation name</label>
          <input
            id="organisation"
            name="organisation"
            type="text"
            autoComplete="organization"
            required
            maxLength={200}
            // biome-ignore lint/a11y/noAutofocus: naming the organisation is the page's only task
            autoFocus
          />
        </div>
        <button type="submit" class="button button-primary button-block" disabled={busy} aria-busy={busy}>
          {busy ? 'Creating…' : services.account.pendingCheckout() ? 'Continue to checkout' : 'Continue'}
        </button>
      </form>
    </section>
  );
}
