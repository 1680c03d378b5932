import { type Db, nowIso } from '#db/connection';
import type { WeightsRecord } from '#shared/domain/weights';

/** A weights row to insert (the service has already written the stored file). */
export type NewWeights = Omit<WeightsRecord, 'createdAt'>;

interface Row {
  id: string;
  name: string;
  preset: string;
  config: string;
  parameter_count: number;
  source_path: string;
  source_format: string;
  source_bytes: number;
  dtype: string;
  tensor_source: string;
  fairseq_arch: string | null;
  vocabulary: string;
  sha256: string;
  stored_path: string;
  stored_bytes: number;
  report: string;
  created_at: string;
}

const toRecord = (r: Row): WeightsRecord =>
  ({
    id: r.id,
    name: r.name,
    architecture: { preset: r.preset, config: JSON.parse(r.config) },
    parameterCount: r.parameter_count,
    sourcePath: r.source_path,
    sourceFormat: r.source_format,
    sourceBytes: r.source_bytes,
    dtype: r.dtype,
    tensorSource: r.tensor_source,
    emaUsed: r.tensor_source !== 'model',
    fairseqArch: r.fairseq_arch,
    vocabulary: JSON.parse(r.vocabulary),
    sha256: r.sha256,
    storedPath: r.stored_path,
    storedBytes: r.stored_bytes,
    createdAt: r.created_at,
    report: JSON.parse(r.report),
  }) as WeightsRecord;

/** The imported-weights library. */
export function weightsRepo(db: Db) {
  return {
    list(): WeightsRecord[] {
      return (db.prepare('SELECT * FROM weights ORDER BY created_at DESC, name').all() as Row[]).map(
        toRecord,
      );
    },
    get(id: string): WeightsRecord | undefined {
      const r = db.prepare('SELECT * FROM weights WHERE id = ?').get(id) as Row | undefined;
      return r ? toRecord(r) : undefined;
    },
    /** Weights whose stored file has this digest (the same weights imported before). */
    findBySha256(sha256: string): WeightsRecord | undefined {
      const r = db.prepare('SELECT * FROM weights WHERE sha256 = ? LIMIT 1').get(sha256) as Row | undefined;
      return r ? toRecord(r) : undefined;
    },
    insert(w: NewWeights): WeightsRecord {
      db.prepare(
        `INSERT INTO weights (id, name, preset, config, parameter_count, source_path, source_format, source_bytes,
           dtype, tensor_source, fairseq_arch, vocabulary, sha256, stored_path, stored_bytes, report, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        w.id,
        w.name,
        w.architecture.preset,
        JSON.stringify(w.architecture.config),
        w.parameterCount,
        w.sourcePath,
        w.sourceFormat,
        w.sourceBytes,
        w.dtype,
        w.tensorSource,
        w.fairseqArch,
        JSON.stringify(w.vocabulary),
        w.sha256,
        w.storedPath,
        w.storedBytes,
        JSON.stringify(w.report),
        nowIso(),
      );
      return this.get(w.id)!;
    },
    /** Removes the row; true when there was one. */
    delete(id: string): boolean {
      return db.prepare('DELETE FROM weights WHERE id = ?').run(id).changes > 0;
    },
  };
}

export type WeightsRepo = ReturnType<typeof weightsRepo>;
