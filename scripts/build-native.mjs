// Builds the native addons (N-API C, no build dependencies) with npm's own node-gyp: the CPU GEMM
// (main/engine/kernels/native) and the image path (main/data/images/native: libjpeg-turbo's
// TurboJPEG, loaded at run time; without it sharp decodes every JPEG). Run by postinstall after `npm ci` and by `npm run build:native`. A failed
// build never fails the install: it prints one line with the reason, and the engine then uses its
// WebAssembly GEMM (main/engine/kernels/cpu-gemm.ts), the importer sharp. Exit status 1 only with
// --strict, when either failed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
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

const ADDONS = [
  {
    dir: join(root, 'main', 'engine', 'kernels', 'native'),
    file: 'biomed_gemm.node',
    what: 'native CPU GEMM addon',
    fallback: 'the engine uses its WebAssembly GEMM instead',
    loaded: (exports) => {
      const info = exports.info();
      return `kernel ${info.isa}; CPU runs ${info.supported.join(', ')}`;
    },
  },
  {
    dir: join(root, 'main', 'data', 'images', 'native'),
    file: 'biomed_image.node',
    what: 'native image addon',
    fallback: 'sharp decodes every JPEG instead',
    loaded: (exports) => {
      const why = exports.unavailable();
      return why ? `not used here: ${why}; sharp decodes every JPEG` : 'JPEGs through libturbojpeg';
    },
  },
];

let failed = false;
function fail(addon, reason) {
  console.log(
    `biomed-workbench: the ${addon.what} was not built (${reason.slice(0, 200)}); ${addon.fallback}.`,
  );
  failed = true;
}

/** Builds one addon; false when it failed (after one line saying why). */
function build(addon, gyp) {
  const built = join(addon.dir, 'build', 'Release', addon.file);
  // Outside npm (no npm_config_nodedir), the headers of the running Node where its install has them
  // (Debian's /usr/include/node, official tarballs' <prefix>/include/node), else node-gyp downloads them.
  const args = [gyp, 'rebuild'];
  const prefix = join(dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
    args.push(`--nodedir=${prefix}`);
  }
  const started = Date.now();
  const result = spawnSync(process.execPath, args, { cwd: addon.dir, encoding: 'utf8', timeout: 180_000 });
  if (result.status !== 0 || !existsSync(built)) {
    const lines = `${result.stderr ?? ''}\n${result.stdout ?? ''}`.split('\n').map((l) => l.trim());
    // the compiler's or make's own words first, then node-gyp's
    const reason =
      lines.find((l) => /\berror:|^make: \*\*\*/.test(l)) ??
      lines.find((l) => /^gyp ERR! (?!stack|System|command|cwd|node|not ok|.*\*\*\*)/.test(l)) ??
      result.error?.message ??
      `exit ${result.status}`;
    return fail(addon, reason);
  }
  try {
    const mod = { exports: {} };
    process.dlopen(mod, built);
    console.log(
      `biomed-workbench: ${addon.what} built in ${((Date.now() - started) / 1000).toFixed(1)} s (${addon.loaded(mod.exports)}).`,
    );
  } catch (err) {
    fail(addon, `it does not load: ${err.message}`);
  }
}

const gyp = nodeGyp();
for (const addon of ADDONS) {
  if (process.env.BIOMED_SKIP_NATIVE_BUILD) fail(addon, 'BIOMED_SKIP_NATIVE_BUILD is set');
  else if (!gyp) fail(addon, "npm's node-gyp was not found");
  else build(addon, gyp);
}
process.exit(strict && failed ? 1 : 0);
