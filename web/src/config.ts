/**
 * Runtime configuration, read from `/config.json` beside index.html. The local stack serves it from its own config;
 * static hosting next to a real Supabase project uploads a file like
 * `{"functionsUrl":"https://<ref>.supabase.co/functions/v1","supabaseUrl":"https://<ref>.supabase.co","supabaseAnonKey":"<anon key>"}`.
 * Keeping it out of the bundle means one build serves every environment.
 */
export interface RuntimeConfig {
  functionsUrl: string;
  supabaseUrl: string;
  supabaseAnonKey: string;
}

export async function loadRuntimeConfig(fetchFn: typeof fetch = fetch): Promise<RuntimeConfig> {
  // Same request mode/credentials as index.html's <link rel=preload as=fetch crossorigin> so Chromium reuses it.
  const response = await fetchFn('/config.json', { mode: 'cors', credentials: 'same-origin' });
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  return parseRuntimeConfig(await response.json());
}

export function parseRuntimeConfig(value: unknown): RuntimeConfig {
  const record = (value ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const read = (key: keyof RuntimeConfig): string => {
    const v = record[key];
    if (typeof v !== 'string' || v === '') problems.push(key);
    return typeof v === 'string' ? v.replace(/\/+$/, '') : '';
  };
  const config = {
    functionsUrl: read('functionsUrl'),
    supabaseUrl: read('supabaseUrl'),
    supabaseAnonKey: read('supabaseAnonKey'),
  };
  if (problems.length > 0) throw new Error(`config.json is missing ${problems.join(', ')}`);
  return config;
}
