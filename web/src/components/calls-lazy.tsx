/**
 * The dashboard's Calls section, fetched when the dashboard shows it: a dynamic import puts the table, the chart and
 * their client in a chunk of their own, so the entry bundle (the pricing page's budget, bench/web.ts) stays as it was.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

type Section = ComponentType<{ orgId: string }>;

let loading: Promise<Section> | undefined;
const loadSection = () => {
  loading ??= import('./calls-section.tsx').then((m) => m.default);
  return loading;
};

export function LazyCallsSection({ orgId }: { orgId: string }) {
  const [Section, setSection] = useState<Section | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let current = true;
    loadSection()
      .then((s) => current && setSection(() => s))
      .catch(() => {
        loading = undefined; // a later visit tries again (a deploy may have replaced the chunk)
        if (current) setFailed(true);
      });
    return () => {
      current = false;
    };
  }, []);
  if (Section) return <Section orgId={orgId} />;
  return (
    <section class="card calls" aria-labelledby="calls-heading" aria-busy={!failed}>
      <h2 id="calls-heading">Calls</h2>
      <p class="muted" role={failed ? 'alert' : 'status'}>
        {failed ? 'Your calls could not be loaded. Please reload the page.' : 'Loading your calls…'}
      </p>
    </section>
  );
}
