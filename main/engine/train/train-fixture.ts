import { Tokenizer, trimmedVocabFor } from '#main/engine/tokenizer/tokenizer';
import type { ModelConfig } from '#shared/model/config';
import { mulberry32 } from '#shared/random';
import type { Example } from './batch';

/** Deterministic synthetic VQA-like examples with tiny images, for unit tests. */
export function syntheticExamples(n: number, _config: ModelConfig, seed = 1): Example[] {
  const rand = mulberry32(seed);
  const answers = ['yes', 'no', 'left lung', 'brain'];
  const side = 20;
  return Array.from({ length: n }, (_, i) => {
    const answer = answers[i % answers.length] as string;
    const data = new Uint8Array(side * side);
    for (let p = 0; p < data.length; p++) data[p] = Math.floor(rand() * 64) + (i % answers.length) * 48;
    return {
      source: `question number ${i % 3} about the image?`,
      target: answer,
      image: { data, width: side, height: side, channels: 1 },
      candidates: answers,
    };
  });
}

/** A trimmed tokenizer covering the synthetic examples. */
export function syntheticTokenizer(examples: readonly Example[]): Tokenizer {
  return new Tokenizer(
    trimmedVocabFor(examples.flatMap((e) => [e.source, e.target, ...(e.candidates ?? [])])),
  );
}
