import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';
import pkg from './package.json' with { type: 'json' };

// Main-process bundles (CLI, engine worker, Electron main). npm packages stay external: native
// modules (better-sqlite3, sharp, tfjs-node) must load from node_modules, rebuilt for Electron
// by electron-builder's install-app-deps.
const external = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'electron',
  ...Object.keys(pkg.dependencies),
  ...Object.keys(pkg.optionalDependencies),
];

export default defineConfig({
  build: {
    ssr: true,
    outDir: 'build/main',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    minify: false,
    rollupOptions: {
      input: Object.fromEntries(
        Object.entries({
          cli: 'main/cli/index.ts',
          'electron-main': 'main/electron/main.ts',
          worker: 'main/jobs/worker-entry.ts',
          'image-worker': 'main/jobs/image-worker-entry.ts',
          'node-worker': 'main/jobs/cluster/node-worker.ts',
          'node-probe': 'main/jobs/cluster/node-probe.ts',
        }).filter(([, file]) => existsSync(file)),
      ),
      external: (id) => external.some((e) => id === e || id.startsWith(`${e}/`)),
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});
