import type { ParsedInput } from '#shared/api/contract';
import { WorkbenchError } from '#shared/api/errors';
import type { WeightsImportResult } from '#shared/api/weights';
import type { ServiceContext } from './context';

/** `weights.import`: reads, detects, reports and (unless a dry run) stores published weights. */
export async function importWeights(
  _ctx: ServiceContext,
  _input: ParsedInput<'weights.import'>,
): Promise<WeightsImportResult> {
  throw new WorkbenchError('unavailable', 'weights.import is not implemented yet (issue 11)');
}
