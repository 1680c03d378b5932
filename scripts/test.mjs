// `npm test`: the Debian packages the tests need (scripts/debian-packages.txt: installed when run
// as root on Debian, else named with the exact command), lint, type-check, build, unit tests,
// end-to-end tests, the cluster suite and the engine's numerical parity check, then one closing
// line `N passed, N failed` over every test and check.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages } from './system-packages.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
const bin = (name) => join(root, 'node_modules', '.bin', name);
const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
const lines = [];

function run(label, cmd, args, env = {}) {
  const started = Date.now();
  console.log(`\n=== ${label}: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  return { ok: r.status === 0, secs };
}

function check(label, cmd, args, env) {
  if (only.length && !only.includes(label)) return;
  const { ok, secs } = run(label, cmd, args, env);
  ok ? passed++ : failed++;
  lines.push(`${ok ? 'ok  ' : 'FAIL'} ${label} (${secs} s)`);
}

function suite(label, cmd, args, reportFile, count, force = false) {
  if (!force && only.length && !only.includes(label)) return;
  rmSync(reportFile, { force: true });
  const { ok, secs } = run(label, cmd, args);
  let p = 0;
  let f = 0;
  if (existsSync(reportFile)) ({ p, f } = count(JSON.parse(readFileSync(reportFile, 'utf8'))));
  if (!ok && f === 0) f = 1; // the runner failed without reporting a failed test (crash, no tests)
  passed += p;
  failed += f;
  lines.push(`${f === 0 && ok ? 'ok  ' : 'FAIL'} ${label}: ${p} passed, ${f} failed (${secs} s)`);
}

if (!only.length || only.includes('system-packages')) {
  const started = Date.now();
  console.log('\n=== system-packages: scripts/debian-packages.txt');
  const r = ensureSystemPackages();
  console.log(r.message);
  r.ok ? passed++ : failed++;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  lines.push(
    `${r.ok ? 'ok  ' : 'FAIL'} system-packages (${secs} s)${r.ok ? '' : `: ${r.message.split('\n')[0]}`}`,
  );
}
check('lint', bin('biome'), ['check', '.']);
check('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
check('build', bin('vite'), ['build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn']);
check('build-main', bin('vite'), ['build', '--config', 'vite.main.config.ts', '--logLevel', 'warn']);
check('build-preload', bin('vite'), ['build', '--config', 'vite.preload.config.ts', '--logLevel', 'warn']);
suite(
  'unit',
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile=${join(results, 'unit.json')}`],
  join(results, 'unit.json'),
  (r) => ({
    p: r.numPassedTests ?? 0,
    f: (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0),
  }),
);
suite(
  'e2e',
  bin('playwright'),
  ['test', '-c', 'e2e/playwright.config.ts'],
  join(results, 'e2e-results.json'),
  (r) => ({
    p: r.stats?.expected ?? 0,
    f: (r.stats?.unexpected ?? 0) + (r.stats?.flaky ?? 0),
  }),
);
// The cluster suite against a real one-node Slurm: started here, stopped afterwards even when
// the suite fails or the run is interrupted (Ctrl-C reaches the child; this process then stops
// the cluster). Needs root and scripts/debian-packages.txt's Slurm packages (.ci/run installs them).
if (!only.length || only.includes('slurm')) {
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const slurm = join(root, 'scripts', 'slurm-local.sh');
  try {
    const up = run('slurm-start', 'bash', [slurm, 'start']);
    if (!up.ok) {
      failed++;
      lines.push(`FAIL slurm: the local cluster did not start (${up.secs} s; scripts/slurm-local.sh start)`);
    } else if (!interrupted) {
      suite(
        'slurm',
        bin('vitest'),
        [
          'run',
          '-c',
          'vitest.slurm.config.ts',
          '--reporter=default',
          '--reporter=json',
          `--outputFile=${join(results, 'slurm.json')}`,
        ],
        join(results, 'slurm.json'),
        (r) => ({
          p: r.numPassedTests ?? 0,
          f: (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0),
        }),
        true,
      );
    }
  } finally {
    run('slurm-stop', 'bash', [slurm, 'stop']);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
if (existsSync(join(root, 'bench', 'reference', 'parity.sh'))) {
  check('parity', 'bash', [join(root, 'bench', 'reference', 'parity.sh')]);
}

console.log('\n=== summary');
for (const l of lines) console.log(l);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
