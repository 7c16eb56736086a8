import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webDir = fileURLToPath(new URL('.', import.meta.url));

/**
 * The customer pages: a Preact SPA built to static files in web/dist. Nothing environment-specific is baked in:
 * the page reads `/config.json` at start-up (functions URL, Supabase URL, anon key), so the same build is served by
 * the local stack and can be uploaded next to a real Supabase project.
 */
export default defineConfig({
  root: webDir,
  base: '/',
  plugins: [preact()],
  // The pages reuse the pure domain code (money formatting, the month projection) from ../src/domain.
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // One CSS file and a small number of JS chunks: every byte counts against the 80 KB budget (bench/web.ts).
    cssCodeSplit: false,
    reportCompressedSize: false,
    modulePreload: { polyfill: false },
    rollupOptions: {
      // supabase-js is loaded lazily (web/src/supabase.ts); name its chunk so the bundle report reads clearly.
      output: { manualChunks: (id) => (id.includes('/@supabase/') ? 'supabase' : undefined) },
    },
  },
});
