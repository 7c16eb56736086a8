/**
 * Start-up: read /config.json (preloaded by index.html), start loading supabase-js (supabase.ts), create the
 * functions client, then render at once. The pricing page fetches plans in parallel with session restore, so the
 * plan cards never wait for Auth.
 */
import { render } from 'preact';
import { createAccount } from './account.ts';
import { createFunctionsClient } from './api.ts';
import { App } from './app.tsx';
import { loadRuntimeConfig } from './config.ts';
import { interceptLinkClicks } from './router.ts';
import { ServicesContext, type Services } from './services.ts';
import { loadSupabase } from './supabase.ts';
import './styles.css';

async function start(root: HTMLElement): Promise<void> {
  const config = await loadRuntimeConfig();
  const supabase = loadSupabase(config);
  const api = createFunctionsClient({
    functionsUrl: config.functionsUrl,
    anonKey: config.supabaseAnonKey,
    accessToken: async () => (await (await supabase).auth.getSession()).data.session?.access_token,
  });
  const services: Services = {
    supabase,
    api,
    account: createAccount(supabase, api),
    redirect: (url) => location.assign(url),
  };
  interceptLinkClicks();
  root.textContent = '';
  render(
    <ServicesContext.Provider value={services}>
      <App />
    </ServicesContext.Provider>,
    root,
  );
}

const root = document.getElementById('app')!;
start(root).catch((error: unknown) => {
  console.error(error);
  root.innerHTML =
    '<main class="page"><div class="notice notice-error" role="alert"><p><strong>AiSyst could not start.</strong> Please reload the page in a moment.</p></div></main>';
});
