import { createHash, randomUUID } from 'node:crypto';
import { type Db, nowIso } from '#db/connection';

/** An experiment: one validated configuration, the parent of one run or of a sweep's runs. */
export interface ExperimentRecord {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly config: Record<string, unknown>;
  readonly configHash: string;
  readonly createdAt: string;
}

/** Stable JSON (sorted keys) so equal configs hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The experiments aggregate. */
export function experimentsRepo(db: Db) {
  const toRecord = (row: {
    id: string;
    name: string;
    kind: string;
    config: string;
    config_hash: string;
    created_at: string;
  }): ExperimentRecord => ({
    id: row.id,
    name: row.name,
    kind: row.kind,
    config: JSON.parse(row.config) as Record<string, unknown>,
    configHash: row.config_hash,
    createdAt: row.created_at,
  });
  return {
    insert(e: {
      id?: string;
      name: string;
      kind: string;
      config: Record<string, unknown>;
    }): ExperimentRecord {
      const json = canonicalJson(e.config);
      const id = e.id ?? randomUUID();
      const hash = createHash('sha256').update(json).digest('hex');
      db.prepare(
        'INSERT INTO experiments (id, name, kind, config, config_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(id, e.name, e.kind, json, hash, nowIso());
      return this.get(id)!;
    },
    /** Every experiment, newest first. */
    list(): ExperimentRecord[] {
      return (
        db.prepare('SELECT * FROM experiments ORDER BY created_at DESC, id').all() as Parameters<
          typeof toRecord
        >[0][]
      ).map(toRecord);
    },
    get(id: string): ExperimentRecord | undefined {
      const row = db.prepare('SELECT * FROM experiments WHERE id = ?').get(id) as
        | Parameters<typeof toRecord>[0]
        | undefined;
      return row ? toRecord(row) : undefined;
    },
  };
}

export type ExperimentsRepo = ReturnType<typeof experimentsRepo>;
