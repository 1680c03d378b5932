import { defineConfig } from 'vite';

// The preloads must be single CommonJS files with only `electron` external (the UI's is sandboxed;
// the GPU worker window's has Node).
export default defineConfig({
  build: {
    ssr: true,
    outDir: 'build/main',
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    rollupOptions: {
      input: {
        preload: 'main/electron/preload.ts',
        'gpu-worker-preload': 'main/electron/gpu-worker-preload.ts',
      },
      external: ['electron'],
      output: { format: 'cjs', entryFileNames: '[name].cjs' },
    },
  },
});
