/** What every page may use, provided once by main.tsx through a Preact context. */
import type { SupabaseClient } from '@supabase/supabase-js';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Account } from './account.ts';
import type { FunctionsClient } from './api.ts';

export interface Services {
  /** supabase-js, loading in its own chunk (supabase.ts). */
  supabase: Promise<SupabaseClient>;
  api: FunctionsClient;
  account: Account;
  /** Leaves the SPA for Stripe's hosted Checkout page; a seam so tests of the flow need no navigation. */
  redirect(url: string): void;
}

export const ServicesContext = createContext<Services | undefined>(undefined);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside ServicesContext');
  return services;
}
