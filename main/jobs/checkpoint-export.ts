import { type ExportResult, exportCheckpoint } from '#main/engine/checkpoint/export';

export type { ExportResult };

/**
 * Exports a checkpoint folder for PyTorch (docs/export.md). No tensors are built: the engine
 * streams bytes from the checkpoint file, so this runs in the main process without a worker.
 */
export function exportCheckpointFolder(
  checkpointDir: string,
  outDir: string,
  run: { readonly id: string; readonly name: string },
  replace: boolean,
): Promise<ExportResult> {
  return exportCheckpoint(checkpointDir, outDir, run, { replace });
}
