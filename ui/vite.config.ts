import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The web UI builds into dist/ui, which `ferry server` serves at `/`. Everything is bundled: no CDN at run time. */
export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `npx vite --config ui/vite.config.ts` during development talks to a local `ferry server`.
    proxy: { '/api': 'http://127.0.0.1:5000' },
  },
});
