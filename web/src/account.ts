/**
 * The signed-in person and their organisation's billing, shared by every page. A tiny observable store rather
 * than a state library: session from supabase-js (persisted in localStorage, refreshed by supabase-js), and the
 * billing summary from the functions API. `summary === null` means "signed in but no organisation yet".
 */
import type { Session, SupabaseClient } from '@supabase/supabase-js';
import { useEffect, useState } from 'preact/hooks';
import {
  ApiError,
  type BillingPeriod,
  type BillingSummary,
  type FunctionsClient,
  type OrganisationRef,
} from './api.ts';

export interface AccountState {
  /** undefined while supabase-js restores the session from storage. */
  session: Session | null | undefined;
  /** undefined = not loaded yet, null = this user owns no organisation. */
  summary: BillingSummary | null | undefined;
  summaryError: unknown;
  /** A sentence to show once on the next page (e.g. a checkout that could not start after sign-in). */
  flash: string | undefined;
  /** Good news to show once on the next page (e.g. a plan switch that went through). */
  success: string | undefined;
  /** Set when the person owns several organisations and none is chosen yet (org_id_required): the choices. */
  choices: OrganisationRef[] | undefined;
}

export interface PendingCheckout {
  plan_id: string;
  billing_period: BillingPeriod;
  /** For the sign-up page to name the plan chosen. */
  plan_name?: string;
}

const PENDING_KEY = 'aisyst.pendingCheckout';
const orgKey = (userId: string) => `aisyst.org.${userId}`;

export function createAccount(supabase: Promise<SupabaseClient>, api: FunctionsClient) {
  let state: AccountState = {
    session: undefined,
    summary: undefined,
    summaryError: undefined,
    flash: undefined,
    success: undefined,
    choices: undefined,
  };
  const listeners = new Set<(s: AccountState) => void>();
  const set = (patch: Partial<AccountState>) => {
    state = { ...state, ...patch };
    for (const listener of listeners) listener(state);
  };

  /** The summary; null when the person owns no organisation; undefined when they own several and none is chosen (see `choices`). */
  async function refreshSummary(): Promise<BillingSummary | null | undefined> {
    const userId = state.session?.user.id;
    if (!userId) return null;
    const remembered = localStorage.getItem(orgKey(userId)) ?? undefined;
    try {
      const summary = await api.billingSummary(remembered);
      if (summary === null) {
        set({ summary: null, summaryError: undefined, choices: undefined });
        return null;
      }
      localStorage.setItem(orgKey(userId), summary.organisation.id);
      set({ summary, summaryError: undefined, choices: undefined });
      return summary;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'org_id_required' && Array.isArray(error.details.organisations)) {
        set({ summaryError: undefined, choices: error.details.organisations as OrganisationRef[] });
        return undefined; // nothing to show until one is chosen (chooseOrganisation)
      }
      if (error instanceof ApiError && error.code === 'organisation_not_found') {
        if (remembered) {
          localStorage.removeItem(orgKey(userId));
          return refreshSummary();
        }
        set({ summary: null, summaryError: undefined });
        return null;
      }
      set({ summaryError: error });
      throw error;
    }
  }

  supabase.then(
    (client) =>
      client.auth.onAuthStateChange((event, session) => {
        const userChanged = session?.user.id !== state.session?.user.id;
        set({ session, ...(userChanged ? { summary: undefined, summaryError: undefined, choices: undefined } : {}) });
        // Loading the summary outside the callback: supabase-js warns against awaiting its own calls in here.
        if (session && userChanged && event !== 'SIGNED_OUT')
          setTimeout(() => void refreshSummary().catch(() => {}), 0);
      }),
    (error: unknown) => {
      console.error('supabase-js failed to load', error);
      set({ session: null });
    },
  );

  return {
    get: () => state,
    subscribe(listener: (s: AccountState) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refreshSummary,
    setFlash: (flash: string | undefined) => set({ flash }),
    setSuccess: (success: string | undefined) => set({ success }),
    rememberOrganisation(id: string) {
      const userId = state.session?.user.id;
      if (userId) localStorage.setItem(orgKey(userId), id);
    },
    /** Switches the pages to another of the person's organisations. */
    async chooseOrganisation(id: string) {
      const userId = state.session?.user.id;
      if (!userId) return;
      localStorage.setItem(orgKey(userId), id);
      set({ summary: undefined, choices: undefined });
      await refreshSummary().catch(() => {});
    },
    pendingCheckout(): PendingCheckout | undefined {
      // localStorage: the choice survives a new tab (an email confirmation link opens one).
      const raw = localStorage.getItem(PENDING_KEY);
      try {
        return raw ? (JSON.parse(raw) as PendingCheckout) : undefined;
      } catch {
        return undefined;
      }
    },
    setPendingCheckout(pending: PendingCheckout | undefined) {
      if (pending) localStorage.setItem(PENDING_KEY, JSON.stringify(pending));
      else localStorage.removeItem(PENDING_KEY);
    },
    async signOut() {
      localStorage.removeItem(PENDING_KEY);
      await (await supabase).auth.signOut();
      set({ session: null, summary: undefined, summaryError: undefined, choices: undefined });
    },
  };
}

export type Account = ReturnType<typeof createAccount>;

export function useAccountState(account: Account): AccountState {
  const [state, setState] = useState(account.get());
  useEffect(() => {
    setState(account.get());
    const unsubscribe = account.subscribe(setState);
    return () => void unsubscribe();
  }, [account]);
  return state;
}
