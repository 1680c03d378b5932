/**
 * Text normalisation used before scoring, as the BiomedGPT evaluation code does it
 * (../shared/spec/biomedgpt.md §2.2, §3). Python string semantics are reproduced where they
 * differ from JavaScript's (`str.split()`, `str.strip()` whitespace set).
 */

/**
 * Python's `str.isspace()` set (what `str.split()` / `str.strip()` use). It differs from JS `\s`:
 * Python also counts U+001C..U+001F and U+0085, and does not count U+FEFF.
 */
const PY_WS = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_WS_RUN = new RegExp(`[${PY_WS}]+`, 'u');
const PY_STRIP = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'gu');

/** Python `s.split()`: split on runs of whitespace, dropping empty pieces. */
export function splitWhitespace(text: string): string[] {
  return text.split(PY_WS_RUN).filter((t) => t.length > 0);
}

/** Python `s.strip()`. */
export function pyStrip(text: string): string {
  return text.replace(PY_STRIP, '');
}

/**
 * BiomedGPT's `_bioclean` (scripts/caption/metric_caption.py, taken from bioCaption), applied to
 * references and hypotheses before ROUGE-L and CIDEr for captioning. Faithful to its quirks:
 * it drops `" / \ '`, strips, lower-cases, then removes the characters of the regex class
 * `[.,?;*!%^&_+():-\[\]{}]`. Because the Python pattern is not a raw string, `:-\[` is a range
 * (`:` to `[`, i.e. `:;<=>?@A-Z[`) and `-` itself is NOT removed ("x-ray" stays "x-ray").
 */
export function bioclean(caption: string): string {
  const s = pyStrip(caption.replace(/["/\\']/g, '')).toLowerCase();
  return s.replace(/[.,?;*!%^&_+()\x3a-\x5b\]{}]/g, '');
}

/** ASCII punctuation, Python's `string.punctuation`. */
const ASCII_PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

/**
 * What BiomedGPT's `eval_caption` (utils/eval_utils.py) does to a generated caption before it is
 * written out: delete every ASCII punctuation character, then strip. Note the asymmetry with
 * references, which only get `bioclean`: a generated "x-ray" becomes "xray".
 */
export function stripCaptionPunctuation(text: string): string {
  return pyStrip(text.replace(ASCII_PUNCTUATION, ''));
}

/** The generated-caption pipeline of BiomedGPT: {@link stripCaptionPunctuation} then {@link bioclean}. */
export function cleanCaptionHypothesis(text: string): string {
  return bioclean(stripCaptionPunctuation(text));
}

/**
 * VQA / closed-answer normalisation for exact match: lower-case, collapse whitespace (Python
 * whitespace, so stray tabs as in VQA-RAD's "slee\t n" become one space), strip, drop trailing
 * `. , ; : ! ?`. Departure from BiomedGPT, which compares `hypothesis.strip()` with references
 * that were lower-cased (and tab-stripped) at preprocessing time: lower-casing both sides and the
 * trailing-punctuation rule make free-generation (zero-shot) answers comparable.
 */
export function normalizeAnswer(answer: string): string {
  const collapsed = splitWhitespace(answer.toLowerCase()).join(' ');
  return splitWhitespace(collapsed.replace(/[.,;:!?]+$/, '')).join(' ');
}

/**
 * The released scripts' answer comparison (`utils/eval_utils.py` `eval_vqa_gen`): the generated
 * answer is only stripped; references were lower-cased and had tabs removed at preprocessing
 * (`vqa_rad.py`), then stripped. No punctuation rule, no whitespace collapsing.
 */
export function scriptAnswer(answer: string, isHypothesis: boolean): string {
  return isHypothesis ? pyStrip(answer) : pyStrip(answer.toLowerCase().replace(/\t/g, ''));
}

/** Answer normalisations before exact match: the workbench's ({@link normalizeAnswer}) or the scripts'. */
export type AnswerNormalization = 'workbench' | 'biomedgpt';

/** VQA answer-type label: VQA-RAD has "CLOSED " with a trailing space in two rows. */
export function normalizeAnswerType(type: string): string {
  return pyStrip(type).toUpperCase();
}

/** Text normalisations the metric registry can apply before text-generation metrics. */
export type TextNormalization = 'none' | 'bioclean' | 'biomedgpt-caption';

/** Apply a {@link TextNormalization} to a hypothesis (`isHypothesis`) or a reference. */
export function normalizeText(text: string, kind: TextNormalization, isHypothesis: boolean): string {
  switch (kind) {
    case 'none':
      return text;
    case 'bioclean':
      return bioclean(text);
    case 'biomedgpt-caption':
      return isHypothesis ? cleanCaptionHypothesis(text) : bioclean(text);
  }
}
