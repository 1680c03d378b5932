import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { WorkerMessage } from '#main/jobs/protocol';

/**
 * A run folder's events file on the shared folder: one JSON record per line, appended only.
 * Every record carries a sequence number; the last record of a finished attempt is `end` (the
 * completion marker). A reader takes only lines that end in a newline, so a line still being
 * written (or cut off by a dying node) is never ingested, and a file without `end` is never
 * taken as complete.
 */
export const EventRecord = z.union([
  z.object({ seq: z.number().int().positive(), t: z.number(), msg: WorkerMessage }),
  z.object({
    seq: z.number().int().positive(),
    t: z.number(),
    end: z.object({
      /** `completed`, or `paused` when Slurm's signal (time limit, scancel, preemption) stopped it. */
      reason: z.enum(['completed', 'cancelled', 'paused', 'error']),
      step: z.number().int(),
      signal: z.string().nullable(),
    }),
  }),
]);
export type EventRecord = z.infer<typeof EventRecord>;

/** Appends records to an events file, one `write` per line, synced at checkpoints and the end. */
export class EventsWriter {
  private readonly fd: number;
  private seq = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  write(record: Omit<EventRecord, 'seq' | 't'>, sync = false): void {
    this.seq += 1;
    writeSync(this.fd, `${JSON.stringify({ seq: this.seq, t: Date.now() / 1000, ...record })}\n`);
    if (sync) fsyncSync(this.fd);
  }

  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
  }
}

/** What a read of the newly appended bytes of an events file gave. */
export interface ParsedEvents {
  readonly records: EventRecord[];
  /** Bytes of complete lines consumed (the next read starts after them). */
  readonly consumed: number;
  /** Complete lines that were not a valid record (reported, skipped). */
  readonly bad: string[];
}

/** Parses the complete lines of `bytes` (the file's content from the cursor on). */
export function parseEvents(bytes: Buffer): ParsedEvents {
  const end = bytes.lastIndexOf(0x0a);
  if (end < 0) return { records: [], consumed: 0, bad: [] };
  const records: EventRecord[] = [];
  const bad: string[] = [];
  for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    let parsed: ReturnType<typeof EventRecord.safeParse>;
    try {
      parsed = EventRecord.safeParse(JSON.parse(line));
    } catch {
      bad.push(line.slice(0, 200));
      continue;
    }
    if (parsed.success) records.push(parsed.data);
    else bad.push(line.slice(0, 200));
  }
  return { records, consumed: end + 1, bad };
}

/** Events file name of one Slurm job start: `<job>-r<restart>.jsonl` (a requeue is a new file). */
export function eventsFileName(jobId: string, restart: number): string {
  return `${jobId.replace(/[^\w]/g, '_')}-r${restart}.jsonl`;
}

/** Orders events files by job number, array task and restart (the order they were written). */
export function sortEventsFiles(names: readonly string[]): string[] {
  const key = (n: string) => (n.match(/\d+/g) ?? []).map(Number);
  return names
    .filter((n) => n.endsWith('.jsonl'))
    .sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
        const d = (ka[i] ?? -1) - (kb[i] ?? -1);
        if (d !== 0) return d;
      }
      return a.localeCompare(b);
    });
}
