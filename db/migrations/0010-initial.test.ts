import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '#db/connection';
import { tempDir } from '#db/test-helpers';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe('migration 0010 initial', () => {
  it('creates the store, enforces foreign keys, cascades run deletion and rejects bad statuses', () => {
    const db = openDatabase(join(tmp.dir, 'w.sqlite'), { targetVersion: 10 });
    db.prepare(
      "INSERT INTO experiments (id, name, kind, config, config_hash, created_at) VALUES ('e', 'E', 'finetune', '{}', 'h', 't')",
    ).run();
    db.prepare(
      "INSERT INTO runs (id, experiment_id, name, status, scale, task, config, created_at) VALUES ('r', 'e', 'R', 'queued', 'S', 'vqa', '{}', 't')",
    ).run();
    db.prepare("INSERT INTO metrics VALUES ('r', 'loss', 1, 2.5, 0)").run();
    db.prepare("INSERT INTO tags VALUES ('r', 'baseline')").run();
    expect(() =>
      db
        .prepare(
          "INSERT INTO runs (id, experiment_id, name, status, scale, task, config, created_at) VALUES ('x', 'missing', 'R', 'queued', 'S', 'vqa', '{}', 't')",
        )
        .run(),
    ).toThrowError(/FOREIGN KEY/);
    expect(() => db.prepare("UPDATE runs SET status = 'exploded' WHERE id = 'r'").run()).toThrowError(
      /CHECK/,
    );
    expect(() => db.prepare("INSERT INTO metrics VALUES ('r', 'loss', 2, 'high', 0)").run()).toThrowError(
      /cannot store TEXT value in REAL column/,
    );
    db.prepare("DELETE FROM runs WHERE id = 'r'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM metrics').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM tags').get()).toEqual({ n: 0 });
    db.close();
  });
});
