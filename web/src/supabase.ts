/**
 * supabase-js (Auth) in its own chunk, loaded in parallel with the first render: it is ~55 KB of the ~70 KB gzipped
 * bundle, and the pricing page's plan cards need none of it, so they no longer wait for it to be parsed
 * (bench/web.ts measures the difference). Only Auth is used; the pages never query tables directly.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { RuntimeConfig } from './config.ts';

export async function loadSupabase(config: RuntimeConfig): Promise<SupabaseClient> {
  const { createClient } = await import('@supabase/supabase-js');
  return createClient(config.supabaseUrl, config.supabaseAnonKey, {
    auth: { persistSession: true, autoRefreshToken: true, detectSessionInUrl: false },
  });
}
