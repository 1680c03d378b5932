/** fairseq special symbols, in dictionary order (ids 0..3). */
export const SPECIALS = ['<s>', '<pad>', '</s>', '<unk>'] as const;
export const MASK_SYMBOL = '<mask>';
/** Number of VQ-GAN image-code symbols in the fairseq dictionary. */
export const CODE_COUNT = 8192;
/** Number of location-bin symbols. */
export const BIN_COUNT = 1000;

/** Symbols appended after the BPE lines: <mask>, the image codes, the location bins. */
export function tailSymbols(withCodes: boolean, withBins: boolean): string[] {
  const out = [MASK_SYMBOL];
  if (withCodes) for (let i = 0; i < CODE_COUNT; i++) out.push(`<code_${i}>`);
  if (withBins) for (let i = 0; i < BIN_COUNT; i++) out.push(`<bin_${i}>`);
  return out;
}

/** The first field of each non-empty line of a fairseq `dict.txt` (GPT-2 BPE ids as strings). */
export function dictLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => l.split(' ')[0] ?? '');
}

/**
 * The id space of the published checkpoints (spec §1.3): specials, every line of `dict.txt`,
 * `<mask>`, 8,192 codes and 1,000 bins; 59,457 ids for the standard dictionary.
 */
export function fairseqSymbols(dictText: string): string[] {
  return [...SPECIALS, ...dictLines(dictText), ...tailSymbols(true, true)];
}
