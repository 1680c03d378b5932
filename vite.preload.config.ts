import { defineConfig } from 'vite';

// The sandboxed preload must be a single CommonJS file with only `electron` external.
export default defineConfig({
  build: {
    ssr: true,
    outDir: 'build/main',
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    rollupOptions: {
      input: { preload: 'main/electron/preload.ts' },
      external: ['electron'],
      output: { format: 'cjs', entryFileNames: '[name].cjs' },
    },
  },
});
