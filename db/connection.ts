import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreOpenError } from './errors';
import { checkMigrations, LATEST_VERSION, MIGRATIONS } from './migrations/index';
import type { Migration } from './migrations/types';

export type Db = Database.Database;

export interface OpenOptions {
  /** Stop migrating at this version (tests of single migrations). */
  readonly targetVersion?: number;
  readonly migrations?: readonly Migration[];
  readonly readonly?: boolean;
  /** Run `PRAGMA quick_check` first (default); a worker's read-only connection skips it. */
  readonly check?: boolean;
}

const SQLITE_MAGIC = 'SQLite format 3\0';

/** Fails unless an existing file starts with SQLite's header; never touches the file. */
function assertSqliteFile(file: string): void {
  if (file === ':memory:' || !existsSync(file)) return;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    if (n === 0) return; // an empty file is a new database
    if (buf.toString('latin1', 0, n) !== SQLITE_MAGIC) {
      throw new StoreOpenError(
        'not_sqlite',
        file,
        `${file} is not a SQLite database (its header is wrong). It was left untouched; move it away or point BIOMED_HOME at another folder.`,
      );
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens the experiment store: checks the file, WAL, foreign keys, `PRAGMA quick_check`, then runs
 * pending migrations in one transaction. Refuses, without writing, a corrupt file or one written
 * by a newer version of the workbench.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  assertSqliteFile(file);
  const migrations = options.migrations ?? MIGRATIONS;
  checkMigrations(migrations);
  let db: Db;
  try {
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
  } catch (err) {
    throw new StoreOpenError('not_writable', file, `Cannot open ${file}: ${(err as Error).message}`);
  }
  try {
    if (options.check ?? true) checkIntegrity(db, file);
    const current = db.pragma('user_version', { simple: true }) as number;
    const latest = migrations.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new StoreOpenError(
        'too_new',
        file,
        `${file} was written by a newer version of Biomed Workbench (schema ${current}; this version knows up to ${latest}). It was left untouched: update the app to open it.`,
      );
    }
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) migrate(db, file, migrations, options.targetVersion ?? latest);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function checkIntegrity(db: Db, file: string): void {
  let result: unknown;
  try {
    result = db.pragma('quick_check', { simple: true });
  } catch (err) {
    throw new StoreOpenError(
      'corrupt',
      file,
      `${file} is damaged and cannot be read (${(err as Error).message}). It was left untouched; restore it from a backup or move it away.`,
    );
  }
  if (result !== 'ok') {
    throw new StoreOpenError(
      'corrupt',
      file,
      `${file} failed SQLite's integrity check (${String(result)}). It was left untouched; restore it from a backup or move it away.`,
    );
  }
}

function migrate(db: Db, file: string, migrations: readonly Migration[], target: number): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const pending = migrations.filter((m) => m.version > current && m.version <= target);
  if (pending.length === 0) return;
  const run = db.transaction(() => {
    for (const m of pending) {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }
  });
  try {
    run();
  } catch (err) {
    throw new StoreOpenError(
      'migration_failed',
      file,
      `Upgrading ${file} failed at "${pending.at(-1)?.name}": ${(err as Error).message}. Nothing was changed.`,
    );
  }
}

/** The schema version a fresh database is migrated to. */
export { LATEST_VERSION };

/** Current time as stored in the database (ISO 8601, UTC). */
export function nowIso(): string {
  return new Date().toISOString();
}
