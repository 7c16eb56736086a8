/** The plan list, fetched once per page load and shared by the pricing page and the dashboard. */
import { useEffect, useState } from 'preact/hooks';
import type { FunctionsClient, Plan } from './api.ts';

let cached: Promise<Plan[]> | undefined;

export type PlansState =
  | { status: 'loading' }
  | { status: 'ready'; plans: Plan[] }
  | { status: 'error'; error: unknown };

export function usePlans(api: FunctionsClient): PlansState & { retry(): void } {
  const [state, setState] = useState<PlansState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    cached ??= api.plans().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    cached.then(
      (plans) => live && setState({ status: 'ready', plans: [...plans].sort((a, b) => a.sort_order - b.sort_order) }),
      (error: unknown) => live && setState({ status: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [api, attempt]);
  return {
    ...state,
    retry: () => {
      setState({ status: 'loading' });
      setAttempt((n) => n + 1);
    },
  };
}
