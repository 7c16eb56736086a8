/**
 * /signup and /signin: email + password through supabase-js (real Supabase Auth in production, the local stack's
 * Auth subset locally). After either, continueAfterSignIn decides: name the organisation, resume a chosen plan's
 * checkout, or go to the dashboard.
 */
import { useEffect, useState } from 'preact/hooks';
import { useAccountState } from '../account.ts';
import { continueAfterSignIn } from '../checkout.ts';
import { Notice } from '../components/notice.tsx';
import { authErrorSentence } from '../errors.ts';
import { useServices } from '../services.ts';

export function AuthPage({ mode }: { url: URL; mode: 'signin' | 'signup' }) {
  const services = useServices();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const [confirmEmail, setConfirmEmail] = useState<string | undefined>();
  const pending = services.account.pendingCheckout();
  const signup = mode === 'signup';
  const { session } = useAccountState(services.account);

  // Already signed in (e.g. a bookmarked /signin): carry on as after signing in, unless this form is doing so.
  useEffect(() => {
    if (session && !busy) void continueAfterSignIn(services);
  }, [Boolean(session)]);

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    setBusy(true);
    setProblem(undefined);
    const supabase = await services.supabase;
    const { data, error } = signup
      ? await supabase.auth.signUp({ email, password })
      : await supabase.auth.signInWithPassword({ email, password });
    if (error) {
      setBusy(false);
      setProblem(authErrorSentence(error));
      return;
    }
    if (!data.session) {
      // A project with email confirmation on answers sign-up without a session (https://supabase.com/docs/reference/javascript/auth-signup).
      setBusy(false);
      setConfirmEmail(email);
      return;
    }
    await continueAfterSignIn(services);
  }

  if (confirmEmail) {
    return (
      <section class="narrow card">
        <h1 tabIndex={-1}>Check your email</h1>
        <p>
          We sent a confirmation link to <strong>{confirmEmail}</strong>. Open it, then <a href="/signin">sign in</a>.
        </p>
      </section>
    );
  }

  return (
    <section class="narrow card">
      {pending && signup && <p class="step">Step 1 of 3</p>}
      <h1 tabIndex={-1}>{signup ? 'Create your AiSyst account' : 'Sign in to AiSyst'}</h1>
      {pending && (
        <p class="lede">
          {signup ? 'Create an account' : 'Sign in'} and we will take you straight to checkout for{' '}
          {pending.plan_name ? (
            <strong data-testid="chosen-plan">{`${pending.plan_name} (${pending.billing_period})`}</strong>
          ) : (
            'the plan you chose'
          )}
          .
        </p>
      )}
      {problem && (
        <Notice tone="error" title={signup ? 'We could not create your account' : 'We could not sign you in'}>
          {problem}
        </Notice>
      )}
      <form onSubmit={submit} class="form" noValidate={false}>
        <div class="field">
          <label for="email">Work email</label>
          <input
            id="email"
            name="email"
            type="email"
            autoComplete="email"
            required
            // biome-ignore lint/a11y/noAutofocus: signing in is the page's only task, so focus starts there
            autoFocus
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete={signup ? 'new-password' : 'current-password'}
            required
            minLength={signup ? 8 : undefined}
            aria-describedby={signup ? 'password-hint' : undefined}
          />
          {signup && (
            <p class="hint" id="password-hint">
              At least 8 characters.
            </p>
          )}
        </div>
        <button type="submit" class="button button-primary button-block" disabled={busy} aria-busy={busy}>
          {busy ? (signup ? 'Creating your account…' : 'Signing in…') : signup ? 'Create account' : 'Sign in'}
        </button>
      </form>
      <p class="switch-auth">
        {signup ? (
          <>
            Already have an account? <a href="/signin">Sign in</a>
          </>
        ) : (
          <>
            New to AiSyst? <a href="/signup">Create an account</a>
          </>
        )}
      </p>
    </section>
  );
}
