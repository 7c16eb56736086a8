/** Site header: brand, the two destinations, and the account action. Current page marked with aria-current. */
import type { AccountState } from '../account.ts';
import { navigate } from '../router.ts';
import { useServices } from '../services.ts';

export function Header({ state, path }: { state: AccountState; path: string }) {
  const { account } = useServices();
  const signedIn = Boolean(state.session);
  const current = (href: string) => (path === href || (href === '/pricing' && path === '/') ? 'page' : undefined);
  return (
    <header class="site-header">
      <a class="brand" href="/pricing" aria-label="AiSyst home">
        <svg aria-hidden="true" width="28" height="28" viewBox="0 0 32 32">
          <rect width="32" height="32" rx="8" fill="currentColor" />
          <path
            d="M9 22l7-13 7 13M12 17h8"
            stroke="#fff"
            stroke-width="3"
            fill="none"
            stroke-linecap="round"
            stroke-linejoin="round"
          />
        </svg>
        <span>AiSyst</span>
      </a>
      <nav aria-label="Main">
        <a href="/pricing" aria-current={current('/pricing')}>
          Pricing
        </a>
        {signedIn && (
          <a href="/dashboard" aria-current={current('/dashboard')}>
            Dashboard
          </a>
        )}
        {state.session === undefined ? null : signedIn ? (
          <button
            type="button"
            class="button button-quiet"
            onClick={async () => {
              await account.signOut();
              navigate('/pricing');
            }}
          >
            Sign out
          </button>
        ) : (
          <a href="/signin" class="button button-quiet" aria-current={current('/signin')}>
            Sign in
          </a>
        )}
      </nav>
    </header>
  );
}
