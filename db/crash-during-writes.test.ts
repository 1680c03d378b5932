import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunListQuery } from '#shared/api/runs';
import { openStore } from './store';
import { tempDir } from './test-helpers';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

/** Starts the writer and kills it with SIGKILL `afterMs` after its first committed batch. */
function writeThenKill(file: string, afterMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'metric-writer.ts'), file, '100'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let reported = 0;
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdout.on('data', (c: Buffer) => {
      const last = c.toString().trim().split('\n').at(-1);
      if (reported === 0) setTimeout(() => child.kill('SIGKILL'), afterMs);
      reported = Number(last);
    });
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer ended without being killed: ${stderr}`));
      else resolve(reported);
    });
  });
}

describe('the main process killed during metric writes', () => {
  it('leaves a store that opens clean, with whole batches only', async () => {
    const file = join(tmp.dir, 'w.sqlite');
    for (const afterMs of [150, 400, 700]) {
      const reported = await writeThenKill(file, afterMs);
      const store = openStore(file); // runs quick_check; throws on a damaged file
      expect(store.integrityCheck()).toBe('ok');
      const latest = store.runs.list(RunListQuery.parse({ sort: 'createdAt', order: 'desc', limit: 1 }))
        .runs[0]!;
      const rows = store.metrics.count(latest.id);
      // Each batch is one transaction: all of it or none of it.
      expect(rows % 100).toBe(0);
      expect(rows / 100).toBeGreaterThanOrEqual(reported);
      // The step update of a batch commits separately, so it trails the metrics by at most one batch.
      expect(rows - latest.step).toBeLessThanOrEqual(100);
      store.close();
    }
  });
});
