import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Proves that the import rules of ARCHITECTURE.md are enforced by the linter: each fixture is
// placed inside a layer for the duration of the test and must fail `biome lint` on every import.
const root = join(import.meta.dirname, '..');
const placed: string[] = [];

function lintAs(fixture: string, layerDir: string): string[] {
  const dir = join(root, layerDir, '__lint_fixture__');
  mkdirSync(dir, { recursive: true });
  placed.push(dir);
  const target = join(dir, 'fixture.ts');
  copyFileSync(join(root, 'lint-fixtures/forbidden', fixture), target);
  let out = '';
  try {
    out = execFileSync(join(root, 'node_modules/.bin/biome'), ['lint', '--reporter=json', target], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    out = (err as { stdout: string }).stdout;
  }
  const report = JSON.parse(out) as { diagnostics: { category: string }[] };
  return report.diagnostics.map((d) => d.category);
}

const restricted = (categories: string[]) =>
  categories.filter(
    (c) => c === 'lint/style/noRestrictedImports' || c === 'lint/correctness/noNodejsModules',
  );

afterAll(() => {
  for (const dir of placed) rmSync(dir, { recursive: true, force: true });
});

describe('layer import rules', () => {
  it('refuses the database and Node built-ins in the renderer', () => {
    const errors = lintAs('renderer/imports-db.ts', 'renderer');
    expect(restricted(errors)).toHaveLength(2);
  });

  it('refuses the store, better-sqlite3 and Electron in the engine', () => {
    const errors = lintAs('engine/imports-db.ts', 'main/engine');
    expect(restricted(errors)).toHaveLength(3);
  });

  it('refuses a layer above and a relative path out of the folder in the services', () => {
    const errors = lintAs('services/imports-upward.ts', 'main/services');
    expect(restricted(errors)).toHaveLength(2);
  });

  it.each(['main/jobs', 'main/cli', 'main/electron', 'shared', 'bench'])(
    'keeps better-sqlite3 out of %s',
    (layer) => {
      expect(restricted(lintAs('any/imports-sqlite.ts', layer))).toHaveLength(1);
    },
  );

  it('lets db/ use better-sqlite3', () => {
    expect(restricted(lintAs('any/imports-sqlite.ts', 'db'))).toHaveLength(0);
  });
});
