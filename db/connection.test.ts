import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_VERSION, openDatabase } from './connection';
import { StoreOpenError } from './errors';
import { checkMigrations } from './migrations/index';
import { openStore } from './store';
import { tempDir } from './test-helpers';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe('openDatabase', () => {
  it('creates a WAL database with foreign keys at the latest version', () => {
    const db = openDatabase(join(tmp.dir, 'w.sqlite'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    const strict = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%STRICT%'")
      .all();
    expect(strict.length).toBeGreaterThanOrEqual(11);
    db.close();
  });

  it('refuses a database written by a newer version and leaves it untouched', () => {
    const file = join(tmp.dir, 'new.sqlite');
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST_VERSION + 10}`);
    raw.close();
    const before = readFileSync(file);
    expect(() => openDatabase(file)).toThrowError(/newer version of Biomed Workbench/);
    try {
      openDatabase(file);
    } catch (e) {
      expect(e).toBeInstanceOf(StoreOpenError);
      expect((e as StoreOpenError).kind).toBe('too_new');
      expect((e as Error).message).toContain(file);
    }
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a file that is not SQLite, naming it, without overwriting it', () => {
    const file = join(tmp.dir, 'bad.sqlite');
    writeFileSync(file, 'this is a text file, not a database\n'.repeat(100));
    const before = readFileSync(file);
    expect(() => openDatabase(file)).toThrowError(new RegExp(`${file}.*not a SQLite database`));
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a corrupt database (damaged pages) and leaves it untouched', () => {
    const file = join(tmp.dir, 'corrupt.sqlite');
    const db = openDatabase(file);
    db.pragma('journal_mode = DELETE');
    const ins = db.prepare(
      "INSERT INTO datasets (id, name, format, task, content_hash, created_at) VALUES (?, 'n', 'f', 't', ?, 'x')",
    );
    for (let i = 0; i < 2000; i++) ins.run(`d${i}`, `h${i}`.padEnd(200, 'x'));
    db.close();
    const bytes = readFileSync(file);
    // Scribble over the middle pages (keep the header so it still looks like SQLite).
    for (let i = 8192; i < bytes.length - 4096; i += 7) bytes[i] = (bytes[i]! * 31 + 7) & 0xff;
    writeFileSync(file, bytes);
    expect(() => openDatabase(file)).toThrowError(StoreOpenError);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('rolls back every step of a failed migration', () => {
    const file = join(tmp.dir, 'mig.sqlite');
    const migrations = [
      { version: 10, name: 'a', up: (db: Database.Database) => db.exec('CREATE TABLE a (x INTEGER) STRICT') },
      { version: 20, name: 'b', up: (db: Database.Database) => db.exec('CREATE TABLE b (x INTEGR) STRICT') },
    ];
    expect(() => openDatabase(file, { migrations })).toThrowError(/Upgrading .* failed at "b"/);
    const raw = new Database(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(0);
    expect(raw.prepare("SELECT name FROM sqlite_schema WHERE name = 'a'").get()).toBeUndefined();
    raw.close();
  });

  it("sets the store's page cache and gives the size before; refuses a size that is not a positive whole KiB", () => {
    const store = openStore(join(tmp.dir, 'c.sqlite'));
    expect(store.pageCacheKiB()).toBe(16000);
    expect(store.pageCacheKiB(2000)).toBe(16000);
    expect(store.pageCacheKiB()).toBe(2000);
    expect(() => store.pageCacheKiB(0)).toThrowError(/positive whole number of KiB, not 0/);
    expect(() => store.pageCacheKiB(1.5)).toThrowError(/not 1.5/);
    expect(store.pageCacheKiB(16000)).toBe(2000);
    expect(store.pageCacheKiB()).toBe(16000);
    store.close();
  });

  it('checks that migration versions increase', () => {
    const up = () => undefined;
    expect(() =>
      checkMigrations([
        { version: 10, name: 'a', up },
        { version: 10, name: 'b', up },
      ]),
    ).toThrowError(/not above 10/);
  });
});
