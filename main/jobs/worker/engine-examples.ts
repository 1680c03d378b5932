import type { Example } from '#main/engine/train/batch';
import { TASKS, toInstruction } from '#shared/tasks';
import type { ExampleReader, WorkerExample } from './examples';

/** The example in instruction form (instruction tuning): the instruction prompt, same answer. */
export function asInstruction(e: WorkerExample): WorkerExample {
  if (e.task === 'instruction') return e;
  const form = toInstruction(e.task, e.inputs, e.target, e.candidates ?? undefined);
  return {
    ...e,
    task: 'instruction',
    source: TASKS.instruction.prompt({ instruction: form.instruction, input: form.input }),
  };
}

/** The engine's view of an example: prompt, answer, image pixels, candidate answers. */
export async function toEngineExample(
  reader: ExampleReader,
  e: WorkerExample,
  imageSize: number,
  candidates: readonly string[] | null = e.candidates,
): Promise<Example> {
  return {
    source: e.source,
    target: e.target,
    ...(e.imageHash ? { image: await reader.image(e.imageHash, imageSize) } : {}),
    ...(candidates && candidates.length > 0 ? { candidates } : {}),
  };
}
