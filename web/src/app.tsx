/** The shell: header, the page for the current path, footer. Unknown paths get a friendly not-found page. */
import type { ComponentType } from 'preact';
import { useEffect } from 'preact/hooks';
import { useAccountState } from './account.ts';
import { Header } from './components/header.tsx';
import { AdminPage } from './pages/admin.tsx';
import { AuthPage } from './pages/auth.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { NotFoundPage } from './pages/not-found.tsx';
import { OnboardingPage } from './pages/onboarding.tsx';
import { PricingPage } from './pages/pricing.tsx';
import { useLocation } from './router.ts';
import { useServices } from './services.ts';

const ROUTES: Record<string, { title: string; page: ComponentType<{ url: URL }> }> = {
  '/': { title: 'Pricing', page: PricingPage },
  '/pricing': { title: 'Pricing', page: PricingPage },
  '/dashboard': { title: 'Dashboard', page: DashboardPage },
  '/admin': { title: 'Operator console', page: AdminPage },
  '/signin': { title: 'Sign in', page: (props) => <AuthPage {...props} mode="signin" /> },
  '/signup': { title: 'Create your account', page: (props) => <AuthPage {...props} mode="signup" /> },
  '/onboarding': { title: 'Name your organisation', page: OnboardingPage },
};

export function App() {
  const url = useLocation();
  const { account } = useServices();
  const state = useAccountState(account);
  const route = ROUTES[url.pathname.replace(/\/+$/, '') || '/'];
  useEffect(() => {
    document.title = `${route?.title ?? 'Not found'} · AiSyst`;
    // Move focus to the new page's heading so screen-reader and keyboard users know the page changed.
    document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
  }, [url.pathname]);
  const Page = route?.page ?? NotFoundPage;
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header state={state} path={url.pathname} />
      <main id="main" class="page">
        <Page url={url} />
      </main>
      <footer class="site-footer">
        <p>Payments are processed by Stripe on its secure checkout page; AiSyst never sees your card number.</p>
      </footer>
    </>
  );
}
