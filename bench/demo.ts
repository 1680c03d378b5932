// `biomed demo` wall time (goal <= 90 s idle, issues 23 and 25): the main job headless on a fresh data folder,
// from the source CLI (or the build with --built). Prints the demo's own table and the wall time.
//   npx tsx bench/demo.ts [--built] [-- demo options]
// The VQA demo's counting question set instead (issue 25): BIOMED_DEMO_VQA=counts-small npx tsx bench/demo.ts -- --steps 240
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const built = process.argv.includes('--built');
const extra = process.argv.includes('--') ? process.argv.slice(process.argv.indexOf('--') + 1) : [];
const home = mkdtempSync(join(tmpdir(), 'bw-demo-'));
const entry = built ? ['build/main/cli.js'] : ['--import', 'tsx', 'main/cli/index.ts'];
const t0 = performance.now();
const r = spawnSync(process.execPath, [...entry, 'demo', ...extra], {
  env: { ...process.env, BIOMED_HOME: home },
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
});
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(r.stdout);
console.log(
  `\nbiomed demo ${built ? '(build)' : '(source)'}: exit ${r.status}, wall ${seconds.toFixed(1)} s (goal <= 90 s, issues 23 and 25)`,
);
rmSync(home, { recursive: true, force: true });
process.exitCode = r.status ?? 1;
