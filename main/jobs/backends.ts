import { adapterLine, listBackends } from '#main/engine/backend/index';
import type { BackendStatus } from '#shared/api/app';

let cached: Promise<BackendStatus[]> | undefined;

/** The compute backends the engine can use here, probed once per process. */
export function describeBackends(): Promise<BackendStatus[]> {
  cached ??= listBackends().then(
    (info) =>
      info.available.map((probe) => ({
        name: probe.name,
        available: probe.ok,
        chosen: probe.name === info.name,
        detail:
          (probe.ok
            ? probe.name === info.name
              ? `in use (${info.device}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`
              : 'available'
            : (probe.reason ?? 'not available')) +
          (probe.adapter ? `; adapter ${adapterLine(probe.adapter)}` : ''),
        ...(probe.adapter ? { adapter: probe.adapter } : {}),
      })),
    (err: unknown) => [{ name: 'none', available: false, chosen: false, detail: String(err) }],
  );
  return cached;
}
