// Builds the native CPU GEMM addon (main/engine/kernels/native: N-API C, no dependencies) with
// npm's own node-gyp. Run by postinstall after `npm ci` and by `npm run build:native`. A failed
// build never fails the install: it prints one line with the reason, and the engine then uses its
// WebAssembly GEMM (main/engine/kernels/cpu-gemm.ts). Exit status 1 only with --strict.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'main', 'engine', 'kernels', 'native');
const addon = join(dir, 'build', 'Release', 'biomed_gemm.node');
const strict = process.argv.includes('--strict');

function nodeGyp() {
  // npm exports npm_config_node_gyp to lifecycle scripts; outside npm, npm's bundled copy.
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  const bundled = join(
    dirname(process.execPath),
    '..',
    'lib',
    'node_modules',
    'npm',
    'node_modules',
    'node-gyp',
    'bin',
    'node-gyp.js',
  );
  return existsSync(bundled) ? bundled : undefined;
}

function fail(reason) {
  console.log(
    `biomed-workbench: the native CPU GEMM addon was not built (${reason.slice(0, 200)}); ` +
      'the engine uses its WebAssembly GEMM instead.',
  );
  process.exit(strict ? 1 : 0);
}

if (process.env.BIOMED_SKIP_NATIVE_BUILD) fail('BIOMED_SKIP_NATIVE_BUILD is set');
const gyp = nodeGyp();
if (!gyp) fail("npm's node-gyp was not found");
// Outside npm (no npm_config_nodedir), the headers of the running Node where its install has them
// (Debian's /usr/include/node, official tarballs' <prefix>/include/node), else node-gyp downloads them.
const args = [gyp, 'rebuild'];
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const started = Date.now();
const result = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 180_000 });
if (result.status !== 0 || !existsSync(addon)) {
  const lines = `${result.stderr ?? ''}\n${result.stdout ?? ''}`.split('\n').map((l) => l.trim());
  // the compiler's or make's own words first, then node-gyp's
  const reason =
    lines.find((l) => /\berror:|^make: \*\*\*/.test(l)) ??
    lines.find((l) => /^gyp ERR! (?!stack|System|command|cwd|node|not ok|.*\*\*\*)/.test(l)) ??
    result.error?.message ??
    `exit ${result.status}`;
  fail(reason);
}
try {
  const mod = { exports: {} };
  process.dlopen(mod, addon);
  const info = mod.exports.info();
  console.log(
    `biomed-workbench: native CPU GEMM addon built in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(kernel ${info.isa}; CPU runs ${info.supported.join(', ')}).`,
  );
} catch (err) {
  fail(`it does not load: ${err.message}`);
}
