// Test helpers for the dataset services: a fresh data folder and a snapshot of the whole store.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceContext } from './context';
import { openWorkbench, type Workbench } from './open';

/** The checkout's root (tests read `../shared/data` relative to it). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A shared data folder; fails loudly when it is missing (CI has it). */
export function sharedData(...parts: string[]): string {
  const p = join(REPO_ROOT, '..', 'shared', 'data', ...parts);
  if (!existsSync(p))
    throw new Error(`Test data ${p} is missing: the tests need ../shared/data beside the checkout`);
  return p;
}

/** A workbench on a fresh temporary data folder. */
export function freshWorkbench(): Workbench & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bw-ds-'));
  const ctx = openWorkbench(dir, 'browser');
  return {
    ...ctx,
    dir,
    close: () => {
      ctx.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...files(p).map((f) => join(e, f)));
    else out.push(e);
  }
  return out.sort();
}

/** Everything an import could have touched: dataset, blob and example rows, and blob files. */
export function storeSnapshot(ctx: ServiceContext): unknown {
  const { store } = ctx;
  return {
    datasets: store.datasets
      .list()
      .map((d) => store.datasets.get(d.id))
      .sort((a, b) => (a!.id < b!.id ? -1 : 1)),
    blobs: store.blobs.list(),
    examples: store.examples.totals(),
    files: files(ctx.home.blobs),
  };
}

/** Every byte stored for the workbench: database (after a checkpoint) and all blob files. */
export function allStoredBytes(ctx: ServiceContext): Buffer {
  ctx.store.checkpointWal();
  const parts = [readFileSync(ctx.home.databaseFile)];
  for (const f of files(ctx.home.blobs)) parts.push(readFileSync(join(ctx.home.blobs, f)));
  return Buffer.concat(parts);
}
