/**
 * /admin: the operator console, for users whose Supabase app_metadata.role is `operator`. The console itself is a
 * chunk of its own (a dynamic import), so customers never download it; whether the user may see it is the
 * server's call: admin-overview answers 404 to anyone else, and the page then shows the ordinary not-found page.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

let loading: Promise<ComponentType> | undefined;
const loadConsole = () => {
  loading ??= import('../components/admin-console.tsx').then((m) => m.default);
  return loading;
};

export function AdminPage() {
  const [Console, setConsole] = useState<ComponentType | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let current = true;
    loadConsole()
      .then((c) => current && setConsole(() => c))
      .catch(() => {
        loading = undefined; // a later visit tries again (a deploy may have replaced the chunk)
        if (current) setFailed(true);
      });
    return () => {
      current = false;
    };
  }, []);
  if (Console) return <Console />;
  return (
    <section aria-busy={!failed}>
      <h1 tabIndex={-1}>Operator console</h1>
      <p class="muted" role={failed ? 'alert' : 'status'}>
        {failed ? 'The console could not be loaded. Please reload the page.' : 'Loading…'}
      </p>
    </section>
  );
}
