/** PUBLIC_FUNCTIONS_URL, the one variable doctor adds: parsed once, documented in .env.example, never echoed. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/parse-config.ts';

describe('PUBLIC_FUNCTIONS_URL', () => {
  it('is read as an http(s) base URL without its trailing slash, and absent when unset or blank', () => {
    expect(parseConfig({ PUBLIC_FUNCTIONS_URL: 'https://abc.supabase.co/functions/v1/' }).publicFunctionsUrl).toBe(
      'https://abc.supabase.co/functions/v1',
    );
    expect(parseConfig({}).publicFunctionsUrl).toBeUndefined();
    expect(parseConfig({ PUBLIC_FUNCTIONS_URL: '  ' }).publicFunctionsUrl).toBeUndefined();
  });

  it('refuses anything else, naming the variable and not the value', () => {
    let error: unknown;
    try {
      parseConfig({ PUBLIC_FUNCTIONS_URL: 'ftp://hidden.example/functions' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['PUBLIC_FUNCTIONS_URL must be an http(s) URL']);
    expect((error as Error).message).not.toContain('hidden.example');
  });

  it('is documented in .env.example (commented out, so a copied file still sets nothing)', async () => {
    const text = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    expect(text).toMatch(/^#PUBLIC_FUNCTIONS_URL=https:\/\//m);
  });
});
