import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

// One self-contained ES module for bench/gpu/run.sh on a machine without npm: tfjs and the
// engine are bundled; only Node's built-ins and `webgpu` (its dawn.node is a native addon, carried
// beside the bundle in node_modules/webgpu) stay outside.
const external = [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'webgpu'];

export default defineConfig({
  resolve: { conditions: ['module', 'import', 'default'] },
  ssr: { noExternal: true, target: 'node' },
  build: {
    ssr: true,
    outDir: 'bench/gpu/pkg/app',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    rollupOptions: {
      input: { 'webgpu-step': 'bench/gpu/webgpu-step.ts' },
      external: (id) => external.includes(id),
      output: { format: 'es', entryFileNames: '[name].mjs', codeSplitting: false },
    },
  },
});
